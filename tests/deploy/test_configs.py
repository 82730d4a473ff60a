"""The configuration files agree with gunicorn, systemd, nginx and each other."""

from __future__ import annotations

import dataclasses
import inspect
import os
import re
import runpy
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from gunicorn import glogging
from gunicorn.config import Config

from service.app import Router, Settings
from service.server import ServeOptions
from tests.deploy.load import CALL_TIMEOUT

pytestmark = pytest.mark.slow

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
NGINX_CONF = (DEPLOY / "nginx" / "core.conf").read_text()
UNITS = ("core.service", "core-migrate.service")


def gunicorn_settings() -> dict[str, Any]:
    """The names ``gunicorn.conf.py`` sets that are values, not imports or helpers."""
    namespace = runpy.run_path(str(GUNICORN_CONF))
    return {
        name: value for name, value in namespace.items() if _is_setting(name, value)
    }


def _is_setting(name: str, value: object) -> bool:
    if name.startswith("_"):
        return False
    if name.endswith("_class"):
        return True
    helper = inspect.ismodule(value) or inspect.isfunction(value)
    helper = helper or inspect.isclass(value)
    # ``from __future__ import annotations`` leaves a feature object behind.
    return not helper and not isinstance(value, type(annotations))


def gunicorn_config() -> Config:
    """A gunicorn configuration with every setting of the file applied."""
    config = Config()
    for name, value in gunicorn_settings().items():
        config.set(name, value)
    return config


def nginx_seconds(directive: str) -> int:
    """The value in seconds of one nginx directive of ``core.conf``."""
    match = re.search(rf"^\s*{directive}\s+(\d+)s;", NGINX_CONF, re.M)
    assert match, f"core.conf has no {directive}"
    return int(match.group(1))


# -- gunicorn -------------------------------------------------------------------------


def test_gunicorn_conf_sets_nothing_gunicorn_does_not_know() -> None:
    unknown = set(gunicorn_settings()) - set(Config().settings)
    assert not unknown


def test_gunicorn_conf_runs_production_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CORE_WORKERS", raising=False)
    config = gunicorn_config()

    assert config.workers == 2 * len(os.sched_getaffinity(0)) + 1
    assert config.control_socket_disable is True
    assert config.max_requests > 0 and config.max_requests_jitter > 0
    assert config.graceful_timeout >= config.timeout
    assert config.worker_class_str == "sync"
    assert config.preload_app is False


def test_core_workers_overrides_the_worker_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CORE_WORKERS", "7")
    assert gunicorn_config().workers == 7


def access_line(environ: dict[str, Any], request_id: str) -> str:
    """The line gunicorn's access log writes for one request."""
    config = gunicorn_config()
    logger = config.logger_class(config)
    answer = SimpleNamespace(
        status="200 OK", headers=[("X-Request-Id", request_id)], sent=10
    )
    request_environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": environ["PATH_INFO"],
        "SERVER_PROTOCOL": "HTTP/1.1",
        **environ,
    }
    atoms = logger.atoms(answer, [], request_environ, timedelta(milliseconds=12.3))
    return str(config.access_log_format % glogging.SafeAtoms(atoms))


def core_line(
    environ: dict[str, Any], request_id: str, caplog: pytest.LogCaptureFixture
) -> str:
    """The line CORE's own request log writes for the same request."""
    router = Router(None, Settings(), None, b"")
    with caplog.at_level("INFO", logger="service.app"):
        router.log(environ, request_id, ["200 OK"], 0.0)
    return str(caplog.records[-1].getMessage())


