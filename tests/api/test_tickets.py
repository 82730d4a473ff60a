"""Tickets: opening, SLA, comments, assignment, life cycle, search and history."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from api.accounts import AccountRecord
from api.core import Core, Session
from api.db import ConflictError, ValidationError
from api.errors import Forbidden, Invalid, NotFound, RuleViolation, error_code
from api.setup import create_user
from api.tables import TICKET_STATUSES, Account, Comment, Server, Ticket, User
from api.tickets import TicketRecord

from .conftest import PASSWORD, Clock, active_account, customer_of

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ALLOWED = {
    ("new", "open"),
    ("open", "pending_customer"),
    ("pending_customer", "open"),
    ("open", "solved"),
    ("pending_customer", "solved"),
    ("solved", "open"),
    ("solved", "closed"),
}
#: The moves that bring a new ticket into each state.
PATHS = {
    "new": [],
    "open": ["open"],
    "pending_customer": ["open", "pending_customer"],
    "solved": ["open", "solved"],
    "closed": ["open", "solved", "closed"],
}


def add_server(
    core: Core, account_number: str, number: str = "S-9", status: str = "online"
) -> Server:
    """Insert a server of the account directly, in the given state."""
    account = Account.first(core.db, number=account_number)
    assert account is not None
    return Server.insert(
        core.db,
        number=number,
        account_id=account.id,
        data_centre="fra1",
        hardware_profile="vm-small",
        operating_system="Debian 12",
        monthly_price="10.00",
        status=status,
    )


def set_account_status(core: Core, account_number: str, status: str) -> None:
    """Put an account into a state directly, without its life-cycle side effects."""
    account = Account.first(core.db, number=account_number)
    assert account is not None
    Account.update(core.db, account.id, {"status": status})


def open_ticket(
    session: Session, account_number: str, **options: object
) -> TicketRecord:
    values: dict[str, object] = {
        "subject": "Disk full on web01",
        "description": "The root file system is full.\nPlease look.",
        **options,
    }
    return session.tickets.open(account_number=account_number, **values)  # type: ignore[arg-type]


def ticket_in(agent: Session, account_number: str, state: str) -> TicketRecord:
    """Open a ticket and move it into ``state`` along the life cycle."""
    ticket = open_ticket(agent, account_number)
    for status in PATHS[state]:
        resolution = "Cleaned up the logs." if status == "solved" else None
        ticket = agent.tickets.change_status(ticket.number, status, resolution)
    assert ticket.status == state
    return ticket


def actions(admin: Session, number: str) -> list[str]:
    return [entry.action for entry in admin.history.list("ticket", number)]


@pytest.fixture
def customer(core: Core, account: AccountRecord) -> Session:
    """A customer user of the ``account`` fixture's account."""
    return customer_of(core, account.number)


@pytest.fixture
def other(agent: Session) -> AccountRecord:
    """A second active account."""
    return active_account(agent, "Globex Corporation")


