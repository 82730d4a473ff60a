"""Servers: ordering, the life cycle, unique addresses, access and searching."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from api.accounts import AccountRecord
from api.core import Core, Session
from api.errors import (
    Conflict,
    ConflictError,
    Forbidden,
    Invalid,
    NotFound,
    RuleViolation,
    ValidationError,
)
from api.servers import ServerRecord, Servers
from api.tables import Server

from .conftest import active_account, customer_of

ORDER = {
    "data_centre": "fra1",
    "hardware_profile": "vm-small",
    "operating_system": "Debian 12",
    "monthly_price": Decimal("19.99"),
}


def order(session: Session, account_number: str, **changes: Any) -> ServerRecord:
    """Order a server with sensible defaults, overridden by ``changes``."""
    return session.servers.order(account_number, **{**ORDER, **changes})


def bring_to(
    agent: Session,
    account_number: str,
    status: str,
    hostname: str = "web1.acme.example",
    ip: str = "192.0.2.10",
) -> ServerRecord:
    """Order a server and move it along its life cycle to ``status``."""
    server = order(agent, account_number)
    steps = {
        "provisioning": lambda n: agent.servers.start_provisioning(n),
        "online": lambda n: agent.servers.complete_provisioning(n, hostname, ip),
        "suspended": lambda n: agent.servers.suspend(n),
        "decommissioned": lambda n: agent.servers.decommission(n),
    }
    path = {
        "ordered": [],
        "provisioning": ["provisioning"],
        "online": ["provisioning", "online"],
        "suspended": ["provisioning", "online", "suspended"],
        "decommissioned": ["decommissioned"],
    }[status]
    for step in path:
        server = steps[step](server.number)
    assert server.status == status
    return server


def actions(session: Session, number: str) -> list[str]:
    return [entry.action for entry in session.history.list("server", number)]


# -- ordering ---------------------------------------------------------------------


class TestOrder:
    def test_order_creates_an_ordered_server_with_a_new_number(
        self, agent: Session, account: AccountRecord
    ) -> None:
        first = order(agent, account.number)
        second = order(agent, account.number, data_centre="ams1")
        assert (first.number, second.number) == ("S-200001", "S-200002")
        assert first.status == "ordered" and first.version == 1
        assert first.account_number == account.number
        assert (first.hostname, first.primary_ip) == (None, None)
        assert agent.servers.get(first.number) == first

    def test_money_round_trips_exactly(
        self, agent: Session, account: AccountRecord
    ) -> None:
        server = order(agent, account.number, monthly_price=Decimal("19.99"))
        stored = agent.servers.get(server.number).monthly_price
        assert stored == Decimal("19.99") and str(stored) == "19.99"
        text = order(agent, account.number, monthly_price="1234.5")
        assert str(agent.servers.get(text.number).monthly_price) == "1234.50"
        found = agent.servers.search().items
        assert {str(s.monthly_price) for s in found} == {"19.99", "1234.50"}

    @pytest.mark.parametrize("state", ["prospect", "suspended", "closed"])
    def test_only_an_active_account_orders(
        self, core: Core, agent: Session, state: str
    ) -> None:
        number = self._account_in(agent, state)
        with pytest.raises(RuleViolation) as info:
            order(agent, number)
        assert info.value.code == "rule:account_not_active"
        assert state in str(info.value)
        assert Server.count(core.db) == 0
        # The refused order gave its number back.
        assert order(agent, active_account(agent, "Other").number).number == "S-200001"

    def _account_in(self, agent: Session, state: str) -> str:
        if state == "prospect":
            return agent.accounts.create(name="Prospect Ltd").number
        number = active_account(agent, "Former Ltd").number
        if state == "suspended":
            agent.accounts.suspend(number)
        else:
            agent.accounts.close(number)
        return number

    def test_unknown_account_is_not_found(self, agent: Session) -> None:
        with pytest.raises(NotFound):
            order(agent, "A-999999")

    @pytest.mark.parametrize(
        ("field", "value", "rule"),
        [
            ("data_centre", "mars1", "enum"),
            ("hardware_profile", "vm-huge", "enum"),
            ("operating_system", "x" * 61, "max_length"),
            ("monthly_price", 19.99, "type"),
            ("monthly_price", Decimal("-0.01"), "min_value"),
            ("monthly_price", Decimal("1.999"), "scale"),
            ("monthly_price", Decimal("100000000"), "precision"),
            ("monthly_price", "cheap", "type"),
        ],
    )
    def test_invalid_values_are_refused(
        self,
        core: Core,
        agent: Session,
        account: AccountRecord,
        field: str,
        value: Any,
        rule: str,
    ) -> None:
        with pytest.raises(ValidationError) as info:
            order(agent, account.number, **{field: value})
        assert info.value.rule == rule and info.value.column == field
        assert Server.count(core.db) == 0

    def test_order_is_recorded_in_the_history(
        self, agent: Session, account: AccountRecord
    ) -> None:
        server = order(agent, account.number)
        [entry] = agent.history.list("server", server.number)
        assert (entry.action, entry.actor) == ("created", "agent")
        changes = {change.field: change.new for change in entry.changes}
        assert changes["status"] == "ordered"
        assert changes["monthly_price"] == "19.99"
        assert changes["account_number"] == account.number


class TestIdempotentOrder:
    def test_retry_returns_the_same_server(
        self, core: Core, agent: Session, account: AccountRecord
    ) -> None:
        first = order(agent, account.number, request_id="req-1")
        again = order(agent, account.number, request_id="req-1")
        assert again == first
        assert Server.count(core.db) == 1

    def test_the_same_amount_written_differently_is_the_same_request(
        self, core: Core, agent: Session, account: AccountRecord
    ) -> None:
        first = order(agent, account.number, monthly_price="19.9", request_id="r")
        again = order(agent, account.number, monthly_price="19.90", request_id="r")
        assert again.number == first.number and Server.count(core.db) == 1

    def test_reused_id_with_other_data_is_a_conflict(
        self, core: Core, agent: Session, account: AccountRecord
    ) -> None:
        order(agent, account.number, request_id="req-1")
        with pytest.raises(Conflict) as info:
            order(agent, account.number, monthly_price=Decimal("5"), request_id="req-1")
        assert info.value.code == "conflict"
        assert Server.count(core.db) == 1

    def test_without_request_id_each_order_is_new(
        self, core: Core, agent: Session, account: AccountRecord
    ) -> None:
        order(agent, account.number)
        order(agent, account.number)
        assert Server.count(core.db) == 2


# -- life cycle -------------------------------------------------------------------


class TestLifeCycle:
    def test_full_life_cycle(self, agent: Session, account: AccountRecord) -> None:
        servers = agent.servers
        server = order(agent, account.number)
        server = servers.start_provisioning(server.number, server.version)
        assert (server.status, server.version) == ("provisioning", 2)
        server = servers.complete_provisioning(
            server.number, "Web1.Acme.Example.", "2001:db8:0:0::1", server.version
        )
        assert server.status == "online"
        assert (server.hostname, server.primary_ip) == (
            "web1.acme.example",
            "2001:db8::1",
        )
        server = servers.suspend(server.number, server.version)
        assert server.status == "suspended"
        server = servers.resume(server.number, server.version)
        assert server.status == "online"
        server = servers.decommission(server.number, server.version)
        assert (server.status, server.version) == ("decommissioned", 6)
        assert actions(agent, server.number) == [
            "created",
            "provisioning_started",
            "provisioned",
            "suspended",
            "resumed",
            "decommissioned",
        ]

    def test_history_holds_each_changed_field(
        self, agent: Session, account: AccountRecord
    ) -> None:
        server = bring_to(agent, account.number, "online")
        entry = agent.history.list("server", server.number)[-1]
        changes = {c.field: (c.old, c.new) for c in entry.changes}
        assert changes == {
            "status": ("provisioning", "online"),
            "hostname": (None, "web1.acme.example"),
            "primary_ip": (None, "192.0.2.10"),
        }

    @pytest.mark.parametrize(
        ("status", "action"),
        [
            ("ordered", "complete"),
            ("ordered", "suspend"),
            ("ordered", "resume"),
            ("provisioning", "start"),
            ("provisioning", "suspend"),
            ("provisioning", "resume"),
            ("online", "start"),
            ("online", "complete"),
            ("online", "resume"),
            ("suspended", "start"),
            ("suspended", "complete"),
            ("suspended", "suspend"),
            ("decommissioned", "start"),
            ("decommissioned", "complete"),
            ("decommissioned", "suspend"),
            ("decommissioned", "resume"),
            ("decommissioned", "decommission"),
        ],
    )
    def test_invalid_transitions_are_refused(
        self, agent: Session, account: AccountRecord, status: str, action: str
    ) -> None:
        server = bring_to(agent, account.number, status)
        history = actions(agent, server.number)
        with pytest.raises(RuleViolation) as info:
            _act(agent.servers, action, server.number)
        assert info.value.code == "rule:invalid_transition"
        assert status in str(info.value) and server.number in str(info.value)
        assert agent.servers.get(server.number) == server
        assert actions(agent, server.number) == history

    @pytest.mark.parametrize(
        "status", ["ordered", "provisioning", "online", "suspended"]
    )
    def test_decommission_from_any_other_state(
        self, agent: Session, account: AccountRecord, status: str
    ) -> None:
        server = bring_to(agent, account.number, status)
        assert agent.servers.decommission(server.number).status == "decommissioned"

    def test_decommission_releases_the_ip_and_keeps_the_hostname(
        self, core: Core, agent: Session, account: AccountRecord
    ) -> None:
        server = bring_to(agent, account.number, "online")
        gone = agent.servers.decommission(server.number)
        assert (gone.hostname, gone.primary_ip) == ("web1.acme.example", None)
        row = Server.first(core.db, number=server.number)
        assert row is not None and row.released_ip == "192.0.2.10"

    def test_decommissioned_server_cannot_be_updated(
        self, agent: Session, account: AccountRecord
    ) -> None:
        server = bring_to(agent, account.number, "decommissioned")
        with pytest.raises(RuleViolation) as info:
            agent.servers.update(
                server.number, {"operating_system": "Alma 9"}, server.version
            )
        assert info.value.code == "rule:server_decommissioned"
        assert agent.servers.get(server.number) == server

    @pytest.mark.parametrize(
        ("hostname", "ip", "field"),
        [
            (None, "192.0.2.10", "hostname"),
            ("  ", "192.0.2.10", "hostname"),
            ("web1.acme.example", None, "primaryIp"),
            ("web1.acme.example", "", "primaryIp"),
        ],
    )
    def test_hostname_and_ip_are_required_to_come_online(
        self,
        agent: Session,
        account: AccountRecord,
        hostname: str | None,
        ip: str | None,
        field: str,
    ) -> None:
        server = bring_to(agent, account.number, "provisioning")
        with pytest.raises(Invalid) as info:
            agent.servers.complete_provisioning(server.number, hostname, ip)
        assert info.value.field == field and info.value.code == "validation"
        assert agent.servers.get(server.number) == server

    @pytest.mark.parametrize(
        ("hostname", "ip", "column", "rule"),
        [
            ("-web.acme.example", "192.0.2.10", "hostname", "hostname"),
            ("web_1.acme.example", "192.0.2.10", "hostname", "hostname"),
            ("web.10", "192.0.2.10", "hostname", "hostname"),
            ("web1.acme.example", "999.0.2.10", "primary_ip", "ip_address"),
            ("web1.acme.example", "010.0.2.10", "primary_ip", "ip_address"),
            ("web1.acme.example", "fe80::1%eth0", "primary_ip", "ip_address"),
        ],
    )
    def test_invalid_hostname_or_ip_is_refused(
        self,
        agent: Session,
        account: AccountRecord,
        hostname: str,
        ip: str,
        column: str,
        rule: str,
    ) -> None:
        server = bring_to(agent, account.number, "provisioning")
        with pytest.raises(ValidationError) as info:
            agent.servers.complete_provisioning(server.number, hostname, ip)
        assert (info.value.column, info.value.rule) == (column, rule)
        assert agent.servers.get(server.number) == server


def _act(servers: Servers, action: str, number: str) -> ServerRecord:
    if action == "start":
        return servers.start_provisioning(number)
    if action == "complete":
        return servers.complete_provisioning(number, "new.acme.example", "192.0.2.99")
    method = getattr(servers, action)
    result: ServerRecord = method(number)
    return result


# -- unique host names and addresses ----------------------------------------------


class TestUniqueness:
    def test_hostname_taken_is_a_conflict(
        self, agent: Session, account: AccountRecord
    ) -> None:
        first = bring_to(agent, account.number, "online")
        second = bring_to(agent, account.number, "provisioning")
        with pytest.raises(Conflict) as info:
            agent.servers.complete_provisioning(
                second.number, "WEB1.acme.example", "192.0.2.11"
            )
        assert info.value.field == "hostname" and info.value.code == "conflict"
        assert first.number in str(info.value)
        assert agent.servers.get(second.number) == second

    def test_hostname_stays_taken_after_decommission(
        self, agent: Session, account: AccountRecord
    ) -> None:
        first = bring_to(agent, account.number, "online")
        agent.servers.decommission(first.number)
        second = bring_to(agent, account.number, "provisioning")
        with pytest.raises(Conflict) as info:
            agent.servers.complete_provisioning(
                second.number, "web1.acme.example", "192.0.2.11"
            )
        assert info.value.field == "hostname"

    @pytest.mark.parametrize("holder", ["online", "suspended"])
    def test_ip_of_a_running_server_is_a_conflict(
        self, agent: Session, account: AccountRecord, holder: str
    ) -> None:
        bring_to(agent, account.number, holder, ip="2001:db8::10")
        second = bring_to(agent, account.number, "provisioning")
        with pytest.raises(Conflict) as info:
            agent.servers.complete_provisioning(
                second.number, "web2.acme.example", "2001:0db8:0:0:0:0:0:10"
            )
        assert info.value.field == "primaryIp" and info.value.code == "conflict"
        assert agent.servers.get(second.number).status == "provisioning"

    def test_ip_is_reused_after_decommission(
        self, agent: Session, account: AccountRecord
    ) -> None:
        first = bring_to(agent, account.number, "online")
        agent.servers.decommission(first.number)
        second = bring_to(agent, account.number, "online", hostname="web2.example")
        assert second.primary_ip == "192.0.2.10"

    @pytest.mark.parametrize(
        ("hostname", "ip", "field"),
        [
            ("web1.acme.example", "192.0.2.11", "hostname"),
            ("web2.acme.example", "192.0.2.10", "primaryIp"),
        ],
    )
    def test_concurrent_taker_is_a_conflict_too(
        self,
        agent: Session,
        account: AccountRecord,
        monkeypatch: pytest.MonkeyPatch,
        hostname: str,
        ip: str,
        field: str,
    ) -> None:
        bring_to(agent, account.number, "online")
        second = bring_to(agent, account.number, "provisioning")
        # As if the other server took the value after the check looked.
        monkeypatch.setattr(Servers, "_require_unique", lambda *args: None)
        with pytest.raises(Conflict) as info:
            agent.servers.complete_provisioning(second.number, hostname, ip)
        assert info.value.field == field
        assert agent.servers.get(second.number) == second
        assert actions(agent, second.number)[-1] == "provisioning_started"


# -- changing ---------------------------------------------------------------------


class TestUpdate:
    def test_operating_system_and_price_change_at_any_time(
        self, agent: Session, account: AccountRecord
    ) -> None:
        server = bring_to(agent, account.number, "online")
        changed = agent.servers.update(
            server.number,
            {"operating_system": "Alma Linux 9", "monthly_price": Decimal("24.50")},
            server.version,
        )
        assert changed.operating_system == "Alma Linux 9"
        assert changed.monthly_price == Decimal("24.50")
        assert changed.version == server.version + 1
        entry = agent.history.list("server", server.number)[-1]
        assert entry.action == "updated"
        assert {c.field: c.new for c in entry.changes} == {
            "operating_system": "Alma Linux 9",
            "monthly_price": "24.50",
        }

    def test_hardware_and_data_centre_change_while_ordered(
        self, agent: Session, account: AccountRecord
    ) -> None:
        server = order(agent, account.number)
        changed = agent.servers.update(
            server.number,
            {"hardware_profile": "metal-gpu", "data_centre": "sin1"},
            server.version,
        )
        assert (changed.hardware_profile, changed.data_centre) == ("metal-gpu", "sin1")

    @pytest.mark.parametrize("status", ["provisioning", "online", "suspended"])
    @pytest.mark.parametrize(
        ("field", "value"), [("hardware_profile", "vm-large"), ("data_centre", "lon1")]
    )
    def test_hardware_and_data_centre_are_fixed_once_provisioning(
        self,
        agent: Session,
        account: AccountRecord,
        status: str,
        field: str,
        value: str,
    ) -> None:
        server = bring_to(agent, account.number, status)
        with pytest.raises(RuleViolation) as info:
            agent.servers.update(server.number, {field: value}, server.version)
        assert info.value.code == "rule:server_already_provisioned"
        assert info.value.field == field
        assert agent.servers.get(server.number) == server

    def test_sending_back_the_unchanged_hardware_is_allowed(
        self, agent: Session, account: AccountRecord
    ) -> None:
        server = bring_to(agent, account.number, "online")
        changed = agent.servers.update(
            server.number,
            {"hardware_profile": "vm-small", "operating_system": "Debian 13"},
            server.version,
        )
        assert changed.operating_system == "Debian 13"

    @pytest.mark.parametrize("field", ["status", "hostname", "primary_ip", "number"])
    def test_other_fields_are_not_updatable(
        self, agent: Session, account: AccountRecord, field: str
    ) -> None:
        server = order(agent, account.number)
        with pytest.raises(Invalid) as info:
            agent.servers.update(server.number, {field: "x"}, server.version)
        assert info.value.rule == "not_updatable" and info.value.field == field

    def test_invalid_price_is_refused(
        self, agent: Session, account: AccountRecord
    ) -> None:
        server = order(agent, account.number)
        with pytest.raises(ValidationError) as info:
            agent.servers.update(
                server.number, {"monthly_price": Decimal("-5")}, server.version
            )
        assert info.value.rule == "min_value"
        assert agent.servers.get(server.number) == server


class TestStaleVersion:
    @pytest.mark.parametrize(
        ("status", "action"),
        [
            ("ordered", "start"),
            ("provisioning", "complete"),
            ("online", "suspend"),
            ("suspended", "resume"),
            ("online", "decommission"),
        ],
    )
    def test_stale_version_changes_nothing(
        self, agent: Session, account: AccountRecord, status: str, action: str
    ) -> None:
        read = bring_to(agent, account.number, status)
        changes = {"operating_system": "Changed meanwhile"}
        fresh = agent.servers.update(read.number, changes, read.version)
        history = actions(agent, read.number)
        with pytest.raises(ConflictError):
            _act_at(agent.servers, action, read.number, read.version)
        assert agent.servers.get(read.number) == fresh
        assert actions(agent, read.number) == history
        assert _act_at(agent.servers, action, read.number, fresh.version)

    def test_stale_update_changes_nothing(
        self, agent: Session, account: AccountRecord
    ) -> None:
        server = order(agent, account.number)
        agent.servers.update(server.number, {"operating_system": "A"}, server.version)
        with pytest.raises(ConflictError):
            agent.servers.update(
                server.number, {"operating_system": "B"}, server.version
            )
        assert agent.servers.get(server.number).operating_system == "A"
        assert actions(agent, server.number) == ["created", "updated"]


def _act_at(servers: Servers, action: str, number: str, version: int) -> ServerRecord:
    if action == "start":
        return servers.start_provisioning(number, version)
    if action == "complete":
        return servers.complete_provisioning(
            number, "new.acme.example", "192.0.2.99", version
        )
    result: ServerRecord = getattr(servers, action)(number, version)
    return result


# -- who may do what --------------------------------------------------------------


WRITES = ["order", "start", "complete", "suspend", "resume", "decommission", "update"]


def _write(session: Session, action: str, server: ServerRecord) -> Any:
    if action == "order":
        return order(session, server.account_number)
    if action == "update":
        changes = {"operating_system": "Hacked OS"}
        return session.servers.update(server.number, changes, server.version)
    return _act(session.servers, action, server.number)


class TestPermissions:
    @pytest.mark.parametrize("action", WRITES)
    def test_readonly_user_cannot_write(
        self, agent: Session, reader: Session, account: AccountRecord, action: str
    ) -> None:
        server = bring_to(agent, account.number, "online")
        with pytest.raises(Forbidden):
            _write(reader, action, server)
        assert agent.servers.get(server.number) == server

    @pytest.mark.parametrize("action", WRITES)
    def test_customer_cannot_write(
        self, core: Core, agent: Session, account: AccountRecord, action: str
    ) -> None:
        server = bring_to(agent, account.number, "online")
        customer = customer_of(core, account.number)
        with pytest.raises(Forbidden):
            _write(customer, action, server)
        assert agent.servers.get(server.number) == server

    def test_readonly_user_reads_everything(
        self, agent: Session, reader: Session, account: AccountRecord
    ) -> None:
        server = order(agent, account.number)
        assert reader.servers.get(server.number) == server
        assert [s.number for s in reader.servers.search().items] == [server.number]

    def test_customer_sees_only_its_own_servers(
        self, core: Core, agent: Session, account: AccountRecord
    ) -> None:
        own = order(agent, account.number)
        other_account = active_account(agent, "Other Corp")
        other = order(agent, other_account.number)
        customer = customer_of(core, account.number)

        assert customer.servers.get(own.number) == own
        with pytest.raises(NotFound) as info:
            customer.servers.get(other.number)
        assert "does not exist" in str(info.value)
        assert [s.number for s in customer.servers.search().items] == [own.number]
        asked = customer.servers.search(account_number=other_account.number)
        assert asked.items == []

    @pytest.mark.parametrize(
        "number", ["S-999999", "", "  ", "nonsense", "S-" + "9" * 40, None, 42, "S\x00"]
    )
    def test_unknown_or_malformed_number_is_not_found(
        self, agent: Session, number: Any
    ) -> None:
        with pytest.raises(NotFound) as info:
            agent.servers.get(number)
        assert info.value.field == "serverNumber"


# -- the account's life cycle -----------------------------------------------------


class TestAccountSuspension:
    def test_suspending_the_account_suspends_only_online_servers(
        self, agent: Session, account: AccountRecord
    ) -> None:
        servers = {
            status: bring_to(agent, account.number, status, f"{status}.example", ip)
            for status, ip in [
                ("ordered", "192.0.2.1"),
                ("provisioning", "192.0.2.2"),
                ("online", "192.0.2.3"),
                ("suspended", "192.0.2.4"),
                ("decommissioned", "192.0.2.5"),
            ]
        }
        agent.accounts.suspend(account.number)
        after = {
            status: agent.servers.get(s.number).status for status, s in servers.items()
        }
        assert after == {
            "ordered": "ordered",
            "provisioning": "provisioning",
            "online": "suspended",
            "suspended": "suspended",
            "decommissioned": "decommissioned",
        }
        entry = agent.history.list("server", servers["online"].number)[-1]
        assert entry.action == "suspended"
        changes = {c.field: c.new for c in entry.changes}
        assert changes == {"status": "suspended", "reason": "account suspended"}

    def test_reactivating_the_account_leaves_servers_suspended(
        self, agent: Session, account: AccountRecord
    ) -> None:
        server = bring_to(agent, account.number, "online")
        agent.accounts.suspend(account.number)
        agent.accounts.reactivate(account.number)
        assert agent.servers.get(server.number).status == "suspended"
        assert agent.servers.resume(server.number).status == "online"

    def test_resume_is_refused_while_the_account_is_suspended(
        self, agent: Session, account: AccountRecord
    ) -> None:
        server = bring_to(agent, account.number, "suspended")
        agent.accounts.suspend(account.number)
        with pytest.raises(RuleViolation) as info:
            agent.servers.resume(server.number)
        assert info.value.code == "rule:account_not_active"
        assert agent.servers.get(server.number).status == "suspended"

    def test_provisioning_completes_only_for_an_active_account(
        self, agent: Session, account: AccountRecord
    ) -> None:
        server = bring_to(agent, account.number, "provisioning")
        agent.accounts.suspend(account.number)
        with pytest.raises(RuleViolation) as info:
            agent.servers.complete_provisioning(
                server.number, "web1.acme.example", "192.0.2.10"
            )
        assert info.value.code == "rule:account_not_active"
        assert agent.servers.get(server.number) == server

    def test_suspended_account_may_still_decommission(
        self, agent: Session, account: AccountRecord
    ) -> None:
        server = bring_to(agent, account.number, "online")
        agent.accounts.suspend(account.number)
        assert agent.servers.decommission(server.number).status == "decommissioned"
        assert agent.accounts.close(account.number).status == "closed"

    def test_suspend_row_leaves_a_server_no_longer_online_alone(
        self, core: Core, agent: Session, account: AccountRecord
    ) -> None:
        server = bring_to(agent, account.number, "online")
        row = Server.first(core.db, number=server.number)
        assert row is not None
        agent.servers.suspend(server.number)
        agent.servers.suspend_row(row, reason="account suspended")
        assert agent.servers.get(server.number).version == server.version + 1
        assert actions(agent, server.number).count("suspended") == 1


# -- searching --------------------------------------------------------------------


class TestSearch:
    def test_pages_newest_first_until_the_last(
        self, agent: Session, account: AccountRecord
    ) -> None:
        ordered = [order(agent, account.number).number for _ in range(7)]
        seen, cursor, sizes = [], None, []
        while True:
            page = agent.servers.search(page_size=3, cursor=cursor)
            seen += [server.number for server in page.items]
            sizes.append(len(page.items))
            cursor = page.next_cursor
            if cursor is None:
                break
        assert sizes == [3, 3, 1]
        assert seen == list(reversed(ordered))

    def test_filters(self, agent: Session, account: AccountRecord) -> None:
        other = active_account(agent, "Other Corp")
        web = bring_to(
            agent, account.number, "online", "Web1.Acme.Example", "192.0.2.1"
        )
        db = bring_to(agent, account.number, "online", "db1.acme.example", "192.0.2.2")
        agent.servers.suspend(db.number)
        ams = order(agent, other.number, data_centre="ams1")

        def numbers(**filters: Any) -> list[str]:
            return [s.number for s in agent.servers.search(**filters).items]

        assert numbers(account_number=other.number) == [ams.number]
        assert numbers(status="online") == [web.number]
        assert numbers(data_centre="ams1") == [ams.number]
        assert numbers(text="WEB1") == [web.number]
        assert numbers(text="acme") == [db.number, web.number]
        assert numbers(account_number=account.number, status="suspended") == [db.number]
        assert numbers(account_number="A-999999") == []

    @pytest.mark.parametrize("size", [0, 501, "10", True])
    def test_page_size_is_checked(self, agent: Session, size: Any) -> None:
        with pytest.raises(Invalid) as info:
            agent.servers.search(page_size=size)
        assert info.value.rule == "page_size"

    def test_control_characters_in_search_text_are_refused(
        self, agent: Session, account: AccountRecord
    ) -> None:
        with pytest.raises(Invalid) as info:
            agent.servers.search(text="web\x00")
        assert info.value.rule == "search_text"

    def test_invalid_status_filter_is_refused(self, agent: Session) -> None:
        with pytest.raises(ValidationError) as info:
            agent.servers.search(status="running")
        assert info.value.rule == "enum"

    def test_a_page_costs_one_query_however_many_servers(
        self, core: Core, agent: Session, account: AccountRecord
    ) -> None:
        other = active_account(agent, "Other Corp")
        order(agent, account.number)
        small = _statements(core, lambda: agent.servers.search(page_size=50))
        for index in range(12):
            order(agent, (account if index % 2 else other).number)
        page = None

        def search() -> None:
            nonlocal page
            page = agent.servers.search(page_size=50)

        large = _statements(core, search)
        assert page is not None and len(page.items) == 13
        assert small == large == 1
        customer = customer_of(core, account.number)
        assert _statements(core, lambda: customer.servers.search()) == 1

    def test_records_carry_their_account_number(
        self, agent: Session, account: AccountRecord
    ) -> None:
        other = active_account(agent, "Other Corp")
        order(agent, account.number)
        order(agent, other.number)
        found = [s.account_number for s in agent.servers.search().items]
        assert found == [other.number, account.number]


def _statements(core: Core, work: Any) -> int:
    before = core.db.statement_count
    work()
    return core.db.statement_count - before


def test_records_are_immutable(agent: Session, account: AccountRecord) -> None:
    server = order(agent, account.number)
    with pytest.raises(dataclasses.FrozenInstanceError):
        server.status = "online"  # type: ignore[misc]