@pytest.mark.parametrize(
    "environ",
    [
        {"PATH_INFO": "/soap", "core.user": "alice", "core.operation": "getAccount"},
        {"PATH_INFO": "/health"},
    ],
    ids=["soap", "health"],
)
def test_access_log_line_has_cores_request_line_format(
    environ: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    def shape(line: str) -> str:
        return re.sub(r"duration_ms=\d+\.\d", "duration_ms=<ms>", line)

    access = access_line(environ, "req-42")
    assert shape(access) == shape(core_line(environ, "req-42", caplog))
    assert access.endswith("duration_ms=12.3")


@pytest.mark.skipif(
    "config" not in {f.name for f in dataclasses.fields(ServeOptions)},
    reason="core serve has no --config yet (see the service/server.py change)",
)
def test_core_serve_takes_the_config_file() -> None:
    from service.server import CoreServer

    options = ServeOptions(
        database_url="sqlite:///unused.db", port=8123, config=str(GUNICORN_CONF)
    )
    config = CoreServer(options).cfg
    assert config.bind == ["127.0.0.1:8123"]
    assert config.control_socket_disable is True
    assert config.logger_class.__name__ == "CoreAccessLog"


# -- time and size limits agree -------------------------------------------------------


def test_time_limits_form_a_chain_from_database_to_client() -> None:
    setup = (DEPLOY / "postgres" / "setup.sh").read_text()
    default = re.search(r"STATEMENT_TIMEOUT:-(\d+)s", setup)
    assert default, "setup.sh has no default statement timeout"
    statement = int(default.group(1))
    worker = gunicorn_config().timeout
    proxy = nginx_seconds("proxy_read_timeout")

    assert statement < worker < proxy < CALL_TIMEOUT
    assert nginx_seconds("proxy_connect_timeout") < worker
    assert nginx_seconds("proxy_next_upstream_timeout") < proxy


def test_nginx_body_limit_is_cores() -> None:
    match = re.search(r"^\s*client_max_body_size\s+(\d+)m;", NGINX_CONF, re.M)
    assert match and int(match.group(1)) * 1024 * 1024 == Settings().max_body
    assert f"exceeds the limit of {Settings().max_body} bytes" in NGINX_CONF


def test_nginx_retries_only_connection_failures() -> None:
    retries = re.search(r"^\s*proxy_next_upstream\s+([^;]+);", NGINX_CONF, re.M)
    assert retries and retries.group(1).split() == ["error", "timeout"]
    assert "non_idempotent" not in retries.group(1)
    assert re.search(r"server \S+ max_fails=\d+ fail_timeout=\d+s;", NGINX_CONF)


# -- systemd --------------------------------------------------------------------------


def unit(name: str) -> str:
    return (DEPLOY / "systemd" / name).read_text()


def directives(name: str) -> dict[str, list[str]]:
    """Each directive of a unit file and its values, in order."""
    found: dict[str, list[str]] = {}
    for line in unit(name).splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def test_systemd_units_pass_systemd_analyze(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    for name in UNITS:
        text = unit(name).replace("/opt/core/venv/bin/core", "/bin/true")
        (tmp_path / name).write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", *(f"./{name}" for name in UNITS)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr.strip()) == (0, "")


def test_service_unit_is_sandboxed_and_stops_after_gunicorn() -> None:
    service = directives("core.service")
    for key, value in {
        "User": "core",
        "ProtectSystem": "strict",
        "PrivateTmp": "yes",
        "NoNewPrivileges": "yes",
        "ProtectHome": "yes",
        "CapabilityBoundingSet": "",
        "SystemCallFilter": "@system-service",
    }.items():
        assert service[key] == [value], key
    assert "ReadWritePaths" not in service
    stop = int(service["TimeoutStopSec"][0])
    assert stop > gunicorn_config().graceful_timeout
    assert "--config /opt/core/deploy/gunicorn.conf.py" in service["ExecStart"][0]


def test_migration_runs_once_before_the_service_as_the_owner() -> None:
    migrate = directives("core-migrate.service")
    assert migrate["Type"] == ["oneshot"]
    assert migrate["ExecStart"][0].endswith("core migrate")
    assert migrate["Before"] == ["core.service"]
    assert migrate["EnvironmentFile"][-1] == "/etc/core/migrate.env"
    assert "core-migrate.service" in directives("core.service")["After"][0]
