"""Accounts: creation, life cycle, rules, permissions, idempotency, history."""

from __future__ import annotations

import threading

import pytest

from api.core import Core, Session
from api.db import ConflictError, ValidationError
from api.errors import Forbidden, Invalid, NotFound, RuleViolation
from api.tables import Server, Ticket

from .conftest import active_account, customer_of


def test_create_gives_a_prospect_with_a_number(agent: Session) -> None:
    first = agent.accounts.create(name="Acme Hosting GmbH", sla_tier="premium")
    second = agent.accounts.create(name="Globex", manager="agent")
    assert first.number == "A-100001" and second.number == "A-100002"
    assert first.status == "prospect" and first.version == 1
    assert first.sla_tier == "premium" and second.manager == "agent"


def test_create_refuses_bad_values(agent: Session) -> None:
    with pytest.raises(ValidationError) as info:
        agent.accounts.create(name="Acme", sla_tier="gold")
    assert info.value.column == "sla_tier"
    with pytest.raises(ValidationError):
        agent.accounts.create(name="x" * 121)
    assert agent.accounts.search().items == []


def test_manager_must_be_an_active_agent(agent: Session, reader: Session) -> None:
    with pytest.raises(RuleViolation) as info:
        agent.accounts.create(name="Acme", manager="reader")
    assert info.value.code == "rule:manager_not_agent"
    with pytest.raises(RuleViolation):
        agent.accounts.create(name="Acme", manager="nobody")


def test_get_update_and_stale_version(agent: Session) -> None:
    created = agent.accounts.create(name="Acme")
    changed = agent.accounts.update(
        created.number, {"name": "Acme Two", "manager": "agent2"}, expected_version=1
    )
    assert (changed.name, changed.manager, changed.version) == ("Acme Two", "agent2", 2)
    with pytest.raises(ConflictError):
        agent.accounts.update(created.number, {"name": "Lost"}, expected_version=1)
    assert agent.accounts.get(created.number).name == "Acme Two"


def test_status_cannot_be_updated_directly(agent: Session) -> None:
    created = agent.accounts.create(name="Acme")
    with pytest.raises(Invalid) as info:
        agent.accounts.update(created.number, {"status": "active"}, expected_version=1)
    assert info.value.field == "status" and info.value.code == "validation"


def test_unknown_account(agent: Session) -> None:
    for number in ("A-999999", "", "'; DROP TABLE account; --"):
        with pytest.raises(NotFound):
            agent.accounts.get(number)


class TestLifeCycle:
    def test_activation_needs_a_complete_primary_contact(self, agent: Session) -> None:
        created = agent.accounts.create(name="Acme")
        with pytest.raises(RuleViolation) as info:
            agent.accounts.activate(created.number)
        assert info.value.code == "rule:primary_contact_required"
        agent.contacts.add(
            created.number,
            name="No Phone",
            role="primary",
            country="DE",
            email="np@example.com",
        )
        with pytest.raises(RuleViolation):
            agent.accounts.activate(created.number)
        assert agent.accounts.get(created.number).status == "prospect"

    def test_activate_suspend_reactivate_close(self, agent: Session) -> None:
        account = active_account(agent)
        assert account.status == "active"
        assert agent.accounts.suspend(account.number).status == "suspended"
        assert agent.accounts.reactivate(account.number).status == "active"
        closed = agent.accounts.close(account.number)
        assert closed.status == "closed"

    @pytest.mark.parametrize(
        ("action", "status"),
        [("activate", "active"), ("reactivate", "active"), ("suspend", "active")],
    )
    def test_invalid_transitions(
        self, agent: Session, action: str, status: str
    ) -> None:
        account = active_account(agent)
        if action == "suspend":
            agent.accounts.suspend(account.number)
        with pytest.raises(RuleViolation) as info:
            getattr(agent.accounts, action)(account.number)
        assert info.value.code == "rule:invalid_transition"

    def test_closed_is_final(self, agent: Session) -> None:
        account = active_account(agent)
        agent.accounts.close(account.number)
        for action in ("activate", "suspend", "reactivate", "close"):
            with pytest.raises(RuleViolation):
                getattr(agent.accounts, action)(account.number)

    def test_close_needs_servers_decommissioned_and_tickets_closed(
        self, core: Core, agent: Session
    ) -> None:
        account = active_account(agent)
        row = agent.accounts.load(account.number)
        server = Server.insert(
            core.db,
            number="S-1",
            account_id=row.id,
            data_centre="fra1",
            hardware_profile="vm-small",
            operating_system="Debian 12",
            monthly_price="9.99",
            status="online",
        )
        with pytest.raises(RuleViolation) as info:
            agent.accounts.close(account.number)
        assert info.value.code == "rule:account_has_servers"

        Server.update(core.db, server.id, {"status": "decommissioned"})
        ticket = Ticket.insert(
            core.db,
            number="T-1",
            account_id=row.id,
            subject="s",
            description="d",
            opened_by_id=agent.user.id,
            response_due_at=core.clock(),
            status="solved",
        )
        with pytest.raises(RuleViolation) as info:
            agent.accounts.close(account.number)
        assert info.value.code == "rule:account_has_open_tickets"

        Ticket.update(core.db, ticket.id, {"status": "closed"})
        assert agent.accounts.close(account.number).status == "closed"

    def test_lifecycle_honours_expected_version(self, agent: Session) -> None:
        account = active_account(agent)
        with pytest.raises(ConflictError):
            agent.accounts.suspend(account.number, expected_version=account.version - 1)
        assert agent.accounts.get(account.number).status == "active"
        agent.accounts.suspend(account.number, expected_version=account.version)


