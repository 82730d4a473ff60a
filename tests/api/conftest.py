"""Fixtures of the business API: an opened CORE and sessions for every role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from api.accounts import AccountRecord
from api.core import Core, Session
from api.db import connect
from api.setup import create_user, initialize
from api.tables import Account

PASSWORD = "correct horse battery"


class Clock:
    """A clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def core(db_url: str, clock: Clock) -> Iterator[Core]:
    """CORE on a new database (SQLite and PostgreSQL), with one user per role."""
    db = connect(db_url)
    initialize(db, PASSWORD)
    create_user(db, "agent", "Alice Agent", "alice@example.com", "agent", PASSWORD)
    create_user(db, "agent2", "Bob Agent", "bob@example.com", "agent", PASSWORD)
    create_user(db, "reader", "Rita Reader", "rita@example.com", "readonly", PASSWORD)
    opened = Core(db, clock)
    yield opened
    opened.close()


@pytest.fixture
def admin(core: Core) -> Session:
    return core.as_user("admin")


@pytest.fixture
def agent(core: Core) -> Session:
    return core.as_user("agent")


@pytest.fixture
def reader(core: Core) -> Session:
    return core.as_user("reader")


def active_account(
    agent: Session, name: str = "Acme Hosting GmbH", **options: object
) -> AccountRecord:
    """Create an account with a complete primary contact and activate it."""
    account = agent.accounts.create(name=name, **options)  # type: ignore[arg-type]
    agent.contacts.add(
        account.number,
        name="Petra Primary",
        role="primary",
        email="petra@acme.example",
        phone="+49 30 901820",
        country="DE",
        city="Berlin",
        postal_code="10117",
    )
    return agent.accounts.activate(account.number)


def customer_of(core: Core, account_number: str, username: str = "cust") -> Session:
    """Create a customer user bound to the account and return its session."""
    account = Account.first(core.db, number=account_number)
    assert account is not None
    create_user(
        core.db,
        username,
        "Carl Customer",
        "carl@example.com",
        "customer",
        PASSWORD,
        account.id,
    )
    return core.as_user(username)


@pytest.fixture
def account(agent: Session) -> AccountRecord:
    """An active account with a complete primary contact."""
    return active_account(agent)
