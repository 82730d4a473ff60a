"""Real CORE server processes for the tests, and zeep clients that call them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
import zeep
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

ADMIN_PASSWORD = "admin password 1"
DEMO_PASSWORD = "demo password 1"
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Server:
    """A running ``core serve`` process."""

    url: str
    database_url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def wsdl(self) -> str:
        return f"{self.url}/soap?wsdl"

    def client(
        self, username: str = "admin", password: str = ADMIN_PASSWORD
    ) -> zeep.Client:
        """A zeep client signing in with HTTP Basic."""
        session = requests.Session()
        session.auth = (username, password)
        return zeep.Client(self.wsdl, transport=Transport(session=session, timeout=30))

    def wsse_client(self, username: str, password: str) -> zeep.Client:
        """A zeep client signing in with a WS-Security UsernameToken."""
        return zeep.Client(self.wsdl, wsse=UsernameToken(username, password))

    def anonymous(self) -> zeep.Client:
        return zeep.Client(self.wsdl)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    database_url: str, log: Path, *extra: str, env: dict[str, str] | None = None
) -> Server:
    """Start ``core serve`` on a free port and wait until it is healthy."""
    port = free_port()
    environ = {
        **os.environ,
        "CORE_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "CORE_DEMO_PASSWORD": DEMO_PASSWORD,
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "service.cli",
        "--db",
        database_url,
        "serve",
        "--port",
        str(port),
        "--workers",
        "2",
        *extra,
    ]
    output = log.open("wb")
    process = subprocess.Popen(
        command,
        stdout=output,
        stderr=subprocess.STDOUT,
        env=environ,
        cwd=ROOT,
        start_new_session=True,
    )
    server = Server(f"http://127.0.0.1:{port}", database_url, process, log)
    wait_healthy(server)
    return server


def wait_healthy(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"core serve exited:\n{server.log.read_text()[-3000:]}")
        try:
            if requests.get(f"{server.url}/health", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(
        f"core serve did not become healthy:\n{server.log.read_text()[-3000:]}"
    )


def stop_server(server: Server) -> None:
    """Stop the server's whole process group."""
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()
