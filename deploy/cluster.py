"""A real CORE cluster on loopback: PostgreSQL, several CORE nodes, nginx in front.

Run it to try a deployment on one machine::

    python deploy/cluster.py up [--nodes 3] [--workers 2] [--dir /tmp/core-cluster]
    python deploy/cluster.py down [--dir /tmp/core-cluster]

``up`` starts, each as a process of its own on a free 127.0.0.1 port: a
private PostgreSQL server (as the ``postgres`` user when run as root) set up by
``postgres/setup.sh`` with an owner and a service role, ``core init`` as the
owner, the CORE nodes (``core serve`` as the service role, each in its own
process group, with ``gunicorn.conf.py`` through ``CORE_GUNICORN_CONFIG``) and
nginx running ``nginx/core.conf`` over a self-signed certificate made at start.
It writes what it started to ``cluster.json`` in the directory; ``down`` stops
exactly those processes and removes the directory.

The tests in ``tests/deploy`` import :class:`Cluster` and drive the same
processes: they kill, stop and restart nodes, drain them from nginx, and
restart PostgreSQL. This module needs only the standard library.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import glob
import grp
import importlib.util
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
DEFAULT_DIR = Path(tempfile.gettempdir()) / "core-cluster"
STATE_FILE = "cluster.json"
#: Seconds a process may take to start or stop before the cluster gives up.
STARTUP = 90.0
STOP = 45.0


class Unavailable(RuntimeError):
    """This machine lacks something the cluster needs: nginx, PostgreSQL, a user."""


# -- processes ----------------------------------------------------------------------


def free_port() -> int:
    """Return a loopback TCP port that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _proc_stat(pid: int) -> tuple[str, int, int, int] | None:
    """Return the state, parent, process group and start time of ``pid``."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[2]), int(fields[19])


def start_time(pid: int) -> int:
    """Return when ``pid`` started, in clock ticks since boot; 0 if it is gone.

    With the pid, it names one process: a pid reused later has another.
    """
    stat = _proc_stat(pid)
    return stat[3] if stat is not None else 0


def _all_pids() -> Iterator[int]:
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            yield int(entry)


def group_members(pgid: int) -> list[int]:
    """Return the live (not zombie) processes of process group ``pgid``."""
    members = []
    for pid in _all_pids():
        stat = _proc_stat(pid)
        if stat is not None and stat[2] == pgid and stat[0] != "Z":
            members.append(pid)
    return members


def children(pid: int) -> set[int]:
    """Return the live child processes of ``pid``."""
    found = set()
    for candidate in _all_pids():
        stat = _proc_stat(candidate)
        if stat is not None and stat[1] == pid and stat[0] != "Z":
            found.add(candidate)
    return found


def alive(pid: int) -> bool:
    """Tell whether ``pid`` runs (a zombie does not)."""
    stat = _proc_stat(pid)
    return stat is not None and stat[0] != "Z"


def _reap(pid: int) -> None:
    """Collect ``pid`` if it is our own child, so that it leaves no zombie."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def signal_group(pgid: int, signum: int) -> None:
    """Send ``signum`` to process group ``pgid`` if any of it is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def wait_group_gone(pgid: int, timeout: float) -> bool:
    """Wait until no process of group ``pgid`` runs; tell whether that happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pgid)
        if not group_members(pgid):
            return True
        time.sleep(0.05)
    return False


def stop_group(pgid: int, signum: int = signal.SIGTERM, timeout: float = STOP) -> None:
    """Stop a process group with ``signum``, then with SIGKILL if it lingers."""
    signal_group(pgid, signum)
    if not wait_group_gone(pgid, timeout):
        signal_group(pgid, signal.SIGKILL)
        wait_group_gone(pgid, 10)


