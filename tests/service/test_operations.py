"""Every SOAP operation over real HTTP with zeep, on SQLite and PostgreSQL."""

from __future__ import annotations

import decimal
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
import zeep
from lxml import etree
from zeep.exceptions import Fault

from .conftest import ADMIN_PASSWORD, DEMO_PASSWORD, Server

TNS = "urn:core:v1"


def fault_of(call: Callable[[], Any]) -> Fault:
    with pytest.raises(Fault) as info:
        call()
    return info.value


def code_of(fault: Fault) -> str:
    return str(fault.code).split(":")[-1]


def detail(fault: Fault) -> dict[str, str]:
    assert fault.detail is not None
    (element,) = list(fault.detail)
    return {etree.QName(child).localname: child.text for child in element}


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def agent(server: Server) -> zeep.Client:
    return server.client("alice", DEMO_PASSWORD)


@pytest.fixture(scope="module")
def admin(server: Server) -> zeep.Client:
    return server.client()


def new_active_account(agent: zeep.Client, name: str | None = None) -> Any:
    account = agent.service.createAccount({"name": name or unique("Test Account")})
    agent.service.addContact(
        account.number,
        {
            "name": "Pat Primary",
            "role": "primary",
            "email": "pat@example.com",
            "phone": "+1 415 555 2671",
            "country": "US",
            "postalCode": "94103",
        },
    )
    return agent.service.activateAccount(account.number)


class TestGeneral:
    def test_ping_needs_no_credentials(self, server: Server) -> None:
        result = server.anonymous().service.ping()
        assert result.schemaVersion >= 1 and result.serviceVersion
        assert result.serverTime.tzinfo is not None

    def test_who_am_i_with_basic_and_wsse(self, server: Server) -> None:
        assert server.client("alice", DEMO_PASSWORD).service.whoAmI().role == "agent"
        wsse = server.wsse_client("rita", DEMO_PASSWORD)
        assert wsse.service.whoAmI().username == "rita"

    @pytest.mark.parametrize("method", ["basic", "wsse", "none"])
    def test_wrong_or_missing_credentials(self, server: Server, method: str) -> None:
        clients = {
            "basic": lambda: server.client("alice", "wrong password"),
            "wsse": lambda: server.wsse_client("alice", "wrong password"),
            "none": server.anonymous,
        }
        fault = fault_of(clients[method]().service.whoAmI)
        assert code_of(fault) == "Client.Authentication"
        assert detail(fault)["code"] == "authentication"

    def test_authentication_failure_is_http_401(self, server: Server) -> None:
        envelope = (
            '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"'
            f' xmlns:c="{TNS}"><soap:Body><c:whoAmI/></soap:Body></soap:Envelope>'
        )
        response = requests.post(
            f"{server.url}/soap",
            data=envelope.encode(),
            headers={"Content-Type": "text/xml"},
            auth=("x", "y"),
        )
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Basic")
        root = etree.fromstring(response.content)
        assert root.find(".//faultcode").text.endswith("Client.Authentication")

    def test_health(self, server: Server) -> None:
        response = requests.get(f"{server.url}/health")
        assert response.status_code == 200 and response.json()["status"] == "ok"


