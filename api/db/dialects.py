"""One dialect class per DB-API driver: connecting, pooling, quoting, errors.

Everything that differs between SQLite and PostgreSQL lives here, as class
attributes and small methods, so nothing above this module imports a driver.
A dialect is chosen by a URL: ``sqlite:///path/core.db`` or
``postgresql://user@host:port/dbname``.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from api.db import errors

logger = logging.getLogger(__name__)

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def check_identifier(name: str) -> str:
    """Return ``name`` if it is a plain SQL identifier, else raise."""
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
        raise errors.ProgrammingError(f"not a valid SQL identifier: {name!r}")
    return name


def redact_url(url: str) -> str:
    """Return ``url`` with any password replaced, fit for a log line."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


class Pool:
    """A small thread-safe pool of driver connections.

    :param connect: makes a new connection.
    :param size: the most connections open at once; callers wait for a free one.
    :param timeout: seconds a caller waits for a free connection.
    """

    def __init__(self, connect: Callable[[], Any], size: int, timeout: float) -> None:
        self._connect = connect
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(size)
        self._timeout = timeout

    def acquire(self) -> Any:
        """Take an idle connection, or open one while the pool is below its size."""
        if not self._slots.acquire(timeout=self._timeout):
            raise errors.OperationalError("no database connection free in time")
        with self._lock:
            if self._idle:
                return self._idle.pop()
        try:
            return self._connect()
        except BaseException:
            self._slots.release()
            raise

    def release(self, conn: Any, *, discard: bool = False) -> None:
        """Give a connection back; a discarded one is closed instead of reused."""
        if discard:
            _close_quietly(conn)
        else:
            with self._lock:
                self._idle.append(conn)
        self._slots.release()

    def discard_idle(self) -> None:
        """Close every idle connection: after one was found dead, so are they."""
        self.close()

    def close(self) -> None:
        """Close every idle connection."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            _close_quietly(conn)


def _close_quietly(conn: Any) -> None:
    try:
        conn.close()
    except Exception:
        logger.debug("closing a broken connection failed", exc_info=True)


class Dialect:
    """What one driver needs: how to connect, quote, bind and read errors."""

    #: The short name used in URLs and by column types.
    name = ""
    #: The driver's placeholder for one bound parameter.
    placeholder = "?"
    #: The statement that opens a read-write transaction.
    begin_statement = "BEGIN"

    def __init__(self, url: str, *, pool_size: int = 8, timeout: float = 30.0) -> None:
        self.url = url
        self.timeout = timeout
        self.pool = Pool(self.connect, pool_size, timeout)

    def connect(self) -> Any:
        """Open a new driver connection in autocommit mode."""
        raise NotImplementedError

    def quote(self, name: str) -> str:
        """Quote a declared identifier after checking it."""
        return '"' + check_identifier(name) + '"'

    def contains(self, expression: str) -> str:
        """Return a case-insensitive ``LIKE`` test of ``expression`` for one value."""
        raise NotImplementedError

    def translate(self, exc: Exception) -> errors.Error:
        """Turn a driver exception into CORE's error, keeping it as the cause."""
        raise NotImplementedError

    def is_disconnect(self, exc: Exception, conn: Any) -> bool:
        """Tell whether ``exc`` means the connection is gone for good."""
        return False

    def run(self, conn: Any, cursor: Any, sql: str, params: tuple[Any, ...]) -> None:
        """Run one statement on ``cursor``, a cursor of ``conn``."""
        cursor.execute(sql, params)

    def close(self) -> None:
        """Close the dialect's pooled connections."""
        self.pool.close()

    def describe(self) -> str:
        """Return the database's address without any password, for logs."""
        return redact_url(self.url)