class TestOpen:
    def test_agent_opens_a_new_ticket(
        self, agent: Session, account: AccountRecord
    ) -> None:
        ticket = open_ticket(agent, account.number)
        assert ticket.number == "T-300001" and ticket.status == "new"
        assert (ticket.account_number, ticket.opened_by) == (account.number, "agent")
        assert ticket.severity == "normal" and ticket.server_number is None
        assert ticket.assignee is None and ticket.resolution is None
        assert ticket.responded_at is None and ticket.solved_at is None
        assert ticket.created_at == START and ticket.version == 1
        assert ticket.overdue is False and ticket.comments == []
        assert open_ticket(agent, account.number).number == "T-300002"

    def test_customer_opens_on_its_own_account(
        self, customer: Session, account: AccountRecord
    ) -> None:
        ticket = open_ticket(customer, account.number, severity="high")
        assert ticket.opened_by == "cust" and ticket.account_number == account.number
        assert customer.tickets.get(ticket.number).number == ticket.number

    def test_customer_of_another_account_is_told_it_does_not_exist(
        self, core: Core, customer: Session, other: AccountRecord
    ) -> None:
        with pytest.raises(NotFound):
            open_ticket(customer, other.number)
        assert Ticket.count(core.db) == 0

    def test_readonly_user_may_not_open(
        self, core: Core, reader: Session, account: AccountRecord
    ) -> None:
        with pytest.raises(Forbidden):
            open_ticket(reader, account.number)
        assert Ticket.count(core.db) == 0

    def test_unknown_account(self, agent: Session) -> None:
        with pytest.raises(NotFound):
            open_ticket(agent, "A-999999")

    def test_closed_account_is_refused(self, core: Core, agent: Session) -> None:
        created = agent.accounts.create(name="Gone Ltd")
        agent.accounts.close(created.number)
        with pytest.raises(RuleViolation) as info:
            open_ticket(agent, created.number)
        assert info.value.code == "rule:account_closed"
        assert Ticket.count(core.db) == 0

    def test_prospect_and_suspended_accounts_may_open(
        self, core: Core, agent: Session, account: AccountRecord
    ) -> None:
        prospect = agent.accounts.create(name="Prospect Ltd")
        assert open_ticket(agent, prospect.number).status == "new"
        set_account_status(core, account.number, "suspended")
        assert open_ticket(agent, account.number).status == "new"

    def test_server_of_the_account(
        self, core: Core, agent: Session, account: AccountRecord
    ) -> None:
        add_server(core, account.number, "S-9")
        ticket = open_ticket(agent, account.number, server_number="S-9")
        assert ticket.server_number == "S-9"

    def test_server_of_another_account_is_refused(
        self, core: Core, agent: Session, account: AccountRecord, other: AccountRecord
    ) -> None:
        add_server(core, other.number, "S-8")
        with pytest.raises(Invalid) as info:
            open_ticket(agent, account.number, server_number="S-8")
        assert info.value.field == "serverNumber"
        assert info.value.rule == "server_of_other_account"
        assert Ticket.count(core.db) == 0

    def test_customer_naming_another_accounts_server_finds_nothing(
        self,
        core: Core,
        customer: Session,
        account: AccountRecord,
        other: AccountRecord,
    ) -> None:
        add_server(core, other.number, "S-8")
        with pytest.raises(NotFound) as info:
            open_ticket(customer, account.number, server_number="S-8")
        assert info.value.field == "serverNumber"

    def test_unknown_server(self, agent: Session, account: AccountRecord) -> None:
        for number in ("S-404", "S-" + "9" * 40):
            with pytest.raises(NotFound):
                open_ticket(agent, account.number, server_number=number)

    def test_emergency_needs_a_server(
        self, core: Core, agent: Session, account: AccountRecord
    ) -> None:
        with pytest.raises(RuleViolation) as info:
            open_ticket(agent, account.number, severity="emergency")
        assert info.value.code == "rule:emergency_needs_server"
        assert Ticket.count(core.db) == 0

    @pytest.mark.parametrize("status", ["ordered", "provisioning", "decommissioned"])
    def test_emergency_refuses_a_server_not_running(
        self, core: Core, agent: Session, account: AccountRecord, status: str
    ) -> None:
        add_server(core, account.number, "S-9", status)
        with pytest.raises(RuleViolation) as info:
            open_ticket(
                agent, account.number, severity="emergency", server_number="S-9"
            )
        assert info.value.code == "rule:emergency_needs_server"
        assert status in str(info.value)

    @pytest.mark.parametrize("status", ["online", "suspended"])
    def test_emergency_on_a_running_server(
        self, core: Core, agent: Session, account: AccountRecord, status: str
    ) -> None:
        add_server(core, account.number, "S-9", status)
        ticket = open_ticket(
            agent, account.number, severity="emergency", server_number="S-9"
        )
        assert ticket.severity == "emergency" and ticket.server_number == "S-9"

    def test_bad_values_are_refused(
        self, core: Core, agent: Session, account: AccountRecord
    ) -> None:
        with pytest.raises(ValidationError) as bad:
            open_ticket(agent, account.number, severity="urgent")
        assert bad.value.column == "severity"
        for field in ("subject", "description"):
            with pytest.raises(Invalid) as info:
                open_ticket(agent, account.number, **{field: "   "})
            assert (info.value.field, info.value.rule) == (field, "required")
        with pytest.raises(ValidationError):
            open_ticket(agent, account.number, subject="x" * 201)
        assert Ticket.count(core.db) == 0