class TestAccounts:
    def test_create_get_update(self, agent: zeep.Client) -> None:
        name = unique("Acme")
        created = agent.service.createAccount(
            {"name": name, "slaTier": "premium", "manager": "bob"}
        )
        assert created.number.startswith("A-") and created.status == "prospect"
        fetched = agent.service.getAccount(created.number)
        assert (fetched.name, fetched.slaTier, fetched.manager) == (
            name,
            "premium",
            "bob",
        )
        changed = agent.service.updateAccount(created.number, {"name": name + " 2"}, 1)
        assert changed.version == 2 and changed.name == name + " 2"

    def test_update_conflict(self, agent: zeep.Client) -> None:
        created = agent.service.createAccount({"name": unique("Acme")})
        agent.service.updateAccount(created.number, {"name": unique("Renamed")}, 1)
        fault = fault_of(
            lambda: agent.service.updateAccount(created.number, {"name": "x"}, 1)
        )
        assert code_of(fault) == "Client.Conflict"
        assert detail(fault)["code"] == "conflict"

    def test_life_cycle_and_business_rule_fault(self, agent: zeep.Client) -> None:
        created = agent.service.createAccount({"name": unique("Acme")})
        fault = fault_of(lambda: agent.service.activateAccount(created.number))
        assert code_of(fault) == "Client.BusinessRule"
        assert detail(fault)["rule"] == "primary_contact_required"
        account = new_active_account(agent)
        assert agent.service.suspendAccount(account.number).status == "suspended"
        assert agent.service.reactivateAccount(account.number).status == "active"
        assert agent.service.closeAccount(account.number).status == "closed"

    def test_validation_fault_names_the_field(self, agent: zeep.Client) -> None:
        fault = fault_of(lambda: agent.service.createAccount({"name": "x" * 121}))
        assert code_of(fault) in ("Client.Validation", "Client.SchemaValidationError")

    def test_business_validation_fault(self, agent: zeep.Client) -> None:
        fault = fault_of(lambda: agent.service.searchAccounts(None, 0))
        assert code_of(fault) in ("Client.Validation", "Client.SchemaValidationError")

    def test_not_found(self, agent: zeep.Client) -> None:
        fault = fault_of(lambda: agent.service.getAccount("A-999999"))
        assert code_of(fault) == "Client.NotFound"
        assert detail(fault) == {
            "code": "not_found",
            "message": "account 'A-999999' does not exist",
            "field": "accountNumber",
        }

    def test_idempotent_retry(self, agent: zeep.Client) -> None:
        request_id = uuid.uuid4().hex
        name = unique("Retry")
        first = agent.service.createAccount({"name": name}, request_id)
        again = agent.service.createAccount({"name": name}, request_id)
        assert again.number == first.number
        fault = fault_of(
            lambda: agent.service.createAccount({"name": "Other"}, request_id)
        )
        assert code_of(fault) == "Client.Conflict"

    def test_paging(self, agent: zeep.Client) -> None:
        seen: list[str] = []
        cursor = None
        while True:
            page = agent.service.searchAccounts({"status": "active"}, 7, cursor)
            items = page["items"]["Account"] if page["items"] else []
            assert len(items) <= 7
            seen += [a.number for a in items]
            cursor = page.nextCursor
            if not cursor:
                break
        assert len(seen) == len(set(seen)) > 7

    def test_readonly_is_forbidden_to_write(self, server: Server) -> None:
        rita = server.client("rita", DEMO_PASSWORD)
        fault = fault_of(lambda: rita.service.createAccount({"name": "Nope"}))
        assert code_of(fault) == "Client.Forbidden"


class TestCustomerIsolation:
    def test_customer_sees_only_its_account(
        self, server: Server, agent: zeep.Client
    ) -> None:
        carl = server.client("carl", DEMO_PASSWORD)
        own = carl.service.whoAmI().accountNumber
        page = carl.service.searchAccounts(None, 50)
        assert [a.number for a in page["items"]["Account"]] == [own]
        other = new_active_account(agent)
        fault = fault_of(lambda: carl.service.getAccount(other.number))
        assert code_of(fault) == "Client.NotFound"
        tickets = carl.service.searchTickets(None, 500)
        numbers = [
            t.accountNumber
            for t in (tickets["items"]["Ticket"] if tickets["items"] else [])
        ]
        assert set(numbers) <= {own}