class SQLiteDialect(Dialect):
    """SQLite through the standard library's ``sqlite3``, in WAL mode.

    Several processes may share the file: writers wait up to the busy timeout
    for each other, and a transaction takes the write lock when it begins so
    that two writers never deadlock upgrading a read lock.
    """

    name = "sqlite"
    placeholder = "?"
    begin_statement = "BEGIN IMMEDIATE"

    def __init__(self, url: str, **options: Any) -> None:
        super().__init__(url, **options)
        path = url.split("://", 1)[1][1:] if "://" in url else url
        if not path or path == ":memory:":
            raise errors.InterfaceError("an SQLite database needs a file path")
        self.path = path

    def connect(self) -> Any:
        import sqlite3

        conn = sqlite3.connect(
            self.path,
            timeout=self.timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        conn.create_function("core_fold", 1, _fold, deterministic=True)
        for pragma in (
            "journal_mode = WAL",
            "synchronous = NORMAL",
            "foreign_keys = ON",
            f"busy_timeout = {int(self.timeout * 1000)}",
        ):
            conn.execute(f"PRAGMA {pragma}")
        return conn

    def contains(self, expression: str) -> str:
        return f"core_fold({expression}) LIKE core_fold(?) ESCAPE '\\'"

    def translate(self, exc: Exception) -> errors.Error:
        import sqlite3

        kind = getattr(exc, "sqlite_errorname", "")
        message = str(exc)
        if isinstance(exc, sqlite3.IntegrityError):
            return _integrity_error(kind, message)
        if isinstance(exc, sqlite3.OperationalError):
            return errors.OperationalError(message)
        if isinstance(exc, sqlite3.ProgrammingError):
            return errors.ProgrammingError(message)
        if isinstance(exc, sqlite3.DataError):
            return errors.DataError(message)
        return errors.DatabaseError(message)


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _integrity_error(kind: str, message: str) -> errors.IntegrityError:
    if kind in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"):
        constraint = message.rsplit(":", 1)[-1].strip()
        return errors.UniqueViolation(message, constraint=constraint)
    if kind == "SQLITE_CONSTRAINT_FOREIGNKEY" or "FOREIGN KEY" in message:
        # ON DELETE RESTRICT reports itself as a trigger constraint.
        return errors.ForeignKeyViolation(message)
    return errors.CheckViolation(message)


#: SQLSTATE classes of PostgreSQL that mean the connection or server is gone.
_PG_DISCONNECT_STATES = ("08", "57P")


class PostgresDialect(Dialect):
    """PostgreSQL through ``psycopg2``, with a thread-safe pool.

    A connection that the server dropped (a restart, a failover) is discarded
    when it fails, and the next use opens a fresh one.

    Reads are prepared on the server, once per connection and statement text
    (see :class:`Prepared`): a ticket joined to four tables takes the planner
    longer than the executor, and psycopg2 has it planned afresh every time.
    """

    name = "postgresql"
    placeholder = "%s"

    def __init__(self, url: str, **options: Any) -> None:
        super().__init__(url, **options)
        self.prepared = Prepared()

    def run(self, conn: Any, cursor: Any, sql: str, params: tuple[Any, ...]) -> None:
        self.prepared.run(conn, cursor, sql, params)

    def connect(self) -> Any:
        import psycopg2

        try:
            conn = psycopg2.connect(self.url, connect_timeout=max(1, int(self.timeout)))
        except psycopg2.Error as exc:
            raise errors.OperationalError(
                f"cannot connect to {self.describe()}: {_first_line(exc)}"
            ) from exc
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SET TIME ZONE 'UTC'")
        return conn

    def contains(self, expression: str) -> str:
        return f"{expression} ILIKE %s ESCAPE '\\'"

    def translate(self, exc: Exception) -> errors.Error:
        import psycopg2

        state = getattr(exc, "pgcode", None) or ""
        message = _first_line(exc)
        constraint = getattr(getattr(exc, "diag", None), "constraint_name", None)
        if state == "23505":
            return errors.UniqueViolation(message, constraint=constraint)
        if state == "23503":
            return errors.ForeignKeyViolation(message, constraint=constraint)
        if state.startswith("23"):
            return errors.CheckViolation(message, constraint=constraint)
        if state.startswith("22"):
            return errors.DataError(message)
        if isinstance(exc, (psycopg2.OperationalError, psycopg2.InterfaceError)):
            return errors.OperationalError(message)
        if state.startswith("40"):
            return errors.OperationalError(message)
        if isinstance(exc, psycopg2.ProgrammingError):
            return errors.ProgrammingError(message)
        return errors.DatabaseError(message)

    def is_disconnect(self, exc: Exception, conn: Any) -> bool:
        import psycopg2

        if getattr(conn, "closed", 0):
            return True
        state = getattr(exc, "pgcode", None) or ""
        if state.startswith(_PG_DISCONNECT_STATES):
            return True
        return isinstance(exc, psycopg2.InterfaceError)


#: SQLSTATEs after which a prepared statement is prepared again: it does not
#: exist (a ``DISCARD``, a pooler's new session) or its result type changed.
_PREPARE_AGAIN = ("26000", "0A000")


class Prepared:
    """Server-side prepared statements of PostgreSQL connections.

    A ``SELECT`` is prepared (``PREPARE core_N AS ...``) the first time a
    connection runs it outside a transaction, and from then on that
    connection runs it with ``EXECUTE core_N(...)``, so the server plans it
    again only when it sees fit. Statements are never prepared inside a
    transaction, where a failed ``PREPARE`` would abort it; a statement the
    server cannot prepare (a parameter of no inferable type) is run as it is
    from then on. Each connection prepares at most :attr:`limit` statements.
    Names come from a counter, so no text of a statement ever names another.
    """

    limit = 256

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self._refused: set[str] = set()
        self._done: weakref.WeakKeyDictionary[Any, set[str]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def run(self, conn: Any, cursor: Any, sql: str, params: tuple[Any, ...]) -> None:
        """Run ``sql`` with ``params``, prepared where it may be."""
        name = self._names.get(sql)
        done = self._done.get(conn)
        if name is None or done is None or name not in done:
            may = self._may_prepare(conn, sql, done)
            name = self._prepare(conn, cursor, sql) if may else None
        if name is None:
            cursor.execute(sql, params)
        else:
            self._execute(conn, cursor, sql, name, params)

    def _may_prepare(self, conn: Any, sql: str, done: set[str] | None) -> bool:
        if sql in self._refused or not is_read(sql):
            return False
        if done is not None and len(done) >= self.limit:
            return False
        return bool(conn.info.transaction_status == _IDLE)

    def _prepare(self, conn: Any, cursor: Any, sql: str) -> str | None:
        import psycopg2

        with self._lock:
            name = self._names.setdefault(sql, f"core_{len(self._names) + 1}")
        try:
            cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
        except psycopg2.ProgrammingError as exc:
            logger.debug("not prepared (%s): %s", _first_line(exc), sql)
            self._refused.add(sql)
            return None
        self._done.setdefault(conn, set()).add(name)
        return name

    def _execute(
        self, conn: Any, cursor: Any, sql: str, name: str, params: tuple[Any, ...]
    ) -> None:
        import psycopg2

        statement = f"EXECUTE {name}({', '.join(['%s'] * len(params))})"
        if not params:
            statement = f"EXECUTE {name}"
        try:
            cursor.execute(statement, params)
        except psycopg2.Error as exc:
            state = _state(exc)
            if state not in _PREPARE_AGAIN or conn.info.transaction_status != _IDLE:
                raise
            self._done.get(conn, set()).discard(name)
            if state != "26000":
                cursor.execute(f"DEALLOCATE {name}")
            if self._prepare(conn, cursor, sql) is None:
                cursor.execute(sql, params)
            else:
                cursor.execute(statement, params)


#: psycopg2's status of a connection outside any transaction.
_IDLE = 0
_PLACEHOLDER = re.compile(r"%[s%]")


def _numbered(sql: str) -> str:
    """``sql`` with psycopg2's ``%s`` as PostgreSQL's ``$1``, ``$2``... and
    ``%%`` as ``%``, as ``PREPARE`` wants it."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)


def is_read(sql: str) -> bool:
    """Tell whether ``sql`` is a ``SELECT``."""
    return sql.lstrip()[:6].upper() == "SELECT"


def _state(exc: Exception) -> str:
    return getattr(exc, "pgcode", None) or ""


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


DIALECTS: dict[str, type[Dialect]] = {
    "sqlite": SQLiteDialect,
    "postgresql": PostgresDialect,
    "postgres": PostgresDialect,
}


def dialect_for(url: str, **options: Any) -> Dialect:
    """Return the dialect that serves ``url``, chosen by its scheme."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    try:
        cls = DIALECTS[scheme]
    except KeyError:
        known = ", ".join(sorted(DIALECTS))
        raise errors.InterfaceError(
            f"unknown database URL scheme {scheme!r} (known: {known})"
        ) from None
    return cls(url, **options)
