"""PostgreSQL for CORE: the roles of setup.sh, backup and restore, ``core migrate``.

Each test works on the cluster's PostgreSQL server through the scripts in
``deploy/postgres`` and the real ``core`` command, as an operator would.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from psycopg2 import errors

from api.core import Core
from api.db import SchemaVersionError
from api.tables import SCHEMA, Account
from deploy.cluster import Cluster, run
from tests.deploy.conftest import query
from tests.deploy.next_schema import FILL

pytestmark = pytest.mark.slow

#: Statements the service role must not run: it changes rows, never the schema.
FORBIDDEN = {
    "create a table": "CREATE TABLE intruder (id integer)",
    "add a column": "ALTER TABLE account ADD COLUMN intruder integer",
    "create an index": "CREATE INDEX intruder ON account (name)",
    "drop a table": "DROP TABLE history",
    "truncate a table": "TRUNCATE history",
    "take a table over": "ALTER TABLE account OWNER TO CURRENT_USER",
}
TABLES = [table.__meta__.name for table in SCHEMA.tables] + ["core_schema_version"]


def connect_as(cluster: Cluster, role: str, dbname: str | None = None) -> Any:
    """A connection over TCP with the role's password, as CORE makes them."""
    conn = psycopg2.connect(cluster.role_url(role, dbname), connect_timeout=5)
    conn.autocommit = True
    return conn


def refused(conn: Any, sql: str) -> bool:
    """Tell whether PostgreSQL refuses ``sql`` for want of a privilege."""
    with conn.cursor() as cur:
        try:
            cur.execute(sql)
        except errors.InsufficientPrivilege:
            return True
    return False


def fingerprints(cluster: Cluster, dbname: str) -> dict[str, tuple[int, str]]:
    """Each table's row count and a hash of all its rows."""
    found = {}
    for table in TABLES:
        rows = query(
            cluster,
            f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text),"
            f" '')) FROM \"{table}\" t",
            dbname=dbname,
        )
        found[table] = (int(rows[0][0]), str(rows[0][1]))
    return found