class TestResponseDue:
    @pytest.mark.parametrize(
        ("severity", "tier", "due"),
        [
            ("emergency", "standard", dt.timedelta(minutes=15)),
            ("high", "standard", dt.timedelta(minutes=60)),
            ("normal", "standard", dt.timedelta(hours=4)),
            ("low", "standard", dt.timedelta(days=1)),
            ("emergency", "premium", dt.timedelta(minutes=7, seconds=30)),
            ("high", "premium", dt.timedelta(minutes=30)),
            ("normal", "premium", dt.timedelta(hours=2)),
            ("low", "premium", dt.timedelta(hours=12)),
        ],
    )
    def test_due_by_severity_and_tier(
        self,
        core: Core,
        agent: Session,
        clock: Clock,
        severity: str,
        tier: str,
        due: dt.timedelta,
    ) -> None:
        account = active_account(agent, sla_tier=tier)
        add_server(core, account.number, "S-9")
        clock.advance(hours=1)
        ticket = open_ticket(
            agent, account.number, severity=severity, server_number="S-9"
        )
        assert ticket.created_at == START + dt.timedelta(hours=1)
        assert ticket.response_due_at == START + dt.timedelta(hours=1) + due


class TestOverdue:
    def test_late_until_staff_answers_in_public(
        self,
        agent: Session,
        customer: Session,
        account: AccountRecord,
        clock: Clock,
    ) -> None:
        ticket = open_ticket(customer, account.number)
        clock.advance(hours=4)
        assert agent.tickets.search(overdue=True).items == []
        assert agent.tickets.get(ticket.number).overdue is False

        clock.advance(minutes=1)
        found = agent.tickets.search(overdue=True).items
        assert [t.number for t in found] == [ticket.number] and found[0].overdue
        assert customer.tickets.get(ticket.number).overdue is True

        agent.tickets.add_comment(ticket.number, "Checking.", public=False)
        customer.tickets.add_comment(ticket.number, "Any news?")
        assert len(agent.tickets.search(overdue=True).items) == 1

        agent.tickets.add_comment(ticket.number, "We are on it.")
        assert agent.tickets.search(overdue=True).items == []
        answered = agent.tickets.get(ticket.number)
        assert answered.responded_at == START + dt.timedelta(hours=4, minutes=1)
        assert answered.overdue is False

    def test_moving_out_of_new_is_a_response(
        self, agent: Session, account: AccountRecord, clock: Clock
    ) -> None:
        ticket = open_ticket(agent, account.number)
        clock.advance(minutes=30)
        opened = agent.tickets.change_status(ticket.number, "open")
        assert opened.responded_at == START + dt.timedelta(minutes=30)
        clock.advance(days=1)
        assert agent.tickets.search(overdue=True).items == []
        waiting = agent.tickets.change_status(ticket.number, "pending_customer")
        assert waiting.responded_at == opened.responded_at

    def test_false_does_not_filter(
        self, agent: Session, account: AccountRecord, clock: Clock
    ) -> None:
        open_ticket(agent, account.number)
        clock.advance(days=2)
        open_ticket(agent, account.number)
        assert len(agent.tickets.search(overdue=False).items) == 2
        assert len(agent.tickets.search(overdue=True).items) == 1


