"""A PostgreSQL restart is survived: pools are refilled, nothing is half-written.

The tests run on a private PostgreSQL cluster that this module creates in a
temporary directory and starts on a free loopback port, so they may stop,
restart and cut connections without disturbing any other server. Where the
server binaries or the ``postgres`` user are missing, the tests are skipped,
unless ``CORE_REQUIRE_POSTGRES=1`` makes them fail.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import psycopg2
import pytest

from api.db import Database, OperationalError, connect
from deploy.cluster import (
    Postgres,
    Unavailable,
    find_pg_bindir,
    free_port,
    server_user_prefix,
)

from .conftest import SCHEMA, Customer, make_customer

T = TypeVar("T")

#: Connections in each test's pool; every test first makes all of them idle.
POOL_SIZE = 4
#: How the tests' connections name themselves in ``pg_stat_activity``.
APPLICATION = "core_reconnect_test"
#: Seconds any one server command or thread may take before the test fails.
TIMEOUT = 30


# -- the private cluster ------------------------------------------------------------


def unavailable(reason: str) -> NoReturn:
    """Skip for want of a server, or fail when ``CORE_REQUIRE_POSTGRES=1``."""
    if os.environ.get("CORE_REQUIRE_POSTGRES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


class Cluster(Postgres):
    """The deployment kit's private server, trusting the tests' TCP connections."""

    def initdb(self) -> None:
        """Create the cluster, trusting every connection of ``postgres``."""
        self._tool(
            "initdb",
            *("-D", str(self.data), "-A", "trust", "-U", "postgres"),
            *("-E", "UTF8", "--locale=C", "--no-sync"),
        )

    def trusted_url(self, dbname: str) -> str:
        """Return the URL of database ``dbname`` for :func:`api.db.connect`."""
        return (
            f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"
            f"?application_name={APPLICATION}"
        )

    def restart(self) -> None:
        """Stop the server the way an administrator would, then start it again."""
        self.stop()
        self.start()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement as the administrator, outside the pool under test."""
        conn = psycopg2.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            dbname="postgres",
            connect_timeout=5,
        )
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql, tuple(params))
                return cur.fetchall() if cur.description is not None else []
        finally:
            conn.close()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A private PostgreSQL server for this module, stopped and removed at the end."""
    bindir = find_pg_bindir()
    if bindir is None:
        unavailable("no PostgreSQL server binaries (initdb, pg_ctl) were found")
    try:
        prefix = server_user_prefix()
    except Unavailable as reason:
        unavailable(str(reason))

    # A directory every user can reach, so that root may hand it to postgres.
    base = Path(tempfile.mkdtemp(prefix="core-pg-", dir="/tmp" if prefix else None))
    server = Cluster(bindir, base, free_port(), prefix)
    try:
        if prefix:
            shutil.chown(base, "postgres")
        server.initdb()
        server.start()
        yield server
    finally:
        server.shut_down()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def db(cluster: Cluster) -> Iterator[Database]:
    """A database of its own on the private server, with a pool of four."""
    name = f"core_reconnect_{uuid.uuid4().hex[:8]}"
    cluster.execute(f'CREATE DATABASE "{name}"')
    database = connect(cluster.trusted_url(name), pool_size=POOL_SIZE, timeout=5)
    SCHEMA.create(database)
    yield database

    # A failed test may have left the server down.
    if not cluster.running():
        cluster.start()
    database.close()
    cluster.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


# -- helpers ------------------------------------------------------------------------


def in_new_thread(work: Callable[[], T]) -> T:
    """Run ``work`` in a thread of its own and return its result or raise its error."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(work).result(timeout=TIMEOUT)


def run_together(work: Callable[[threading.Barrier], T], count: int) -> list[T]:
    """Run ``work`` in ``count`` threads at once, each given a shared barrier.

    A thread that fails breaks the barrier so that the others stop waiting;
    the first failure that is not a broken barrier is raised.
    """
    barrier = threading.Barrier(count, timeout=TIMEOUT / 3)
    with ThreadPoolExecutor(max_workers=count) as executor:
        futures = [executor.submit(_guarded, work, barrier) for _ in range(count)]
    failures = [exc for exc in (f.exception() for f in futures) if exc is not None]

    failures.sort(key=lambda exc: isinstance(exc, threading.BrokenBarrierError))
    if failures:
        raise failures[0]
    return [future.result() for future in futures]


def _guarded(work: Callable[[threading.Barrier], T], barrier: threading.Barrier) -> T:
    try:
        return work(barrier)
    except BaseException:
        barrier.abort()
        raise


def backend_pid(db: Database) -> int:
    """Return the server process of the connection the statement runs on."""
    return int(db.execute("SELECT pg_backend_pid()").rows[0][0])


def idle_backends(cluster: Cluster, pids: set[int]) -> set[int]:
    """Return those of ``pids`` that the server lists as idle connections of ours."""
    rows = cluster.execute(
        "SELECT pid FROM pg_stat_activity"
        " WHERE pid = ANY(%s) AND state = 'idle' AND application_name = %s",
        (sorted(pids), APPLICATION),
    )
    return {int(row[0]) for row in rows}