class TestPermissions:
    def test_readonly_reads_but_cannot_write(
        self, agent: Session, reader: Session
    ) -> None:
        account = active_account(agent)
        assert reader.accounts.get(account.number).number == account.number
        with pytest.raises(Forbidden):
            reader.accounts.create(name="Nope")
        with pytest.raises(Forbidden):
            reader.accounts.suspend(account.number)
        with pytest.raises(Forbidden):
            reader.accounts.update(account.number, {"name": "x"}, expected_version=2)

    def test_customer_sees_only_its_account(self, core: Core, agent: Session) -> None:
        own = active_account(agent, "Own Ltd")
        other = active_account(agent, "Other Ltd")
        customer = customer_of(core, own.number)
        assert customer.accounts.get(own.number).name == "Own Ltd"
        with pytest.raises(NotFound) as info:
            customer.accounts.get(other.number)
        assert "does not exist" in str(info.value)
        assert [a.number for a in customer.accounts.search().items] == [own.number]
        with pytest.raises(Forbidden):
            customer.accounts.update(own.number, {"name": "Mine"}, expected_version=2)
        with pytest.raises(Forbidden):
            customer.accounts.create(name="New")


class TestSearch:
    def test_filters_and_pages(self, agent: Session) -> None:
        for index in range(7):
            agent.accounts.create(
                name=f"Customer {index} {'Alpha' if index % 2 else 'Beta'}",
                sla_tier="premium" if index < 2 else "standard",
                manager="agent2" if index == 3 else None,
            )
        numbers, cursor = [], None
        while True:
            page = agent.accounts.search(page_size=3, cursor=cursor)
            numbers += [a.number for a in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert numbers == [f"A-{100007 - i}" for i in range(7)]
        assert len(agent.accounts.search(sla_tier="premium").items) == 2
        assert len(agent.accounts.search(text="alpha").items) == 3
        assert [a.manager for a in agent.accounts.search(manager="agent2").items] == [
            "agent2"
        ]
        assert len(agent.accounts.search(status="active").items) == 0

    @pytest.mark.parametrize("size", [0, 501, -1, "ten", True])
    def test_page_size_is_bounded(self, agent: Session, size: object) -> None:
        with pytest.raises(Invalid) as info:
            agent.accounts.search(page_size=size)  # type: ignore[arg-type]
        assert info.value.field == "pageSize"

    def test_default_page_size_is_fifty(self, agent: Session) -> None:
        for index in range(55):
            agent.accounts.create(name=f"Customer {index}")
        page = agent.accounts.search()
        assert len(page.items) == 50 and page.next_cursor
        assert len(agent.accounts.search(page_size=500).items) == 55

    def test_a_page_costs_one_query(self, core: Core, agent: Session) -> None:
        for index in range(20):
            agent.accounts.create(name=f"Customer {index}", manager="agent")
        before = core.db.statement_count
        agent.accounts.search(page_size=20)
        assert core.db.statement_count - before == 1


class TestIdempotency:
    def test_retry_returns_the_first_result(self, agent: Session) -> None:
        first = agent.accounts.create(name="Acme", request_id="req-1")
        again = agent.accounts.create(name="Acme", request_id="req-1")
        assert again.number == first.number
        assert len(agent.accounts.search().items) == 1

    def test_reuse_with_other_data_is_refused(self, agent: Session) -> None:
        agent.accounts.create(name="Acme", request_id="req-1")
        with pytest.raises(Exception) as info:
            agent.accounts.create(name="Globex", request_id="req-1")
        assert getattr(info.value, "code", None) == "conflict"
        assert len(agent.accounts.search().items) == 1

    def test_request_ids_belong_to_each_user(self, core: Core, agent: Session) -> None:
        mine = agent.accounts.create(name="Acme", request_id="req-1")
        theirs = core.as_user("agent2").accounts.create(name="Acme", request_id="req-1")
        assert mine.number != theirs.number

    def test_failed_create_does_not_consume_the_request_id(
        self, agent: Session
    ) -> None:
        with pytest.raises(ValidationError):
            agent.accounts.create(name="Acme", sla_tier="gold", request_id="req-1")
        assert (
            agent.accounts.create(name="Acme", request_id="req-1").number == "A-100001"
        )

    def test_concurrent_retries_create_one_account(
        self, core: Core, db_url: str
    ) -> None:
        results: list[object] = []
        barrier = threading.Barrier(4)

        def create() -> None:
            session = core.as_user("agent")
            barrier.wait()
            try:
                results.append(
                    session.accounts.create(name="Acme", request_id="same").number
                )
            except Exception as exc:  # noqa: BLE001 - inspected below
                results.append(exc)

        threads = [threading.Thread(target=create) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == ["A-100001"] * 4
        assert len(core.as_user("agent").accounts.search().items) == 1


def test_history_records_each_change(agent: Session, admin: Session) -> None:
    account = active_account(agent)
    agent.accounts.update(account.number, {"name": "Renamed"}, expected_version=2)
    entries = admin.history.list("account", account.number)
    assert [e.action for e in entries] == ["created", "activated", "updated"]
    assert all(e.actor == "agent" for e in entries)
    renamed = {c.field: (c.old, c.new) for c in entries[-1].changes}
    assert renamed == {"name": ("Acme Hosting GmbH", "Renamed")}


def test_history_is_rolled_back_with_a_refused_change(agent: Session) -> None:
    created = agent.accounts.create(name="Acme")
    with pytest.raises(RuleViolation):
        agent.accounts.activate(created.number)
    assert [e.action for e in agent.history.list("account", created.number)] == [
        "created"
    ]


def test_history_is_for_staff(core: Core, agent: Session) -> None:
    account = active_account(agent)
    customer = customer_of(core, account.number)
    with pytest.raises(Forbidden):
        customer.history.list("account", account.number)
    with pytest.raises(Invalid):
        agent.history.list("planet", "earth")