class TestComments:
    def test_customers_never_see_private_comments(
        self, agent: Session, customer: Session, account: AccountRecord
    ) -> None:
        ticket = open_ticket(customer, account.number)
        public = agent.tickets.add_comment(ticket.number, "We are looking into it.")
        private = agent.tickets.add_comment(
            ticket.number, "Customer ran rm -rf again.", public=False
        )
        reply = customer.tickets.add_comment(ticket.number, "Thanks!")
        assert (public.public, private.public, reply.public) == (True, False, True)
        assert (private.author, reply.author) == ("agent", "cust")
        assert private.ticket_number == ticket.number and reply.created_at == START

        staff_view = agent.tickets.get(ticket.number).comments
        assert [c.id for c in staff_view] == [public.id, private.id, reply.id]
        customer_view = customer.tickets.get(ticket.number).comments
        assert [c.body for c in customer_view] == ["We are looking into it.", "Thanks!"]

    def test_customer_may_not_comment_in_private(
        self, core: Core, customer: Session, account: AccountRecord
    ) -> None:
        ticket = open_ticket(customer, account.number)
        with pytest.raises(Forbidden):
            customer.tickets.add_comment(ticket.number, "Secret", public=False)
        assert Comment.count(core.db) == 0

    def test_readonly_user_may_not_comment(
        self, agent: Session, reader: Session, account: AccountRecord
    ) -> None:
        ticket = open_ticket(agent, account.number)
        with pytest.raises(Forbidden):
            reader.tickets.add_comment(ticket.number, "Hello")
        assert reader.tickets.get(ticket.number).comments == []

    def test_customer_of_another_account_finds_nothing(
        self, core: Core, agent: Session, other: AccountRecord, customer: Session
    ) -> None:
        ticket = open_ticket(agent, other.number)
        with pytest.raises(NotFound):
            customer.tickets.add_comment(ticket.number, "Hello")
        with pytest.raises(NotFound):
            customer.tickets.get(ticket.number)
        assert agent.tickets.get(ticket.number).comments == []

    def test_closed_ticket_takes_no_comments(
        self, agent: Session, customer: Session, account: AccountRecord
    ) -> None:
        ticket = ticket_in(agent, account.number, "closed")
        for session in (agent, customer):
            with pytest.raises(RuleViolation) as info:
                session.tickets.add_comment(ticket.number, "Still broken")
            assert info.value.code == "rule:ticket_closed"
        assert agent.tickets.get(ticket.number).comments == []

    def test_solved_ticket_takes_comments(
        self, agent: Session, account: AccountRecord
    ) -> None:
        ticket = ticket_in(agent, account.number, "solved")
        agent.tickets.add_comment(ticket.number, "Follow-up")
        assert agent.tickets.get(ticket.number).status == "solved"

    def test_empty_body_is_refused(
        self, agent: Session, account: AccountRecord
    ) -> None:
        ticket = open_ticket(agent, account.number)
        with pytest.raises(Invalid) as info:
            agent.tickets.add_comment(ticket.number, "  \n ")
        assert (info.value.field, info.value.rule) == ("body", "required")

    def test_customer_reply_reopens_a_waiting_ticket(
        self, agent: Session, customer: Session, account: AccountRecord
    ) -> None:
        ticket = ticket_in(agent, account.number, "pending_customer")
        agent.tickets.add_comment(ticket.number, "Which disk?")
        assert agent.tickets.get(ticket.number).status == "pending_customer"
        customer.tickets.add_comment(ticket.number, "/dev/sda")
        assert agent.tickets.get(ticket.number).status == "open"

    def test_first_public_staff_comment_is_the_response(
        self, agent: Session, account: AccountRecord, clock: Clock
    ) -> None:
        ticket = open_ticket(agent, account.number)
        clock.advance(minutes=5)
        agent.tickets.add_comment(ticket.number, "First")
        clock.advance(minutes=5)
        agent.tickets.add_comment(ticket.number, "Second")
        answered = agent.tickets.get(ticket.number)
        assert answered.responded_at == START + dt.timedelta(minutes=5)
        assert answered.status == "new"


class TestAssign:
    def test_assigning_opens_a_new_ticket(
        self, agent: Session, account: AccountRecord
    ) -> None:
        ticket = open_ticket(agent, account.number)
        assigned = agent.tickets.assign(ticket.number, "agent2")
        assert (assigned.assignee, assigned.status) == ("agent2", "open")
        assert assigned.version == 2
        again = agent.tickets.assign(ticket.number, "admin", expected_version=2)
        assert (again.assignee, again.status) == ("admin", "open")

    def test_unassigning(self, agent: Session, account: AccountRecord) -> None:
        ticket = open_ticket(agent, account.number)
        assert agent.tickets.assign(ticket.number, None).status == "new"
        agent.tickets.assign(ticket.number, "agent")
        unassigned = agent.tickets.assign(ticket.number, None)
        assert (unassigned.assignee, unassigned.status) == (None, "open")

    def test_assignee_must_be_an_active_agent(
        self, core: Core, agent: Session, account: AccountRecord
    ) -> None:
        gone = create_user(core.db, "gone", "Gone", "g@example.com", "agent", PASSWORD)
        User.update(core.db, gone.id, {"active": False})
        customer_of(core, account.number)
        ticket = open_ticket(agent, account.number)
        for name in ("reader", "gone", "cust", "nobody", "NOT A NAME!"):
            with pytest.raises(RuleViolation) as info:
                agent.tickets.assign(ticket.number, name)
            assert info.value.code == "rule:assignee_not_agent", name
        unchanged = agent.tickets.get(ticket.number)
        assert (unchanged.assignee, unchanged.status, unchanged.version) == (
            None,
            "new",
            1,
        )

    def test_only_writers_assign(
        self,
        agent: Session,
        reader: Session,
        customer: Session,
        account: AccountRecord,
    ) -> None:
        ticket = open_ticket(agent, account.number)
        for session in (reader, customer):
            with pytest.raises(Forbidden):
                session.tickets.assign(ticket.number, "agent")
        assert agent.tickets.get(ticket.number).assignee is None

    def test_closed_ticket_is_not_assigned(
        self, agent: Session, account: AccountRecord
    ) -> None:
        ticket = ticket_in(agent, account.number, "closed")
        with pytest.raises(RuleViolation) as info:
            agent.tickets.assign(ticket.number, "agent2")
        assert info.value.code == "rule:ticket_closed"

    def test_stale_version_changes_nothing(
        self, admin: Session, agent: Session, account: AccountRecord
    ) -> None:
        ticket = open_ticket(agent, account.number)
        agent.tickets.add_comment(ticket.number, "Seen", public=False)
        agent.tickets.assign(ticket.number, "agent", expected_version=ticket.version)
        with pytest.raises(ConflictError):
            agent.tickets.assign(ticket.number, "agent2", expected_version=1)
        current = agent.tickets.get(ticket.number)
        assert (current.assignee, current.version) == ("agent", 2)
        assert actions(admin, ticket.number) == ["created", "commented", "assigned"]