def spawn(command: Sequence[str], log: Path, env: dict[str, str]) -> int:
    """Start ``command`` in a new session, its output in ``log``; return its pid.

    The pid is also the process group of everything the command starts.
    """
    with log.open("ab") as output:
        process = subprocess.Popen(
            list(command),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
    return process.pid


def tail(path: Path, size: int = 3000) -> str:
    """Return the end of a log file, for an error message."""
    try:
        return path.read_text(errors="replace")[-size:]
    except FileNotFoundError:
        return f"({path} does not exist)"


def http_status(url: str, context: ssl.SSLContext | None = None) -> int | None:
    """Return the status of ``GET url``, or ``None`` when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=5, context=context) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (OSError, urllib.error.URLError):
        return None


def run(command: Sequence[str], env: dict[str, str] | None = None) -> str:
    """Run a short command; return its output or raise with what it said."""
    done = subprocess.run(
        list(command),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=STARTUP,
        check=False,
    )
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip()
        raise RuntimeError(f"{command[0]} exited with {done.returncode}: {said}")
    return done.stdout


# -- PostgreSQL ---------------------------------------------------------------------


def find_pg_bindir() -> Path | None:
    """Return the directory of PostgreSQL's server tools, newest version first."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_pg_version)
    candidates.reverse()
    if shutil.which("pg_config"):
        done = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=False
        )
        candidates.insert(0, done.stdout.strip())
    tools = ("initdb", "pg_ctl", "psql", "pg_dump", "pg_restore")
    for candidate in filter(None, candidates):
        if all((Path(candidate) / tool).is_file() for tool in tools):
            return Path(candidate)
    return None


def _pg_version(bindir: str) -> int:
    name = Path(bindir).parent.name
    return int(name) if name.isdigit() else 0


