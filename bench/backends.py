"""Where the data sets live: an SQLite file, or a PostgreSQL database of the run's own.

Without ``--reuse`` each run builds its data sets afresh and removes them at the
end: SQLite files in a temporary folder, and on PostgreSQL a database
``core_bench_<pid>`` with one schema per size, dropped at the end. With
``--reuse`` the files stay in the work folder and the database is
``core_bench_reuse``; a data set already built completely there is used again.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from api.db import Database, connect
from bench.dataset import BuildReport, Progress, Scale, build

logger = logging.getLogger(__name__)

DEFAULT_POSTGRES_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
REUSED_DATABASE = "core_bench_reuse"


@dataclass
class Target:
    """One built data set: how CORE and the PHP reference reach it."""

    backend: str
    scale: Scale
    url: str
    php: dict[str, str]
    reused: bool = False
    build: BuildReport = field(default_factory=BuildReport)

    def describe(self) -> dict[str, Any]:
        """Plain data for the JSON report."""
        return {
            "backend": self.backend,
            "tickets": self.scale.tickets,
            "accounts": self.scale.accounts,
            "reused": self.reused,
            "rows": self.build.rows,
            "build_seconds": round(self.build.total_seconds, 2),
            "build_steps": {k: round(v, 2) for k, v in self.build.seconds.items()},
        }


def postgres_dsn(given: str | None = None) -> str:
    """The DSN of the server whose databases the benchmark creates and drops."""
    return given or os.environ.get("CORE_BENCH_POSTGRES_DSN") or DEFAULT_POSTGRES_DSN


def with_database(dsn: str, name: str, query: str = "") -> str:
    """Return ``dsn`` pointing at database ``name``, with ``query`` if given."""
    parts = urlsplit(dsn)._replace(path="/" + name)
    if query:
        parts = parts._replace(query=query)
    return urlunsplit(parts)


class SQLiteBackend:
    """Data sets as SQLite files.

    :param workdir: where files go when they are kept (``--reuse``).
    :param reuse: keep files and use a complete one again.
    """

    name = "sqlite"

    def __init__(self, workdir: Path, reuse: bool) -> None:
        self.reuse = reuse
        self.folder = workdir if reuse else Path(tempfile.mkdtemp(prefix="core_bench_"))
        self.folder.mkdir(parents=True, exist_ok=True)

    def prepare(self, scale: Scale, progress: Progress) -> Target:
        """Return the data set of ``scale``, building it unless reused."""
        path = self.folder / f"core_bench_{scale.label()}.db"
        marker = path.with_suffix(".json")
        target = Target(self.name, scale, f"sqlite:///{path}", {"path": str(path)})
        if self.reuse and marker.exists() and path.exists():
            target.build = _report_from(json.loads(marker.read_text()))
            target.reused = True
            return target

        _remove_sqlite(path)
        db = connect(target.url)
        try:
            target.build = build(db, scale, progress)
        finally:
            db.close()
        marker.write_text(json.dumps(asdict(target.build)))
        return target

    def close(self) -> None:
        """Remove the files unless they are to be kept."""
        if not self.reuse:
            shutil.rmtree(self.folder, ignore_errors=True)

    def version(self) -> str:
        import sqlite3

        return sqlite3.sqlite_version


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _report_from(data: dict[str, Any]) -> BuildReport:
    return BuildReport(rows=dict(data["rows"]), seconds=dict(data["seconds"]))


class PostgresBackend:
    """Data sets as schemas of a PostgreSQL database the benchmark owns.

    :param admin_dsn: a server where the benchmark may create databases.
    :param reuse: keep the database and use a complete schema again.
    """

    name = "postgresql"

    def __init__(self, admin_dsn: str, reuse: bool) -> None:
        self.admin_dsn = admin_dsn
        self.reuse = reuse
        self.database = REUSED_DATABASE if reuse else f"core_bench_{os.getpid()}"
        self.created = False

    def open(self) -> None:
        """Create the benchmark's database (kept one: when it is missing)."""
        exists = self._admin(
            "SELECT 1 FROM pg_database WHERE datname = %s", (self.database,)
        )
        if not exists:
            self._admin(f'CREATE DATABASE "{self.database}"')
        self.created = True

    def prepare(self, scale: Scale, progress: Progress) -> Target:
        """Return the data set of ``scale``, building it unless reused."""
        schema = f"s_{scale.label()}"
        options = quote(f"-c search_path={schema}")
        base = with_database(self.admin_dsn, self.database)
        target = Target(
            self.name,
            scale,
            with_database(self.admin_dsn, self.database, f"options={options}"),
            self._php(schema),
        )
        db = connect(base)
        try:
            marker = self._marker(db, schema)
            if self.reuse and marker is not None:
                target.build = _report_from(marker)
                target.reused = True
                return target
            db.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            db.execute(f'CREATE SCHEMA "{schema}"')
        finally:
            db.close()
        target.build = self._build(target.url, scale, progress, schema)
        return target

    def _build(
        self, url: str, scale: Scale, progress: Progress, schema: str
    ) -> BuildReport:
        db = connect(url)
        try:
            report = build(db, scale, progress)
            text = json.dumps(asdict(report)).replace("'", "''")
            db.execute(f"COMMENT ON SCHEMA \"{schema}\" IS '{text}'")
        finally:
            db.close()
        return report

    def _marker(self, db: Database, schema: str) -> dict[str, Any] | None:
        rows = db.execute(
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace"
            " WHERE nspname = %s",
            (schema,),
        ).rows
        if not rows or not rows[0][0]:
            return None
        return dict(json.loads(rows[0][0]))

    def _php(self, schema: str) -> dict[str, str]:
        parts = urlsplit(self.admin_dsn)
        return {
            "dsn": f"pgsql:host={parts.hostname or '127.0.0.1'};"
            f"port={parts.port or 5432};dbname={self.database}",
            "user": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "schema": schema,
        }

    def close(self) -> None:
        """Drop the run's own database unless it is to be kept."""
        if self.created and not self.reuse:
            self._admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def version(self) -> str:
        rows = self._admin("SHOW server_version")
        return str(rows[0][0]) if rows else "unknown"

    def _admin(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg2

        conn = psycopg2.connect(self.admin_dsn, connect_timeout=5)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()


def postgres_answers(admin_dsn: str) -> str | None:
    """Return why PostgreSQL cannot be used, or ``None`` when it answers."""
    try:
        import psycopg2

        psycopg2.connect(admin_dsn, connect_timeout=5).close()
    except Exception as exc:  # noqa: BLE001 - any failure means "skip PostgreSQL"
        return str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
    return None