class TestLifeCycle:
    @pytest.mark.parametrize(("source", "target"), sorted(ALLOWED))
    def test_allowed_transition(
        self, agent: Session, account: AccountRecord, source: str, target: str
    ) -> None:
        ticket = ticket_in(agent, account.number, source)
        resolution = "Replaced the disk." if target == "solved" else None
        moved = agent.tickets.change_status(ticket.number, target, resolution)
        assert moved.status == target and moved.version == ticket.version + 1

    def test_every_other_transition_is_refused(
        self, agent: Session, account: AccountRecord
    ) -> None:
        tickets = {s: ticket_in(agent, account.number, s) for s in TICKET_STATUSES}
        refused = set(itertools.product(TICKET_STATUSES, repeat=2)) - ALLOWED
        assert len(refused) == 18
        for source, target in sorted(refused):
            ticket = tickets[source]
            with pytest.raises(RuleViolation) as info:
                agent.tickets.change_status(ticket.number, target, "Because.")
            assert info.value.code == "rule:invalid_transition", (source, target)
            assert agent.tickets.get(ticket.number).version == ticket.version

    def test_unknown_status(self, agent: Session, account: AccountRecord) -> None:
        ticket = open_ticket(agent, account.number)
        with pytest.raises(Invalid) as info:
            agent.tickets.change_status(ticket.number, "done")
        assert (info.value.field, info.value.rule) == ("status", "enum")

    def test_only_writers_change_status(
        self,
        agent: Session,
        reader: Session,
        customer: Session,
        account: AccountRecord,
    ) -> None:
        ticket = open_ticket(agent, account.number)
        for session in (reader, customer):
            with pytest.raises(Forbidden):
                session.tickets.change_status(ticket.number, "open")
        assert agent.tickets.get(ticket.number).status == "new"

    def test_solving_needs_a_resolution(
        self, agent: Session, account: AccountRecord, clock: Clock
    ) -> None:
        ticket = ticket_in(agent, account.number, "open")
        for resolution in (None, "", "  \n"):
            with pytest.raises(Invalid) as info:
                agent.tickets.change_status(ticket.number, "solved", resolution)
            assert (info.value.field, info.value.rule) == ("resolution", "required")
        assert agent.tickets.get(ticket.number).status == "open"

        clock.advance(hours=3)
        solved = agent.tickets.change_status(ticket.number, "solved", " Rebooted. ")
        assert (solved.resolution, solved.status) == ("Rebooted.", "solved")
        assert solved.solved_at == START + dt.timedelta(hours=3)

    def test_reopen_within_seven_days_keeps_the_resolution(
        self, agent: Session, account: AccountRecord, clock: Clock
    ) -> None:
        ticket = ticket_in(agent, account.number, "solved")
        clock.advance(days=7)
        reopened = agent.tickets.change_status(ticket.number, "open")
        assert reopened.status == "open"
        assert reopened.resolution == "Cleaned up the logs."
        assert reopened.solved_at == START

    def test_reopen_after_seven_days_is_refused(
        self, agent: Session, account: AccountRecord, clock: Clock
    ) -> None:
        ticket = ticket_in(agent, account.number, "solved")
        clock.advance(days=7, seconds=1)
        with pytest.raises(RuleViolation) as info:
            agent.tickets.change_status(ticket.number, "open")
        assert info.value.code == "rule:reopen_window_passed"
        clock.advance(days=1)
        with pytest.raises(RuleViolation):
            agent.tickets.change_status(ticket.number, "open")
        assert agent.tickets.change_status(ticket.number, "closed").status == "closed"

    def test_stale_version_changes_nothing(
        self, admin: Session, agent: Session, account: AccountRecord
    ) -> None:
        ticket = ticket_in(agent, account.number, "open")
        agent.tickets.change_status(
            ticket.number, "pending_customer", expected_version=ticket.version
        )
        with pytest.raises(ConflictError) as info:
            agent.tickets.change_status(
                ticket.number, "solved", "Done.", expected_version=ticket.version
            )
        assert error_code(info.value) == "conflict"
        current = agent.tickets.get(ticket.number)
        assert (current.status, current.resolution, current.solved_at) == (
            "pending_customer",
            None,
            None,
        )
        assert actions(admin, ticket.number) == [
            "created",
            "opened",
            "awaiting_customer",
        ]