class TestContactsServersTickets:
    def test_contacts(self, agent: zeep.Client) -> None:
        account = new_active_account(agent)
        contact = agent.service.addContact(
            account.number,
            {
                "name": "Zoë Müller",
                "role": "billing",
                "email": "Zoe@Example.com",
                "phone": "030 901820",
                "country": "DE",
                "postalCode": "10117",
            },
        )
        assert contact.phone == "+4930901820" and contact.name == "Zoë Müller"
        assert agent.service.getContact(contact.id).email == "Zoe@example.com"
        changed = agent.service.updateContact(contact.id, {"city": "Berlin"}, 1)
        assert changed.city == "Berlin"
        listed = agent.service.listContacts(account.number)
        assert [c.role for c in listed] == ["primary", "billing"]
        assert agent.service.removeContact(contact.id, 2) is True
        fault = fault_of(
            lambda: agent.service.addContact(
                account.number,
                {
                    "name": "Bad",
                    "role": "technical",
                    "country": "US",
                    "postalCode": "ABCDE",
                },
            )
        )
        assert code_of(fault) == "Client.Validation"
        assert detail(fault)["field"] == "postalCode"
        assert detail(fault)["rule"] == "postal_code"

    def test_server_life_cycle(self, agent: zeep.Client) -> None:
        account = new_active_account(agent)
        server = agent.service.orderServer(
            account.number,
            {
                "dataCentre": "fra1",
                "hardwareProfile": "vm-small",
                "operatingSystem": "Debian 12",
                "monthlyPrice": decimal.Decimal("19.99"),
            },
        )
        assert server.monthlyPrice == decimal.Decimal("19.99")
        number = server.number
        agent.service.startProvisioning(number)
        host = f"t{uuid.uuid4().hex[:10]}.example.net"
        online = agent.service.completeProvisioning(
            number, host, f"198.51.100.{uuid.uuid4().int % 250 + 1}"
        )
        assert online.status == "online" and online.hostname == host
        assert agent.service.suspendServer(number).status == "suspended"
        assert agent.service.resumeServer(number).status == "online"
        changed = agent.service.updateServer(
            number, {"operatingSystem": "Debian 13"}, online.version + 2
        )
        assert changed.operatingSystem == "Debian 13"
        assert agent.service.getServer(number).status == "online"
        found = agent.service.searchServers({"accountNumber": account.number}, 10)
        assert [s.number for s in found["items"]["Server"]] == [number]
        assert agent.service.decommissionServer(number).status == "decommissioned"

    def test_tickets(self, server: Server, agent: zeep.Client) -> None:
        account = new_active_account(agent)
        ticket = agent.service.openTicket(
            {
                "accountNumber": account.number,
                "subject": "Disk full 日本",
                "description": "Line one\nline two 🚀",
                "severity": "high",
            }
        )
        assert ticket.status == "new" and ticket.description == "Line one\nline two 🚀"
        number = ticket.number
        agent.service.addComment(number, "Looking into it", True)
        agent.service.addComment(number, "internal note", False)
        assigned = agent.service.assignTicket(number, "bob")
        assert assigned.assignee == "bob" and assigned.status == "open"
        fault = fault_of(lambda: agent.service.changeTicketStatus(number, "solved"))
        assert code_of(fault) == "Client.Validation"
        solved = agent.service.changeTicketStatus(number, "solved", "Freed space")
        assert solved.status == "solved" and solved.resolution == "Freed space"
        full = agent.service.getTicket(number)
        assert [c.public for c in full.comments.Comment] == [True, False]
        found = agent.service.searchTickets({"accountNumber": account.number}, 5)
        assert [t.number for t in found["items"]["Ticket"]] == [number]
        history = agent.service.getHistory("ticket", number)
        assert history[0].action == "created" and history[0].actor == "alice"

    def test_history_of_an_account(self, agent: zeep.Client) -> None:
        account = new_active_account(agent)
        entries = agent.service.getHistory("account", account.number)
        assert [e.action for e in entries] == ["created", "activated"]
        assert entries[0].actor == "alice"


class TestUsers:
    def test_user_management(self, admin: zeep.Client, server: Server) -> None:
        username = f"u{uuid.uuid4().hex[:8]}"
        created = admin.service.createUser(
            {
                "username": username,
                "displayName": "New Agent",
                "email": "new@example.com",
                "role": "agent",
                "password": "a long password",
            }
        )
        assert created.role == "agent" and created.active is True
        assert admin.service.getUser(username).displayName == "New Agent"
        changed = admin.service.updateUser(username, {"displayName": "Renamed"}, 1)
        assert changed.displayName == "Renamed"
        page = admin.service.searchUsers({"role": "agent"}, 500)
        assert username in [u.username for u in page["items"]["User"]]
        assert (
            server.client(username, "a long password").service.whoAmI().username
            == username
        )

    def test_agents_cannot_manage_users(self, agent: zeep.Client) -> None:
        fault = fault_of(lambda: agent.service.getUser("admin"))
        assert code_of(fault) == "Client.Forbidden"


def test_admin_password_from_environment(server: Server) -> None:
    assert server.client("admin", ADMIN_PASSWORD).service.whoAmI().role == "admin"