def server_user_prefix() -> list[str]:
    """Return the prefix that runs PostgreSQL's tools as ``postgres`` under root."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise Unavailable("running as root, and there is no 'postgres' user") from None
    if shutil.which("runuser") is None:
        raise Unavailable("running as root, and there is no runuser command")
    return ["runuser", "-u", "postgres", "--"]


@dataclass
class Postgres:
    """A private PostgreSQL server: data and socket in ``base``, TCP on loopback.

    Local (socket) connections are trusted, for setting up; TCP connections,
    which CORE uses, need a password (SCRAM).
    """

    bindir: Path
    base: Path
    port: int
    prefix: list[str]

    @property
    def data(self) -> Path:
        """The data directory."""
        return self.base / "data"

    def initdb(self) -> None:
        """Create the cluster."""
        self._tool(
            "initdb",
            *("-D", str(self.data), "-U", "postgres", "-E", "UTF8", "--locale=C"),
            *("--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"),
        )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        # fsync=off: a test cluster; a clean stop still writes everything out.
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c full_page_writes=off"
        )
        log = str(self.base / "server.log")
        self._tool(
            "pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server, disconnecting every client, and wait until it is down."""
        self._tool("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        """Tell whether the server is up."""
        command = [*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.data)]
        done = subprocess.run(
            [*command, "status"], capture_output=True, check=False, timeout=STOP
        )
        return done.returncode == 0

    def shut_down(self) -> None:
        """Stop the server if it runs, immediately when a fast stop does not do."""
        if not self.data.exists() or not self.running():
            return
        try:
            self.stop()
        except RuntimeError:
            self.stop("immediate")

    def url(self, user: str, password: str, dbname: str) -> str:
        """Return the TCP URL of ``dbname`` for ``user``."""
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{dbname}"

    def admin_env(self, dbname: str = "postgres") -> dict[str, str]:
        """Environment for libpq tools to connect as the superuser, by socket."""
        return {
            **os.environ,
            "PATH": f"{self.bindir}{os.pathsep}{os.environ.get('PATH', '')}",
            "PGHOST": str(self.base),
            "PGPORT": str(self.port),
            "PGUSER": "postgres",
            "PGDATABASE": dbname,
        }

    def _tool(self, name: str, *args: str) -> None:
        command = [*self.prefix, str(self.bindir / name), *args]
        done = subprocess.run(
            command,
            cwd=self.base,
            capture_output=True,
            text=True,
            timeout=STARTUP,
            check=False,
        )
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip()
            raise RuntimeError(f"{name} exited with {done.returncode}: {said}")


# -- CORE nodes ---------------------------------------------------------------------


@dataclass
class Node:
    """One ``core serve`` process group on its own port."""

    name: str
    port: int
    log: Path
    pid: int = 0
    started: int = 0

    @property
    def url(self) -> str:
        """The node's own address, without nginx."""
        return f"http://127.0.0.1:{self.port}"

    def running(self) -> bool:
        """Tell whether the node's gunicorn master runs."""
        return self.pid > 0 and alive(self.pid)

    def health(self) -> int | None:
        """The status of the node's own ``/health``, or ``None`` if it is down."""
        return http_status(f"{self.url}/health")


# -- nginx --------------------------------------------------------------------------


def find_nginx() -> str | None:
    """Return the nginx binary, if there is one."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, 1)),
        None,
    )


#: What ``nginx/core.conf`` says that is specific to a site, and what replaces it.
_SITE_LINES = {
    "https": re.compile(r"^(\s*)listen\s+443\s+ssl;", re.M),
    "http": re.compile(r"^(\s*)listen\s+80;", re.M),
    "certificate": re.compile(r"^(\s*)ssl_certificate\s+\S+;", re.M),
    "key": re.compile(r"^(\s*)ssl_certificate_key\s+\S+;", re.M),
    "access_log": re.compile(r"^(\s*)access_log\s+/\S+\s+core_access;", re.M),
}
_UPSTREAM_SERVER = re.compile(r"^(\s*)server\s+[^\s;]+:\d+([^;\n]*);\n", re.M)


def render_site(
    template: str,
    nodes: Sequence[tuple[int, bool]],
    values: dict[str, str],
) -> str:
    """Return ``nginx/core.conf`` for loopback: ports, certificate, logs, nodes.

    :param nodes: each node's port and whether it is drained (``down``).
    :param values: the replacement of each of :data:`_SITE_LINES`.
    :raises ValueError: when the template lacks a line this expects.
    """
    servers = list(_UPSTREAM_SERVER.finditer(template))
    if not servers:
        raise ValueError("nginx/core.conf has no 'server host:port ...;' upstream")
    indent, parameters = servers[0].group(1), servers[0].group(2)
    lines = "".join(
        f"{indent}server 127.0.0.1:{port}{parameters}{' down' if down else ''};\n"
        for port, down in nodes
    )
    start, end = servers[0].start(), servers[-1].end()
    text = template[:start] + lines + template[end:]

    for name, pattern in _SITE_LINES.items():
        text, count = pattern.subn(
            lambda match, name=name: match.group(1) + values[name], text
        )
        if not count:
            raise ValueError(f"nginx/core.conf has no {pattern.pattern!r} line")
    return text


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """Make a self-signed certificate for 127.0.0.1; return its and its key's path."""
    folder.mkdir(parents=True, exist_ok=True)
    certificate, key = folder / "core.crt", folder / "core.key"
    if shutil.which("openssl"):
        run(
            [
                *("openssl", "req", "-x509", "-newkey", "ec"),
                *("-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"),
                *("-keyout", str(key), "-out", str(certificate), "-days", "7"),
                *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            ]
        )
    else:
        _certificate_with_cryptography(certificate, key)
    key.chmod(0o600)
    return certificate, key


def _certificate_with_cryptography(certificate: Path, key: Path) -> None:
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        raise Unavailable("neither openssl nor Python's cryptography") from None
    import datetime as dt
    import ipaddress

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    address = x509.IPAddress(ipaddress.ip_address("127.0.0.1"))
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName([address]), critical=False)
        .sign(private, hashes.SHA256())
    )
    certificate.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


