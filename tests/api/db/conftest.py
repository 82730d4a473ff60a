"""Tables declared for the table layer's own tests, created on each backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.db import (
    Boolean,
    Database,
    Date,
    Decimal,
    Enum,
    Integer,
    Json,
    Reference,
    Schema,
    Serial,
    Table,
    Text,
    Timestamp,
    Version,
    connect,
    utcnow,
)


class Stamped(Table):
    """An abstract base: columns every test table shares."""

    created_at = Timestamp(default=utcnow, doc="When the row was created.")
    updated_at = Timestamp(default=utcnow, auto_now=True)


class Customer(Stamped):
    """A customer of the tests."""

    __table__ = "customer"
    id = Serial()
    code = Text(12, unique=True, doc="A unique short code.")
    name = Text(80)
    tier = Enum(["standard", "premium"], default="standard")
    credit = Decimal(10, 2, default="0.00")
    active = Boolean(default=True)
    since = Date(null=True)
    rank = Integer(min_value=0, max_value=1000, default=0)
    notes = Text(500, multiline=True, null=True)
    settings = Json(null=True)
    version = Version()


class Order(Stamped):
    """An order placed by a customer."""

    __table__ = "purchase"
    __indexes__ = [("customer_id", "status")]
    __unique__ = [("customer_id", "reference")]
    id = Serial()
    customer_id = Reference(Customer)
    reference = Text(20)
    status = Enum(["new", "paid", "shipped"], default="new")
    amount = Decimal(12, 2)
    parent_id = Reference("purchase", null=True, on_delete="CASCADE")
    version = Version()


SCHEMA = Schema([Customer, Order])


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """An open database with the test tables created, on each backend."""
    database = connect(db_url)
    SCHEMA.create(database)
    yield database
    database.close()


def make_customer(db: Database, code: str = "C1", **values: object) -> Customer:
    """Insert a customer with sensible defaults."""
    values.setdefault("name", f"Customer {code}")
    return Customer.insert(db, code=code, **values)
