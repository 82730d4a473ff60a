"""PostgreSQL reads are prepared on the server once per connection and text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.db import Database, connect
from api.db.dialects import PostgresDialect, _numbered

from .conftest import SCHEMA, Customer, make_customer


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Database]:
    """A PostgreSQL database of one pooled connection, so every call shares it."""
    database = connect(postgres_url, pool_size=1)
    SCHEMA.create(database)
    yield database
    database.close()


def prepared(db: Database) -> dict[str, str]:
    """The statements prepared on the pooled connection: text by name."""
    rows = db.execute("SELECT name, statement FROM pg_prepared_statements").rows
    return {name: text for name, text in rows}


def test_a_read_is_prepared_once_then_executed(pg: Database) -> None:
    make_customer(pg, "C1")
    make_customer(pg, "C2")

    first = Customer.find(pg, code="C1")
    second = Customer.find(pg, code="C2")

    assert [c.code for c in first + second] == ["C1", "C2"]
    found = [t for t in prepared(pg).values() if 'FROM "customer"' in t]
    assert len(found) == 1
    assert "$1" in found[0] and "%s" not in found[0]


def test_nothing_is_prepared_inside_a_transaction(pg: Database) -> None:
    with pg.transaction():
        make_customer(pg, "C1")
        assert Customer.count(pg, code="C1") == 1

    assert not [t for t in prepared(pg).values() if "COUNT(*)" in t]
    assert Customer.count(pg, code="C1") == 1
    assert [t for t in prepared(pg).values() if "COUNT(*)" in t]


def test_a_statement_dropped_by_the_server_is_prepared_again(pg: Database) -> None:
    make_customer(pg, "C1")
    assert Customer.count(pg, code="C1") == 1

    pg.execute("DEALLOCATE ALL")

    assert Customer.count(pg, code="C1") == 1
    assert [t for t in prepared(pg).values() if "COUNT(*)" in t]


def test_a_statement_the_server_cannot_prepare_runs_as_it_is(pg: Database) -> None:
    # Two parameters of unknown type: PostgreSQL cannot choose the operator.
    assert pg.execute("SELECT %s + %s", (1, 2)).rows == [(3,)]
    assert pg.execute("SELECT %s + %s", (3, 4)).rows == [(7,)]

    assert not [t for t in prepared(pg).values() if "+" in t]


def test_each_connection_prepares_at_most_its_limit(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialect = pg.dialect
    assert isinstance(dialect, PostgresDialect)
    monkeypatch.setattr(dialect.prepared, "limit", 2)

    for number in range(4):
        pg.execute(f"SELECT {number} + %s", (1,))

    assert len(prepared(pg)) == 2


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "SELECT a FROM t WHERE b = %s OR c = %s",
            "SELECT a FROM t WHERE b = $1 OR c = $2",
        ),
        ("SELECT '100%%' WHERE x LIKE %s", "SELECT '100%' WHERE x LIKE $1"),
        ("SELECT 1", "SELECT 1"),
    ],
)
def test_placeholders_are_numbered(sql: str, expected: str) -> None:
    assert _numbered(sql) == expected