class TestCloseSolved:
    def test_closes_tickets_solved_long_enough_ago(
        self, admin: Session, agent: Session, account: AccountRecord, clock: Clock
    ) -> None:
        old = ticket_in(agent, account.number, "solved")
        clock.advance(days=6)
        recent = ticket_in(agent, account.number, "solved")
        still_open = ticket_in(agent, account.number, "open")
        clock.advance(days=1, minutes=1)

        assert agent.tickets.close_solved() == 1
        assert agent.tickets.get(old.number).status == "closed"
        assert agent.tickets.get(recent.number).status == "solved"
        assert agent.tickets.get(still_open.number).status == "open"
        assert actions(admin, old.number)[-1] == "closed"
        assert agent.tickets.close_solved() == 0

        assert agent.tickets.close_solved(older_than_days=1) == 1
        assert agent.tickets.get(recent.number).status == "closed"

    def test_a_ticket_reopened_meanwhile_stays_open(
        self, core: Core, agent: Session, account: AccountRecord, clock: Clock
    ) -> None:
        # The job finds its candidates first and locks each one after; a ticket
        # reopened in between must be left alone.
        ticket = ticket_in(agent, account.number, "solved")
        row = Ticket.first(core.db, number=ticket.number)
        assert row is not None
        agent.tickets.change_status(ticket.number, "open")
        clock.advance(days=8)
        assert agent.tickets._close_if_solved(row.id, clock.now) is False
        assert agent.tickets.get(ticket.number).status == "open"

    def test_only_writers_and_whole_days(self, reader: Session, agent: Session) -> None:
        with pytest.raises(Forbidden):
            reader.tickets.close_solved()
        for days in (-1, 1.5, "7", True):
            with pytest.raises(Invalid) as info:
                agent.tickets.close_solved(days)  # type: ignore[arg-type]
            assert info.value.field == "olderThanDays"


class TestHistory:
    def test_every_change_is_recorded(
        self, admin: Session, agent: Session, customer: Session, account: AccountRecord
    ) -> None:
        ticket = open_ticket(customer, account.number)
        agent.tickets.assign(ticket.number, "agent2")
        agent.tickets.change_status(ticket.number, "pending_customer")
        customer.tickets.add_comment(ticket.number, "Here are the logs.")
        agent.tickets.change_status(ticket.number, "solved", "Rotated logs.")
        agent.tickets.change_status(ticket.number, "open")

        entries = admin.history.list("ticket", ticket.number)
        assert [e.action for e in entries] == [
            "created",
            "assigned",
            "awaiting_customer",
            "commented",
            "solved",
            "reopened",
        ]
        assert [e.actor for e in entries[:4]] == ["cust", "agent", "agent", "cust"]
        created = {c.field: c.new for c in entries[0].changes}
        assert created["account_number"] == account.number
        assert created["opened_by"] == "cust" and created["status"] == "new"
        assigned = {c.field: (c.old, c.new) for c in entries[1].changes}
        assert assigned == {"assignee": (None, "agent2"), "status": ("new", "open")}
        commented = {c.field: (c.old, c.new) for c in entries[3].changes}
        assert commented["status"] == ("pending_customer", "open")
        assert commented["comment_public"] == (None, "True")


