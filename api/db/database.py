"""The database handle: statements, transactions and savepoints over a dialect.

A :class:`Database` hands each thread its own connection while a transaction
is open; a statement outside any transaction borrows a pooled connection and
commits on its own. Every driver exception leaves through
:meth:`Dialect.translate <api.db.dialects.Dialect.translate>`, so callers only
ever see CORE's error tree.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from api.db import errors
from api.db.dialects import Dialect, dialect_for, is_read

logger = logging.getLogger(__name__)


@dataclass
class Result:
    """What a statement returned: its rows and the count of rows it changed."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    rowcount: int = -1


@dataclass
class _Session:
    """The connection a thread holds while its transaction is open."""

    conn: Any
    depth: int = 0
    statements: int = 0


class Database:
    """A database reached through one dialect.

    :param dialect: the driver-specific part, usually from :func:`connect`.
    """

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._local = threading.local()
        self.statement_count = 0

    @property
    def name(self) -> str:
        """The dialect's name: ``sqlite`` or ``postgresql``."""
        return self.dialect.name

    @property
    def in_transaction(self) -> bool:
        """Whether the calling thread has a transaction open."""
        return self._session() is not None

    def ping(self) -> bool:
        """Tell whether the database answers a trivial query now."""
        try:
            self.execute("SELECT 1")
        except errors.Error:
            return False
        return True

    def close(self) -> None:
        """Close every pooled connection."""
        self.dialect.close()

    def __repr__(self) -> str:
        return f"<Database {self.dialect.describe()}>"

    # -- transactions ---------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """Run the block in a transaction: commit on success, roll back on error.

        A nested block runs in a savepoint, so its failure undoes only its own
        work when the outer block catches the error.
        """
        session = self._session()
        if session is None:
            with self._outer_transaction() as db:
                yield db
        else:
            with self._savepoint(session) as db:
                yield db

    @contextmanager
    def _outer_transaction(self) -> Iterator[Database]:
        session = self._begin()
        self._local.session = session
        try:
            yield self
        except BaseException:
            self._local.session = None
            self._finish(session, "ROLLBACK")
            raise
        self._local.session = None
        self._finish(session, "COMMIT")

    @contextmanager
    def _savepoint(self, session: _Session) -> Iterator[Database]:
        session.depth += 1
        name = f"core_sp_{session.depth}"
        self._run(session.conn, f"SAVEPOINT {name}", ())
        try:
            yield self
        except BaseException:
            self._run(session.conn, f"ROLLBACK TO SAVEPOINT {name}", ())
            self._run(session.conn, f"RELEASE SAVEPOINT {name}", ())
            raise
        finally:
            session.depth -= 1
        self._run(session.conn, f"RELEASE SAVEPOINT {name}", ())

    def _begin(self) -> _Session:
        conn = self.dialect.pool.acquire()
        if self._begin_on(conn):
            return _Session(conn)

        # The server dropped the pooled connection while it was idle: BEGIN
        # changed nothing, so begin again on a fresh connection.
        conn = self.dialect.pool.acquire()
        self._begin_on(conn, retry=False)
        return _Session(conn)

    def _begin_on(self, conn: Any, *, retry: bool = True) -> bool:
        """Send BEGIN; return False when the connection turned out to be dead."""
        try:
            self._run(conn, self.dialect.begin_statement, ())
        except errors.OperationalError:
            lost = self._last_was_disconnect
            self.dialect.pool.release(conn, discard=lost)
            if lost and retry:
                return False
            raise
        except BaseException:
            self.dialect.pool.release(conn)
            raise
        return True

    def _finish(self, session: _Session, statement: str) -> None:
        try:
            self._run(session.conn, statement, ())
        except errors.Error:
            self.dialect.pool.release(session.conn, discard=True)
            if statement == "COMMIT":
                raise
            logger.warning("rollback failed; the connection was discarded")
            return
        self.dialect.pool.release(session.conn)

    def _session(self) -> _Session | None:
        return getattr(self._local, "session", None)

    # -- statements -----------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        """Run one statement with bound parameters and return its result.

        Inside a transaction it runs on the transaction's connection; outside,
        on a pooled connection, committed on its own. A read that finds its
        pooled connection dropped by the server is retried once on a new one.
        """
        session = self._session()
        if session is not None:
            return self._run(session.conn, sql, params)
        return self._autocommit(sql, params)

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement once per row of parameters, in one transaction."""
        with self.transaction():
            session = self._session()
            assert session is not None
            self.statement_count += 1
            logger.debug("sql (x%d): %s", len(rows), sql)
            cur = session.conn.cursor()
            try:
                cur.executemany(sql, [tuple(row) for row in rows])
            except errors.Error:
                raise
            except Exception as exc:
                raise self.dialect.translate(exc) from exc
            finally:
                _close_cursor(cur)

    def _autocommit(self, sql: str, params: Sequence[Any]) -> Result:
        conn = self.dialect.pool.acquire()
        try:
            result = self._run(conn, sql, params)
        except errors.OperationalError:
            lost = self._last_was_disconnect
            self.dialect.pool.release(conn, discard=lost)
            if not (lost and is_read(sql)):
                raise
            return self._retry(sql, params)
        self.dialect.pool.release(conn)
        return result

    def _retry(self, sql: str, params: Sequence[Any]) -> Result:
        logger.info("database connection was lost; retrying a read on a new one")
        conn = self.dialect.pool.acquire()
        try:
            result = self._run(conn, sql, params)
        except BaseException:
            self.dialect.pool.release(conn, discard=self._last_was_disconnect)
            raise
        self.dialect.pool.release(conn)
        return result

    def _run(self, conn: Any, sql: str, params: Sequence[Any]) -> Result:
        self._local.disconnect = False
        self.statement_count += 1
        logger.debug("sql: %s %r", sql, params)
        cur = None
        try:
            cur = conn.cursor()
            self.dialect.run(conn, cur, sql, tuple(params))
            rows = cur.fetchall() if cur.description is not None else []
            return Result(rows, cur.rowcount)
        except errors.Error:
            raise
        except Exception as exc:
            self._local.disconnect = self.dialect.is_disconnect(exc, conn)
            if self._local.disconnect:
                self.dialect.pool.discard_idle()
            raise self.dialect.translate(exc) from exc
        finally:
            if cur is not None:
                _close_cursor(cur)

    @property
    def _last_was_disconnect(self) -> bool:
        return bool(getattr(self._local, "disconnect", False))


def _close_cursor(cur: Any) -> None:
    try:
        cur.close()
    except Exception:
        logger.debug("closing a cursor failed", exc_info=True)


def connect(url: str, **options: Any) -> Database:
    """Open the database at ``url`` (``sqlite:///core.db``, ``postgresql://...``).

    :param options: passed to the dialect: ``pool_size``, ``timeout``.
    """
    database = Database(dialect_for(url, **options))
    logger.info("using database %s", database.dialect.describe())
    return database