@dataclass
class Nginx:
    """nginx in the foreground of its own session, configured from ``core.conf``."""

    binary: str
    base: Path
    port: int
    http_port: int
    pid: int = 0
    started: int = 0

    @property
    def config(self) -> Path:
        """The main configuration file."""
        return self.base / "nginx.conf"

    @property
    def certificate(self) -> Path:
        """The self-signed certificate nginx presents."""
        return self.base / "tls" / "core.crt"

    def write_config(self, nodes: Sequence[tuple[int, bool]]) -> None:
        """Write the main configuration and the site for ``nodes``."""
        template = (DEPLOY / "nginx" / "core.conf").read_text()
        site = render_site(
            template,
            nodes,
            {
                "https": f"listen 127.0.0.1:{self.port} ssl;",
                "http": f"listen 127.0.0.1:{self.http_port};",
                "certificate": f"ssl_certificate {self.certificate};",
                "key": f"ssl_certificate_key {self.base / 'tls' / 'core.key'};",
                "access_log": f"access_log {self.base / 'access.log'} core_access;",
            },
        )
        (self.base / "core.conf").write_text(site)
        self.config.write_text(self._main_config())

    def _main_config(self) -> str:
        temp = self.base / "tmp"
        paths = "\n".join(
            f"    {kind}_temp_path {temp / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        return (
            f"{self._user()}daemon off;\nworker_processes 1;\n"
            f"pid {self.base / 'nginx.pid'};\n"
            f"error_log {self.base / 'error.log'} notice;\n"
            "events {\n    worker_connections 512;\n}\n"
            "http {\n    default_type application/octet-stream;\n"
            f"{paths}\n    include {self.base / 'core.conf'};\n}}\n"
        )

    def _user(self) -> str:
        """Under root, workers run as ``nobody``, who owns the temporary files."""
        if os.geteuid() != 0:
            return ""
        account = pwd.getpwnam("nobody")
        group = grp.getgrgid(account.pw_gid).gr_name
        return f"user {account.pw_name} {group};\n"

    def prepare(self, nodes: Sequence[tuple[int, bool]]) -> None:
        """Make the directories, the certificate and the configuration."""
        temp = self.base / "tmp"
        temp.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(temp, "nobody")
        make_certificate(self.base / "tls")
        self.write_config(nodes)
        self.check()

    def check(self) -> None:
        """Refuse a configuration that nginx refuses (``nginx -t``)."""
        run(self._command("-t"))

    def start(self) -> None:
        """Start nginx and wait until it answers on its https port."""
        self.pid = spawn(self._command(), self.base / "nginx.log", dict(os.environ))
        self.started = start_time(self.pid)
        deadline = time.monotonic() + STARTUP
        while time.monotonic() < deadline:
            if not alive(self.pid):
                raise RuntimeError(f"nginx exited:\n{tail(self.base / 'error.log')}")
            if self.workers() and _accepts(self.port):
                return
            time.sleep(0.05)
        raise RuntimeError(f"nginx did not start:\n{tail(self.base / 'error.log')}")

    def reload(self, nodes: Sequence[tuple[int, bool]]) -> None:
        """Apply a new node list gracefully; return once no old worker is left.

        Old workers finish the requests they have and exit; new ones use the
        new list from their first request on.
        """
        self.write_config(nodes)
        self.check()
        old = self.workers()
        os.kill(self.pid, signal.SIGHUP)
        deadline = time.monotonic() + STOP
        while time.monotonic() < deadline:
            current = self.workers()
            if current and not current & old:
                return
            time.sleep(0.05)
        raise RuntimeError(f"nginx did not reload:\n{tail(self.base / 'error.log')}")

    def workers(self) -> set[int]:
        """The worker processes of the running master."""
        return children(self.pid) if self.pid else set()

    def stop(self) -> None:
        """Stop gracefully (SIGQUIT): requests in progress are finished first."""
        if self.pid and alive(self.pid):
            stop_group(self.pid, signal.SIGQUIT)

    def _command(self, *extra: str) -> list[str]:
        return [
            *(self.binary, "-p", str(self.base), "-c", str(self.config)),
            *("-e", str(self.base / "error.log"), *extra),
        ]


def _accepts(port: int) -> bool:
    with (
        contextlib.suppress(OSError),
        socket.create_connection(("127.0.0.1", port), timeout=1),
    ):
        return True
    return False


# -- the cluster --------------------------------------------------------------------


def _secret() -> str:
    return secrets.token_urlsafe(18)