class TestIdempotency:
    def test_retry_returns_the_first_ticket(
        self, core: Core, customer: Session, account: AccountRecord
    ) -> None:
        first = open_ticket(customer, account.number, request_id="req-1")
        again = open_ticket(customer, account.number, request_id="req-1")
        assert again.number == first.number
        assert Ticket.count(core.db) == 1

    def test_reuse_with_other_data_is_refused(
        self, core: Core, agent: Session, account: AccountRecord
    ) -> None:
        open_ticket(agent, account.number, request_id="req-1")
        with pytest.raises(Exception) as info:
            open_ticket(agent, account.number, request_id="req-1", severity="high")
        assert error_code(info.value) == "conflict"
        assert Ticket.count(core.db) == 1


class TestSearch:
    def test_filters(
        self,
        core: Core,
        agent: Session,
        account: AccountRecord,
        other: AccountRecord,
    ) -> None:
        add_server(core, account.number, "S-9")
        disk = open_ticket(agent, account.number, server_number="S-9")
        mail = open_ticket(
            agent, account.number, subject="Mail bounces", severity="high"
        )
        globex = open_ticket(agent, other.number, subject="DISK slow", severity="low")
        agent.tickets.assign(mail.number, "agent2")

        def numbers(**filters: object) -> list[str]:
            page = agent.tickets.search(**filters)  # type: ignore[arg-type]
            return [ticket.number for ticket in page.items]

        assert numbers() == [globex.number, mail.number, disk.number]
        assert numbers(account_number=account.number) == [mail.number, disk.number]
        assert numbers(status="open") == [mail.number]
        assert numbers(severity="low") == [globex.number]
        assert numbers(assignee="agent2") == [mail.number]
        assert numbers(text="disk") == [globex.number, disk.number]
        assert numbers(server_number="S-9") == [disk.number]
        assert numbers(account_number=other.number, text="mail") == []
        assert agent.tickets.search().items[0].comments == []

    def test_customers_find_only_their_own_tickets(
        self,
        agent: Session,
        customer: Session,
        account: AccountRecord,
        other: AccountRecord,
    ) -> None:
        own = open_ticket(agent, account.number)
        open_ticket(agent, other.number)
        assert [t.number for t in customer.tickets.search().items] == [own.number]
        assert customer.tickets.search(account_number=other.number).items == []

    def test_paging_with_a_cursor(self, agent: Session, account: AccountRecord) -> None:
        opened = [open_ticket(agent, account.number).number for _ in range(7)]
        seen: list[str] = []
        cursor = None
        for size in (3, 3, 1):
            page = agent.tickets.search(page_size=3, cursor=cursor)
            assert len(page.items) == size
            seen += [ticket.number for ticket in page.items]
            cursor = page.next_cursor
        assert cursor is None
        assert seen == list(reversed(opened))

    def test_bad_page_size(self, agent: Session) -> None:
        with pytest.raises(Invalid):
            agent.tickets.search(page_size=501)

    def test_a_page_costs_one_query(
        self, core: Core, agent: Session, account: AccountRecord
    ) -> None:
        add_server(core, account.number, "S-9")
        for index in range(12):
            ticket = open_ticket(agent, account.number, server_number="S-9")
            agent.tickets.assign(ticket.number, ("agent", "agent2")[index % 2])
        for size in (2, 12):
            before = core.db.statement_count
            page = agent.tickets.search(page_size=size, account_number=account.number)
            assert core.db.statement_count - before == 1
            assert len(page.items) == size
            assert {t.server_number for t in page.items} == {"S-9"}

    def test_reading_a_ticket_costs_two_queries(
        self, core: Core, agent: Session, account: AccountRecord
    ) -> None:
        ticket = open_ticket(agent, account.number)
        for index in range(6):
            agent.tickets.add_comment(ticket.number, f"Note {index}", index % 2 == 0)
        before = core.db.statement_count
        assert len(agent.tickets.get(ticket.number).comments) == 6
        assert core.db.statement_count - before == 2

    def test_unknown_ticket(self, agent: Session) -> None:
        for number in ("T-999999", "", "T-" + "1" * 40, "'; DROP TABLE ticket; --"):
            with pytest.raises(NotFound):
                agent.tickets.get(number)