def fill_pool(cluster: Cluster, db: Database) -> set[int]:
    """Hold every pooled connection at once, give them back, return their backends.

    Each of ``POOL_SIZE`` threads holds a transaction open until all of them
    hold one, so no two share a connection. A pool never holds more
    connections than its size, so afterwards every connection it has is one
    of these, and the server lists each as idle.
    """

    def hold(barrier: threading.Barrier) -> int:
        with db.transaction():
            pid = backend_pid(db)
            barrier.wait()
        return pid

    pids = set(run_together(hold, POOL_SIZE))
    assert len(pids) == POOL_SIZE
    assert idle_backends(cluster, pids) == pids
    return pids


def terminate(cluster: Cluster, pid: int) -> None:
    """End the server process ``pid`` as an administrator would, and wait for it."""
    cluster.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))


def make_customers(db: Database, count: int) -> list[str]:
    """Insert ``count`` customers and return their codes in order."""
    codes = [f"C{number}" for number in range(1, count + 1)]
    for code in codes:
        make_customer(db, code)
    return codes


def stored_codes(db: Database) -> list[str]:
    """Return the codes of every stored customer, sorted."""
    return [row.code for row in Customer.find(db, order_by=["code"])]


def assert_translated(error: OperationalError) -> None:
    """Check that the driver's exception is kept as the cause and only there."""
    assert not isinstance(error, psycopg2.Error)
    assert isinstance(error.__cause__, psycopg2.Error)


def read(db: Database) -> object:
    """A read outside a transaction."""
    return Customer.count(db)


def write(db: Database, code: str = "DOWN") -> object:
    """A write outside a transaction."""
    return make_customer(db, code)


def transact(db: Database, code: str = "DOWN") -> object:
    """A write inside a transaction of its own."""
    with db.transaction():
        return make_customer(db, code)


# -- a restart ----------------------------------------------------------------------


def test_read_works_on_the_first_call_after_a_restart(
    cluster: Cluster, db: Database
) -> None:
    codes = make_customers(db, 3)
    fill_pool(cluster, db)

    cluster.restart()

    assert Customer.count(db) == 3
    assert stored_codes(db) == codes


def test_transaction_works_on_the_first_use_after_a_restart(
    cluster: Cluster, db: Database
) -> None:
    codes = make_customers(db, 2)
    fill_pool(cluster, db)

    cluster.restart()

    with db.transaction():
        Customer.insert(db, code="AFTER", name="After the restart")
    assert stored_codes(db) == sorted([*codes, "AFTER"])


def test_every_pooled_connection_is_replaced_after_a_restart(
    cluster: Cluster, db: Database
) -> None:
    make_customers(db, 1)
    fill_pool(cluster, db)

    cluster.restart()

    # One after another, each from a thread of its own, as a server's
    # request threads would.
    for number in range(POOL_SIZE):
        assert in_new_thread(partial(Customer.count, db)) == 1 + number
        in_new_thread(partial(transact, db, f"T{number}"))

    # All connections held at once: each is a live one of the new server.
    fill_pool(cluster, db)
    assert Customer.count(db) == 1 + POOL_SIZE


# -- a server that is down ----------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        read,
        write,
        transact,
    ],
    ids=lambda call: call.__name__,
)
def test_call_while_the_server_is_down_raises_operational_error(
    cluster: Cluster, db: Database, call: Callable[[Database], object]
) -> None:
    fill_pool(cluster, db)
    cluster.stop()

    # First on the pooled connections the stop cut, then on new ones refused.
    try:
        for _ in range(POOL_SIZE + 1):
            with pytest.raises(OperationalError) as info:
                call(db)
            assert_translated(info.value)
    finally:
        cluster.start()


def test_calls_succeed_again_once_the_server_is_back(
    cluster: Cluster, db: Database
) -> None:
    codes = make_customers(db, 3)
    fill_pool(cluster, db)
    cluster.stop()
    try:
        with pytest.raises(OperationalError):
            Customer.count(db)
    finally:
        cluster.start()

    assert stored_codes(db) == codes
    with db.transaction():
        make_customer(db, "BACK")
    assert stored_codes(db) == sorted([*codes, "BACK"])


# -- a connection lost inside a transaction -----------------------------------------


def test_transaction_losing_its_connection_leaves_nothing_half_written(
    cluster: Cluster, db: Database
) -> None:
    fill_pool(cluster, db)

    with pytest.raises(OperationalError) as info, db.transaction():
        make_customer(db, "HALF")
        terminate(cluster, backend_pid(db))
        make_customer(db, "LOST")
    assert_translated(info.value)

    assert not Customer.exists(db, code="HALF")
    with db.transaction():
        make_customer(db, "NEXT")
    assert stored_codes(db) == ["NEXT"]


def test_lost_transaction_gives_its_pool_slot_back(
    cluster: Cluster, db: Database
) -> None:
    for number in range(POOL_SIZE):
        with pytest.raises(OperationalError), db.transaction():
            terminate(cluster, backend_pid(db))
            make_customer(db, f"L{number}")

    fill_pool(cluster, db)
    assert Customer.count(db) == 0