@dataclass
class Cluster:
    """PostgreSQL, CORE nodes and nginx on loopback, under one directory.

    :param base: the directory for data, logs and configuration.
    :param nodes: how many CORE nodes to run.
    :param workers: gunicorn workers per node.
    """

    base: Path
    nodes: list[Node] = field(default_factory=list)
    workers: int = 2
    dbname: str = "core"
    owner: str = "core_owner"
    service: str = "core_service"
    passwords: dict[str, str] = field(default_factory=dict)
    postgres: Postgres | None = None
    nginx: Nginx | None = None
    drained: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, base: Path, nodes: int = 3, workers: int = 2) -> Cluster:
        """Plan a cluster in ``base``: find the tools, choose ports, make secrets.

        :raises Unavailable: when nginx or PostgreSQL's binaries are missing.
        """
        bindir = find_pg_bindir()
        if bindir is None:
            raise Unavailable("no PostgreSQL server binaries (initdb, pg_ctl) found")
        binary = find_nginx()
        if binary is None:
            raise Unavailable("no nginx binary found (apt-get install nginx)")
        if not shutil.which("openssl") and not importlib.util.find_spec("cryptography"):
            raise Unavailable("neither openssl nor Python's cryptography for TLS")
        prefix = server_user_prefix()
        cluster = cls(base=base, workers=workers)
        cluster.postgres = Postgres(bindir, base / "postgres", free_port(), prefix)
        cluster.nginx = Nginx(binary, base / "nginx", free_port(), free_port())
        cluster.nodes = [
            Node(f"node{n}", free_port(), base / "logs" / f"node{n}.log")
            for n in range(1, nodes + 1)
        ]
        cluster.passwords = {
            "owner": _secret(),
            "service": _secret(),
            "admin": _secret(),
        }
        return cluster

    # -- addresses --------------------------------------------------------------

    @property
    def pg(self) -> Postgres:
        """The PostgreSQL server."""
        assert self.postgres is not None
        return self.postgres

    @property
    def proxy(self) -> Nginx:
        """nginx."""
        assert self.nginx is not None
        return self.nginx

    @property
    def public_url(self) -> str:
        """Where clients reach CORE: nginx's https address."""
        return f"https://127.0.0.1:{self.proxy.port}"

    @property
    def wsdl(self) -> str:
        """The WSDL's address through nginx."""
        return f"{self.public_url}/soap?wsdl"

    @property
    def owner_url(self) -> str:
        """The database as the owner: for ``core init``, ``core migrate``."""
        return self.role_url("owner")

    @property
    def service_url(self) -> str:
        """The database as the service role: what the nodes use."""
        return self.role_url("service")

    def role_url(self, role: str, dbname: str | None = None) -> str:
        """The URL of ``dbname`` (default: CORE's) as ``owner`` or ``service``."""
        user = self.owner if role == "owner" else self.service
        return self.pg.url(user, self.passwords[role], dbname or self.dbname)

    @property
    def admin_password(self) -> str:
        """The password of CORE's ``admin`` user."""
        return self.passwords["admin"]

    # -- life cycle -------------------------------------------------------------

    def up(self) -> None:
        """Start everything; on a failure, stop what was started and raise."""
        try:
            self._prepare_directories()
            self._start_postgres()
            self.setup_database(self.dbname)
            self.core("init", database_url=self.owner_url)
            self._start_nodes(self.nodes)
            self.proxy.prepare(self.upstreams())
            self.proxy.start()
            self._wait_public_health()
            self.save()
        except BaseException:
            self.down(remove=False)
            raise

    def down(self, *, remove: bool = True) -> None:
        """Stop nginx, the nodes and PostgreSQL; remove the directory if asked."""
        if self.nginx is not None:
            self.nginx.stop()
        for node in self.nodes:
            if node.pid:
                stop_group(node.pid)
        if self.postgres is not None:
            self.postgres.shut_down()
        if remove:
            shutil.rmtree(self.base, ignore_errors=True)

    def _prepare_directories(self) -> None:
        for folder in (self.base, self.base / "logs", self.proxy.base):
            folder.mkdir(parents=True, exist_ok=True)
        # PostgreSQL, running as postgres, must reach its directory.
        self.base.chmod(0o755)
        self.pg.base.mkdir(mode=0o700, exist_ok=True)
        if self.pg.prefix:
            shutil.chown(self.pg.base, "postgres", "postgres")

    def _start_postgres(self) -> None:
        self.pg.initdb()
        self.pg.start()

    def setup_database(self, dbname: str) -> str:
        """Run ``postgres/setup.sh`` for database ``dbname``; return its output."""
        return self.script("setup.sh", dbname=dbname)

    def script(
        self, name: str, *args: str, dbname: str | None = None, **env: str
    ) -> str:
        """Run one of ``deploy/postgres``'s scripts against this cluster.

        ``setup.sh`` connects as the superuser; the others as the owner.
        """
        dbname = dbname or self.dbname
        environ = {
            **self.pg.admin_env(),
            "CORE_DB_NAME": dbname,
            "CORE_DB_OWNER": self.owner,
            "CORE_DB_OWNER_PASSWORD": self.passwords["owner"],
            "CORE_DB_SERVICE": self.service,
            "CORE_DB_SERVICE_PASSWORD": self.passwords["service"],
            **env,
        }
        if name != "setup.sh":
            environ.update(
                PGHOST="127.0.0.1",
                PGUSER=self.owner,
                PGPASSWORD=self.passwords["owner"],
                PGDATABASE=dbname,
            )
        return run(["bash", str(DEPLOY / "postgres" / name), *args], environ)

    def core(self, *args: str, database_url: str) -> str:
        """Run a ``core`` command (``init``, ``migrate``...) on ``database_url``."""
        return run(
            [sys.executable, "-m", "service.cli", *args],
            self.core_env(database_url),
        )

    def core_env(self, database_url: str) -> dict[str, str]:
        """The environment of a ``core`` process on ``database_url``."""
        environ = {
            key: value for key, value in os.environ.items() if key != "CORE_PUBLIC_URL"
        }
        return {
            **environ,
            "PYTHONPATH": str(ROOT),
            "CORE_DATABASE_URL": database_url,
            "CORE_ADMIN_PASSWORD": self.admin_password,
            "CORE_WORKERS": str(self.workers),
            "CORE_GUNICORN_CONFIG": str(DEPLOY / "gunicorn.conf.py"),
        }

    # -- nodes --------------------------------------------------------------------

    def start_node(self, node: Node) -> None:
        """Start ``node`` on its port and wait until its ``/health`` answers 200."""
        self._start_nodes([node])

    def _start_nodes(self, nodes: Sequence[Node]) -> None:
        for node in nodes:
            node.pid = spawn(self._serve_command(node), node.log, self._serve_env())
            node.started = start_time(node.pid)
        for node in nodes:
            self._wait_healthy(node)
        self.save()

    def _serve_command(self, node: Node) -> list[str]:
        return [
            *(sys.executable, "-m", "service.cli", "serve"),
            *("--host", "127.0.0.1", "--port", str(node.port)),
            *("--workers", str(self.workers)),
        ]

    def _serve_env(self) -> dict[str, str]:
        return self.core_env(self.service_url)

    def _wait_healthy(self, node: Node) -> None:
        deadline = time.monotonic() + STARTUP
        while time.monotonic() < deadline:
            if not node.running():
                _reap(node.pid)
                raise RuntimeError(f"{node.name} exited:\n{tail(node.log)}")
            if node.health() == 200:
                return
            time.sleep(0.1)
        raise RuntimeError(f"{node.name} did not become healthy:\n{tail(node.log)}")

    def stop_node(self, node: Node) -> None:
        """Stop ``node`` gracefully: SIGTERM, requests in progress are finished."""
        stop_group(node.pid, signal.SIGTERM)

    def kill_node(self, node: Node) -> None:
        """Kill ``node``'s whole process group at once (SIGKILL), as a crash would."""
        signal_group(node.pid, signal.SIGKILL)
        wait_group_gone(node.pid, STOP)

    def upstreams(self) -> list[tuple[int, bool]]:
        """Each node's port for nginx, and whether it is drained."""
        return [(node.port, node.name in self.drained) for node in self.nodes]

    def drain(self, node: Node) -> None:
        """Take ``node`` out of nginx and wait until no request goes to it."""
        self.drained.append(node.name)
        self.proxy.reload(self.upstreams())
        self.save()

    def undrain(self, node: Node) -> None:
        """Put ``node`` back into nginx."""
        self.drained.remove(node.name)
        self.proxy.reload(self.upstreams())
        self.save()

    def rolling_restart(self) -> None:
        """Restart every node in turn: drain, stop, start, wait healthy, put back."""
        for node in self.nodes:
            self.drain(node)
            self.stop_node(node)
            self.start_node(node)
            self.undrain(node)

    def _wait_public_health(self) -> None:
        context = ssl.create_default_context(cafile=str(self.proxy.certificate))
        deadline = time.monotonic() + STARTUP
        while time.monotonic() < deadline:
            if http_status(f"{self.public_url}/health", context) == 200:
                return
            time.sleep(0.1)
        raise RuntimeError(
            f"nginx did not answer:\n{tail(self.proxy.base / 'error.log')}"
        )

    # -- state --------------------------------------------------------------------

    def save(self) -> None:
        """Write what runs to ``cluster.json``, for ``down`` from another process."""
        path = self.base / STATE_FILE
        path.write_text(json.dumps(dataclasses.asdict(self), indent=2, default=str))
        path.chmod(0o600)

    @classmethod
    def load(cls, base: Path) -> Cluster:
        """Read the cluster that ``up`` started in ``base``."""
        data = json.loads((base / STATE_FILE).read_text())
        postgres = data.pop("postgres")
        nginx = data.pop("nginx")
        nodes = data.pop("nodes")
        return cls(
            base=Path(data.pop("base")),
            nodes=[
                Node(n["name"], n["port"], Path(n["log"]), n["pid"], n["started"])
                for n in nodes
            ],
            postgres=Postgres(
                Path(postgres["bindir"]),
                Path(postgres["base"]),
                postgres["port"],
                postgres["prefix"],
            ),
            nginx=Nginx(
                nginx["binary"],
                Path(nginx["base"]),
                nginx["port"],
                nginx["http_port"],
                nginx["pid"],
                nginx["started"],
            ),
            **data,
        )