@pytest.fixture
def scratch_database(healthy: Cluster) -> Iterator[str]:
    """A database of the cluster's made by setup.sh, dropped after the test."""
    name = f"core_{uuid.uuid4().hex[:8]}"
    healthy.setup_database(name)
    yield name
    query(healthy, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', dbname="postgres")


def add_data(url: str, accounts: int = 5) -> list[str]:
    """Create accounts with a ticket each through the business API, as admin."""
    core = Core.open(url)
    try:
        session = core.as_user("admin")
        numbers = []
        for n in range(accounts):
            account = session.accounts.create(name=f"Data {n}", sla_tier="premium")
            session.tickets.open(
                account_number=account.number, subject=f"Ticket {n}", description="."
            )
            numbers.append(account.number)
        return numbers
    finally:
        core.close()


# -- the roles ------------------------------------------------------------------------


def test_setup_gives_the_service_role_rows_and_never_the_schema(
    healthy: Cluster,
) -> None:
    # Running it again changes nothing and fails nowhere.
    healthy.setup_database(healthy.dbname)

    owners = query(
        healthy, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
    )
    assert owners == [(healthy.owner,)]

    conn = connect_as(healthy, "service")
    try:
        refusals = {what: refused(conn, sql) for what, sql in FORBIDDEN.items()}
        with conn.cursor() as cur:
            cur.execute("SHOW statement_timeout")
            timeout = cur.fetchone()[0]
            cur.execute("BEGIN")
            cur.execute("INSERT INTO counter (name, value, version) VALUES ('x', 1, 1)")
            cur.execute("UPDATE counter SET value = 2 WHERE name = 'x'")
            cur.execute("DELETE FROM counter WHERE name = 'x'")
            cur.execute("SELECT nextval(pg_get_serial_sequence('account', 'id'))")
            cur.execute("ROLLBACK")
    finally:
        conn.close()
    print(f"\n[roles] service role refused: {refusals}; statement_timeout {timeout}")
    assert all(refusals.values()), refusals
    assert timeout == "25s"


# -- backup and restore ---------------------------------------------------------------


def test_backup_restores_to_an_identical_working_database(
    healthy: Cluster, scratch_database: str, tmp_path: Path
) -> None:
    add_data(healthy.service_url)
    dump = tmp_path / "core.dump"
    print("\n[backup] " + healthy.script("backup.sh", str(dump)).strip())
    original = fingerprints(healthy, healthy.dbname)

    said = healthy.script("restore.sh", str(dump), dbname=scratch_database)
    print("[backup] " + said.strip())
    assert f"schema version {SCHEMA.version}" in said
    assert fingerprints(healthy, scratch_database) == original

    # CORE runs on the copy as the service role: grants and sequences came along.
    add_data(healthy.role_url("service", scratch_database), accounts=1)
    grown = fingerprints(healthy, scratch_database)["account"][0]
    assert grown == original["account"][0] + 1

    with pytest.raises(RuntimeError, match="set CORE_RESTORE_CLEAN=1"):
        healthy.script("restore.sh", str(dump), dbname=scratch_database)
    healthy.script(
        "restore.sh", str(dump), dbname=scratch_database, CORE_RESTORE_CLEAN="1"
    )
    restored = fingerprints(healthy, scratch_database)
    assert restored == original
    counts = {table: count for table, (count, _) in restored.items()}
    print(f"[backup] {dump.stat().st_size} bytes restored twice, rows {counts}")


# -- core migrate ---------------------------------------------------------------------


def rows(cluster: Cluster, dbname: str, table: str, columns: str = "*") -> list[Any]:
    """Every row of ``table``, in key order."""
    return query(cluster, f'SELECT {columns} FROM "{table}" ORDER BY 1', dbname=dbname)


def migrate_to_next_schema(cluster: Cluster, dbname: str) -> str:
    """Run ``core migrate`` with the next schema version, as the owner."""
    return run(
        [sys.executable, "-m", "tests.deploy.next_schema", "migrate"],
        cluster.core_env(cluster.role_url("owner", dbname)),
    ).strip()


def test_core_migrate_upgrades_the_previous_version_in_place(
    healthy: Cluster, scratch_database: str
) -> None:
    healthy.core("init", database_url=healthy.role_url("owner", scratch_database))
    accounts = add_data(healthy.role_url("service", scratch_database))
    old_columns = ", ".join(f'"{name}"' for name in Account.__meta__.columns)
    before = {table: rows(healthy, scratch_database, table) for table in TABLES}

    said = migrate_to_next_schema(healthy, scratch_database)
    print(f"\n[migrate] {said}")
    upgraded = SCHEMA.version + 1
    assert said == f"schema is at version {upgraded}; applied: [{upgraded}]"

    after = {table: rows(healthy, scratch_database, table) for table in TABLES}
    unchanged = [t for t in TABLES if t not in ("account", "core_schema_version")]
    assert {t: after[t] for t in unchanged} == {t: before[t] for t in unchanged}
    assert rows(healthy, scratch_database, "account", old_columns) == before["account"]
    assert after["core_schema_version"][:1] == before["core_schema_version"]
    versions = [row[0] for row in after["core_schema_version"]]
    assert versions == [SCHEMA.version, upgraded]
    notes = rows(healthy, scratch_database, "account", "number, note")
    assert notes == [(number, FILL) for number in accounts]

    # The service role reads and writes the new column without a new GRANT.
    conn = connect_as(healthy, "service", scratch_database)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "UPDATE account SET note = 'noted' WHERE number = %s", (accounts[0],)
            )
    finally:
        conn.close()

    assert migrate_to_next_schema(healthy, scratch_database).endswith(
        "applied: nothing"
    )
    # This code's own schema is now older than the database's: it refuses to
    # open it, which is why old nodes must not restart after a migration.
    with pytest.raises(SchemaVersionError, match="newer than this code"):
        Core.open(healthy.role_url("service", scratch_database)).close()
