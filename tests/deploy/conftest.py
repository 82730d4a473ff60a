"""One real cluster for the deployment tests: PostgreSQL, three CORE nodes, nginx.

The cluster is :class:`deploy.cluster.Cluster`, the same that
``python deploy/cluster.py up`` starts, in a temporary directory under /tmp
(which the ``postgres`` user can reach). Where nginx or PostgreSQL's binaries
are missing the tests are skipped with the reason, unless
``CORE_REQUIRE_DEPLOY=1`` makes them fail.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

import psycopg2
import pytest

from deploy.cluster import Cluster, Unavailable
from tests.deploy.load import Stored

#: CORE nodes in the cluster, and gunicorn workers in each (the machine has 2 cores).
NODES = 3
WORKERS = 2


def unavailable(reason: str) -> NoReturn:
    """Skip for want of nginx or PostgreSQL, or fail with ``CORE_REQUIRE_DEPLOY=1``."""
    if os.environ.get("CORE_REQUIRE_DEPLOY") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """The running cluster, stopped and removed after the last deployment test."""
    base = Path(tempfile.mkdtemp(prefix="core-deploy-", dir="/tmp"))
    try:
        running = Cluster.create(base, nodes=NODES, workers=WORKERS)
    except Unavailable as error:
        shutil.rmtree(base, ignore_errors=True)
        unavailable(str(error))
    try:
        running.up()
    except Exception as error:
        raise RuntimeError(f"the cluster did not start; see {base}") from error
    yield running
    running.down()


@pytest.fixture
def healthy(cluster: Cluster) -> Iterator[Cluster]:
    """The cluster whole before the test, and made whole again after it."""
    restore(cluster)
    yield cluster
    restore(cluster)


def restore(cluster: Cluster) -> None:
    """Start PostgreSQL and every node that is down; put drained nodes back."""
    if not cluster.pg.running():
        cluster.pg.start()
    for node in cluster.nodes:
        if not node.running():
            cluster.start_node(node)
        if node.name in cluster.drained:
            cluster.undrain(node)


def query(
    cluster: Cluster, sql: str, params: Sequence[Any] = (), dbname: str | None = None
) -> list[tuple[Any, ...]]:
    """Run one statement as the superuser, over the server's socket."""
    conn = psycopg2.connect(
        host=str(cluster.pg.base),
        port=cluster.pg.port,
        user="postgres",
        dbname=dbname or cluster.dbname,
        connect_timeout=5,
    )
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql, tuple(params))
            return cur.fetchall() if cur.description is not None else []
    finally:
        conn.close()


def stored(cluster: Cluster, label: str) -> Stored:
    """What the database holds for the load named ``label``."""
    like = f"{label} %"
    rows = query(
        cluster,
        "SELECT name, number FROM account WHERE name LIKE %s"
        " UNION ALL SELECT subject, number FROM ticket WHERE subject LIKE %s",
        (like, like),
    )
    numbers: dict[str, list[str]] = {}
    for marker, number in rows:
        numbers.setdefault(marker, []).append(number)
    records: dict[str, list[str]] = {}
    for request_id, key in query(
        cluster,
        "SELECT request_id, entity_key FROM client_request WHERE request_id LIKE %s",
        (f"{label}-%",),
    ):
        records.setdefault(request_id, []).append(key)
    return Stored(numbers, records)