# -- command line -------------------------------------------------------------------


def _forget_others(cluster: Cluster) -> None:
    """Forget recorded pids that now name another process than the one started."""
    for owner in [*cluster.nodes, cluster.proxy]:
        if owner.pid and start_time(owner.pid) != owner.started:
            owner.pid = 0


def cmd_up(args: argparse.Namespace) -> int:
    """Start a cluster and say how to reach it."""
    base = Path(args.dir)
    if (base / STATE_FILE).exists():
        print(f"a cluster already runs in {base}; stop it with 'down' first")
        return 1
    cluster = Cluster.create(base, nodes=args.nodes, workers=args.workers)
    cluster.up()
    print(f"CORE cluster up in {base}")
    print(f"  WSDL:       {cluster.wsdl}  (certificate {cluster.proxy.certificate})")
    print(f"  admin:      password {cluster.admin_password}")
    for node in cluster.nodes:
        print(f"  {node.name}:      {node.url} (pid {node.pid}, log {node.log})")
    print(f"  PostgreSQL: {cluster.owner_url} (owner)")
    print(f"  stop with:  python deploy/cluster.py down --dir {base}")
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    """Stop the cluster started in the directory."""
    base = Path(args.dir)
    if not (base / STATE_FILE).exists():
        print(f"no cluster runs in {base}")
        return 1
    cluster = Cluster.load(base)
    _forget_others(cluster)
    cluster.down()
    print(f"CORE cluster in {base} stopped and removed")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``up`` or ``down``; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help=cmd_up.__doc__)
    up.set_defaults(run=cmd_up)
    up.add_argument("--nodes", type=int, default=3)
    up.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    down = commands.add_parser("down", help=cmd_down.__doc__)
    down.set_defaults(run=cmd_down)
    for command in (up, down):
        command.add_argument("--dir", default=str(DEFAULT_DIR))
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except Unavailable as error:
        print(f"cannot start a cluster here: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
