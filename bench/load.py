"""Over HTTP: ``core serve`` with its production settings, and a bounded load.

The server listens on loopback only and runs as ``core serve`` does in
production (gunicorn, its worker count, its request log). The load generator
is a few threads, each with its own ``http.client`` connection kept alive as
long as the server allows; it stops by itself after a number of requests or a
time, whichever comes first.
"""

from __future__ import annotations

import http.client
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.operations import Operation, basic_auth
from bench.stats import summary

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def default_workers() -> int:
    """gunicorn's usual advice for a CPU-bound worker: two per core, plus one."""
    return 2 * (os.cpu_count() or 1) + 1


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running ``core serve``."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path
    workers: int

    def stop(self) -> None:
        """Stop the server's whole process group."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start_server(
    database_url: str, log: Path, workers: int, env: dict[str, str] | None = None
) -> Server:
    """Start ``core serve`` on a free loopback port and wait until it is healthy."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "service.cli",
        "--db",
        database_url,
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environ,
            cwd=ROOT,
            start_new_session=True,
        )
    server = Server(port, process, log, workers)
    _wait_healthy(server)
    return server


def _wait_healthy(server: Server, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"core serve exited:\n{_tail(server.log)}")
        try:
            conn = http.client.HTTPConnection(HOST, server.port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"core serve did not become healthy:\n{_tail(server.log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


@dataclass
class LoadResult:
    """What one bounded load run measured."""

    seconds: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    errors: int = 0
    error_sample: str = ""
    connections: int = 0

    def describe(self) -> dict[str, Any]:
        """Plain data for the report: throughput and latency percentiles."""
        done = len(self.seconds)
        return {
            "requests": done,
            "seconds": round(self.elapsed, 3),
            "rps": round(done / self.elapsed, 2) if self.elapsed else 0.0,
            **summary(self.seconds, (50, 90, 99)),
            "errors": self.errors,
            "error_sample": self.error_sample,
            "connections": self.connections,
        }


class _Client(threading.Thread):
    """One keep-alive connection sending requests until the run is over."""

    def __init__(self, run: _Run) -> None:
        super().__init__(daemon=True)
        self.run_ = run
        self.conn: http.client.HTTPConnection | None = None

    def run(self) -> None:
        while True:
            index = self.run_.next_index()
            if index is None:
                break
            self._send(index)
        if self.conn is not None:
            self.conn.close()

    def _send(self, index: int) -> None:
        run = self.run_
        body = run.bodies[index % len(run.bodies)]
        started = time.perf_counter()
        try:
            status, answer = self._post(body)
        except (OSError, http.client.HTTPException) as exc:
            self._drop()
            run.failed(f"{type(exc).__name__}: {exc}")
            return
        run.done(time.perf_counter() - started, status, answer)

    def _post(self, body: bytes) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.run_.port, timeout=60)
            self.run_.connected()
        self.conn.request("POST", "/soap", body, self.run_.headers)
        response = self.conn.getresponse()
        answer = response.read()
        if response.will_close:
            self._drop()
        return response.status, answer

    def _drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class _Run:
    """The shared state of one load run: its bounds and its results."""

    def __init__(
        self, port: int, operation: Operation, bodies: list[bytes], limits: Limits
    ) -> None:
        self.port = port
        self.bodies = bodies
        self.headers = {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{operation.action}"',
            "Authorization": basic_auth(),
        }
        self.limits = limits
        self.result = LoadResult()
        self._counter = itertools.count()
        self._lock = threading.Lock()
        self.deadline = 0.0

    def next_index(self) -> int | None:
        index = next(self._counter)
        if index >= self.limits.requests or time.perf_counter() > self.deadline:
            return None
        return index

    def connected(self) -> None:
        with self._lock:
            self.result.connections += 1

    def done(self, elapsed: float, status: int, answer: bytes) -> None:
        if status == 200 and b"Fault>" not in answer:
            self.result.seconds.append(elapsed)
            return
        self.failed(f"HTTP {status}: {answer[:300].decode('utf-8', 'replace')}")

    def failed(self, message: str) -> None:
        with self._lock:
            self.result.errors += 1
            self.result.error_sample = self.result.error_sample or message


@dataclass(frozen=True)
class Limits:
    """Bounds of one load run."""

    requests: int
    duration: float
    concurrency: int
    warmup: int = 0


def run_load(
    server: Server, operation: Operation, bodies: list[bytes], limits: Limits
) -> LoadResult:
    """Send ``operation`` to ``server`` under ``limits``; return what was measured."""
    if limits.warmup:
        warm = Limits(limits.warmup, limits.duration, limits.concurrency)
        _drive(_Run(server.port, operation, bodies, warm))
    run = _Run(server.port, operation, bodies, limits)
    return _drive(run)


def _drive(run: _Run) -> LoadResult:
    clients = [_Client(run) for _ in range(run.limits.concurrency)]
    started = time.perf_counter()
    run.deadline = started + run.limits.duration
    for client in clients:
        client.start()
    for client in clients:
        client.join(run.limits.duration + 120)
    run.result.elapsed = time.perf_counter() - started
    return run.result
