"""The ``core`` command line, run as a real process."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest

from api.core import Core
from api.db import connect
from api.tables import SCHEMA
from service.server import CoreServer, ServeOptions

from .conftest import ROOT


def core(*args: str, db_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "--db", db_url, *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )


def test_init_prints_the_generated_password_once(db_url: str) -> None:
    first = core("init", db_url=db_url)
    assert first.returncode == 0, first.stderr
    password = first.stdout.split("(shown once): ")[1].strip()
    assert Core.open(db_url).authenticate("admin", password).user.role == "admin"
    second = core("init", db_url=db_url)
    assert "nothing to do" in second.stdout and "password" not in second.stdout


def test_schema_and_migrate(db_url: str) -> None:
    core("init", db_url=db_url, CORE_ADMIN_PASSWORD="admin password 1")
    schema = core("schema", db_url=db_url)
    assert 'CREATE TABLE "account"' in schema.stdout
    assert f"code schema version: {SCHEMA.version}" in schema.stdout
    migrated = core("migrate", db_url=db_url)
    assert migrated.returncode == 0 and "applied: nothing" in migrated.stdout


def test_user_add_and_passwd(db_url: str) -> None:
    core("init", db_url=db_url, CORE_ADMIN_PASSWORD="admin password 1")
    added = core(
        "user",
        "add",
        "dora",
        "--role",
        "agent",
        "--email",
        "dora@example.com",
        db_url=db_url,
        CORE_USER_PASSWORD="first password",
    )
    assert added.returncode == 0, added.stderr
    changed = core(
        "user", "passwd", "dora", db_url=db_url, CORE_USER_PASSWORD="second password"
    )
    assert changed.returncode == 0, changed.stderr
    Core.open(db_url).authenticate("dora", "second password")


def test_errors_are_one_line_without_traceback(db_url: str) -> None:
    result = core(
        "user",
        "add",
        "x",
        "--role",
        "agent",
        "--email",
        "x@example.com",
        db_url=db_url,
        CORE_USER_PASSWORD="pw",
    )
    assert result.returncode == 1
    assert "core init" in result.stderr and "Traceback" not in result.stderr


def test_an_old_database_is_refused_with_the_upgrade_command(db_url: str) -> None:
    core("init", db_url=db_url, CORE_ADMIN_PASSWORD="admin password 1")
    db = connect(db_url)
    db.execute("UPDATE core_schema_version SET version = 0")
    with pytest.raises(Exception, match="core migrate"):
        Core.open(db_url)


def test_a_worker_settles_its_heap_once_its_application_is_built(
    db_url: str,
) -> None:
    core("init", db_url=db_url, CORE_ADMIN_PASSWORD="admin password 1")
    worker = CoreServer(ServeOptions(database_url=db_url))
    gc.unfreeze()

    try:
        app = worker.load()
        frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()

    # What the worker built lives as long as it: no full collection walks it.
    assert app is not None
    assert frozen > 10_000
