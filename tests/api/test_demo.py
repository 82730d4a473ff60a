"""The demo data set: varied, rule-abiding, and only for an empty database."""

from __future__ import annotations

import pytest

from api import demo
from api.core import Core
from api.errors import RuleViolation
from api.tables import (
    ACCOUNT_STATUSES,
    SERVER_STATUSES,
    TICKET_STATUSES,
    Account,
    Comment,
    Server,
    Ticket,
)


def test_demo_data_covers_every_state(core: Core) -> None:
    result = demo.load(core, "demo password", accounts=12)
    assert result.accounts == 12 and Account.count(core.db) == 12
    assert Server.count(core.db) == result.servers > 0
    assert Ticket.count(core.db) == result.tickets > 0
    accounts = {a.status for a in Account.find(core.db)}
    assert accounts == set(ACCOUNT_STATUSES) - {"closed"}
    assert {s.status for s in Server.find(core.db)} == set(SERVER_STATUSES)
    assert {t.status for t in Ticket.find(core.db)} == set(TICKET_STATUSES)
    assert Comment.count(core.db, public=False) > 0
    names = [a.name for a in Account.find(core.db)]
    assert any(not name.isascii() for name in names)


def test_demo_users_can_sign_in(core: Core) -> None:
    demo.load(core, "demo password", accounts=2)
    for username in ("alice", "bob", "rita", "carl"):
        assert core.authenticate(username, "demo password").user.username == username
    carl = core.as_user("carl")
    assert len(carl.accounts.search().items) == 1


def test_demo_refuses_a_database_with_accounts(core: Core) -> None:
    demo.load(core, "demo password", accounts=1)
    with pytest.raises(RuleViolation):
        demo.load(core, "demo password", accounts=1)
