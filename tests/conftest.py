"""Shared fixtures: a database URL on SQLite and on PostgreSQL for every test.

PostgreSQL comes from ``CORE_TEST_POSTGRES_DSN`` (by default the local server as
``postgres``). The run creates one database of its own and drops it at the end;
each test gets a fresh schema in it. Where no server answers, the PostgreSQL
variants are skipped, unless ``CORE_REQUIRE_POSTGRES=1`` makes them fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg2
import pytest

from tests.servers import Server, start_server, stop_server

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
BACKENDS = ("sqlite", "postgresql")


def postgres_admin_dsn() -> str:
    """The DSN of the PostgreSQL server the tests may create databases on."""
    return os.environ.get("CORE_TEST_POSTGRES_DSN", DEFAULT_DSN)


def with_database(dsn: str, name: str) -> str:
    """Return ``dsn`` pointing at database ``name`` instead."""
    return urlunsplit(urlsplit(dsn)._replace(path="/" + name))


def _admin_execute(sql: str) -> None:
    conn = psycopg2.connect(postgres_admin_dsn(), connect_timeout=5)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """Create this run's own PostgreSQL database and return its URL."""
    name = f"core_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        _admin_execute(f'CREATE DATABASE "{name}"')
    except psycopg2.OperationalError as exc:
        reason = f"PostgreSQL is not answering at {postgres_admin_dsn()!r}: {exc}"
        if os.environ.get("CORE_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason.splitlines()[0])
        pytest.skip(reason.splitlines()[0])
    yield with_database(postgres_admin_dsn(), name)
    _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A URL whose connections see a fresh, empty schema of their own."""
    base = request.getfixturevalue("postgres_database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    conn = psycopg2.connect(base)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE SCHEMA "{schema}"')
    options = quote(f"-c search_path={schema}")
    yield f"{base}?options={options}"
    with conn.cursor() as cur:
        cur.execute(f'DROP SCHEMA "{schema}" CASCADE')
    conn.close()


@pytest.fixture(params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A URL of an empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    path = tmp_path_factory.mktemp("sqlite") / "core.db"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A CORE server with demo data, once on SQLite and once on PostgreSQL.

    One pair serves the whole run: the service, client and documentation tests
    all call it, so each test makes its own data with unique names.
    """
    folder = tmp_path_factory.mktemp(f"server-{request.param}")
    if request.param == "postgresql":
        base = request.getfixturevalue("postgres_database")
        schema = f"srv_{uuid.uuid4().hex[:10]}"
        conn = psycopg2.connect(base)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE SCHEMA "{schema}"')
        conn.close()
        url = f"{base}?options=-c%20search_path%3D{schema}"
    else:
        url = f"sqlite:///{folder / 'core.db'}"
    running = start_server(url, folder / "server.log", "--demo")
    yield running
    stop_server(running)
