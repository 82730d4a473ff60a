"""Tickets: trouble reports of an account, their comments, SLA and life cycle.

A ticket goes ``new -> open <-> pending_customer``, is ``solved`` from ``open``
or ``pending_customer``, may be reopened within seven days of being solved,
and ends ``closed``. Its first response is due a number of minutes after it
was opened, by severity, in half the time for premium accounts; a staff
member's first public comment, or moving the ticket out of ``new``, is that
response. Customers see only their account's tickets and public comments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from api import access
from api.area import Area
from api.core import page_size as checked_page_size
from api.db import Page, ValidationError
from api.errors import Forbidden, Invalid, NotFound, RuleViolation
from api.idempotency import once
from api.numbering import next_number
from api.tables import TICKET_STATUSES, Account, Comment, Server, Ticket, User

#: Minutes until the first response is due, by severity (standard accounts).
RESPONSE_MINUTES = {"emergency": 15, "high": 60, "normal": 240, "low": 1440}
#: The share of the response time a premium account gets.
PREMIUM_FACTOR = 0.5
#: Server states in which an emergency can be about the server.
EMERGENCY_SERVER_STATUSES = ("online", "suspended")
#: States in which a ticket waits for staff, so its first response can be late.
WAITING_STATUSES = ("new", "open", "pending_customer")
#: For each target status, the states a ticket may move to it from.
TRANSITIONS = {
    "open": ("new", "pending_customer", "solved"),
    "pending_customer": ("open",),
    "solved": ("open", "pending_customer"),
    "closed": ("solved",),
}
#: How long after being solved a ticket may be reopened.
REOPEN_WINDOW = dt.timedelta(days=7)
#: The rows joined to every ticket that is read, with the columns its record shows.
RELATED = {
    "account_id": ["number"],
    "server_id": ["number"],
    "assignee_id": ["username"],
    "opened_by_id": ["username"],
}
#: Columns recorded in the history, beside the assignee's user name.
RECORDED = (
    "subject",
    "description",
    "severity",
    "status",
    "resolution",
    "response_due_at",
    "responded_at",
    "solved_at",
)


@dataclass(frozen=True)
class CommentRecord:
    """A comment on a ticket as callers see it."""

    id: int
    ticket_number: str
    author: str
    body: str
    public: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class TicketRecord:
    """A ticket as callers see it, with the comments the caller may read."""

    number: str
    account_number: str
    server_number: str | None
    subject: str
    description: str
    severity: str
    status: str
    assignee: str | None
    opened_by: str
    resolution: str | None
    response_due_at: dt.datetime
    responded_at: dt.datetime | None
    solved_at: dt.datetime | None
    overdue: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    comments: list[CommentRecord]


def is_overdue(row: Ticket, now: dt.datetime) -> bool:
    """Whether the ticket's first response is late at ``now``."""
    return (
        row.responded_at is None
        and row.status in WAITING_STATUSES
        and row.response_due_at < now
    )


def comment_record(row: Comment, ticket_number: str, author: User) -> CommentRecord:
    """Build the caller's view of a comment row."""
    return CommentRecord(
        id=row.id,
        ticket_number=ticket_number,
        author=author.username,
        body=row.body,
        public=row.public,
        created_at=row.created_at,
    )


def ticket_record(
    row: Ticket, now: dt.datetime, comments: list[CommentRecord] | None = None
) -> TicketRecord:
    """Build the caller's view of a ticket row read with its related rows."""
    related: dict[str, Any] = row.related  # partial rows: see RELATED
    server, assignee = related["server_id"], related["assignee_id"]
    return TicketRecord(
        number=row.number,
        account_number=related["account_id"].number,
        server_number=None if server is None else server.number,
        subject=row.subject,
        description=row.description,
        severity=row.severity,
        status=row.status,
        assignee=None if assignee is None else assignee.username,
        opened_by=related["opened_by_id"].username,
        resolution=row.resolution,
        response_due_at=row.response_due_at,
        responded_at=row.responded_at,
        solved_at=row.solved_at,
        overdue=is_overdue(row, now),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        comments=comments or [],
    )


class Tickets(Area):
    """Opening, reading, commenting on, assigning and moving tickets."""

    entity_type = "ticket"

    # -- reading ------------------------------------------------------------------

    def load(self, number: str, *, for_update: bool = False) -> Ticket:
        """Return the ticket row the acting user may see, or raise ``NotFound``.

        The row comes with its account, server, assignee and author joined in
        its ``related`` mapping.
        """
        missing = NotFound(f"ticket {number!r} does not exist", field="ticketNumber")
        if not isinstance(number, str) or not number.strip():
            raise missing
        try:
            rows = Ticket.find(
                self.db,
                number=number,
                related=RELATED,
                for_update=for_update,
            )
        except ValidationError:
            raise missing from None
        if not rows or not access.may_see_account(self.user, rows[0].account_id):
            raise missing
        return rows[0]

    def get(self, number: str) -> TicketRecord:
        """Return one ticket with its comments, oldest first.

        Staff read every comment; customers only the public ones.
        """
        row = self.load(number)
        filters: dict[str, Any] = {"ticket_id": row.id}
        if not access.is_staff(self.user):
            filters["public"] = True
        comments = Comment.find(
            self.db, order_by=["id"], related={"author_id": ["username"]}, **filters
        )
        records = [
            comment_record(c, row.number, cast(User, c.related["author_id"]))
            for c in comments
        ]
        return ticket_record(row, self.session.now(), records)

    def search(
        self,
        *,
        account_number: str | None = None,
        status: str | None = None,
        severity: str | None = None,
        assignee: str | None = None,
        text: str | None = None,
        overdue: bool | None = None,
        server_number: str | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """Return a page of tickets, newest first, matching every given filter.

        The tickets of a page come without their comments; customers find only
        their own account's tickets.

        :param assignee: the user name of the assigned agent.
        :param text: a part of the subject, in any case.
        :param overdue: ``True`` finds only tickets whose first response is
            late; ``False`` or ``None`` do not filter.
        """
        filters: dict[str, Any] = {}
        if account_number:
            filters["account_id__number"] = account_number
        if status:
            filters["status"] = status
        if severity:
            filters["severity"] = severity
        if assignee:
            filters["assignee_id__username"] = assignee
        if text:
            filters["subject__contains"] = text
        if server_number:
            filters["server_id__number"] = server_number
        if overdue:
            filters.update(self._overdue_filters())
        if not access.is_staff(self.user):
            filters["account_id"] = self.user.account_id
        return self._page(filters, page_size, cursor)

    def _overdue_filters(self) -> dict[str, Any]:
        return {
            "responded_at__isnull": True,
            "status__in": WAITING_STATUSES,
            "response_due_at__lt": self.session.now(),
        }

    def _page(
        self, filters: dict[str, Any], page_size: int | None, cursor: str | None
    ) -> Page:
        page = Ticket.page(
            self.db,
            size=checked_page_size(page_size),
            cursor=cursor,
            order_by=["-id"],
            related=RELATED,
            **filters,
        )
        now = self.session.now()
        return Page([ticket_record(row, now) for row in page.items], page.next_cursor)

    # -- opening ------------------------------------------------------------------

    def open(
        self,
        *,
        account_number: str,
        subject: str,
        description: str,
        severity: str = "normal",
        server_number: str | None = None,
        request_id: str | None = None,
    ) -> TicketRecord:
        """Open a ticket for an account and return it with its new number.

        Staff writers open tickets for any account, customers for their own.
        An emergency must name a server of the account that is online or
        suspended.

        :param server_number: the account's server the ticket is about.
        :param request_id: the client's id for this request; a retry with the
            same id returns the first result instead of a second ticket.
        :raises RuleViolation: ``account_closed`` for a closed account,
            ``emergency_needs_server`` for an emergency without a running server.
        """
        self._require_author()
        payload = {
            "account_number": account_number,
            "subject": subject,
            "description": description,
            "severity": severity,
            "server_number": server_number,
        }

        def create() -> str:
            account = self.session.accounts.load(account_number, for_update=True)
            self._refuse_closed_account(account)
            values = _ticket_values(subject, description, severity)
            server = self._server(account, server_number)
            self._check_emergency(values["severity"], server)

            now = self.session.now()
            number = next_number(self.db, "ticket")
            row = Ticket.insert(
                self.db,
                number=number,
                account_id=account.id,
                server_id=server.id if server else None,
                opened_by_id=self.user.id,
                response_due_at=now + _response_time(values["severity"], account),
                created_at=now,
                updated_at=now,
                **values,
            )
            self.record(number, "created", None, self._opening(row, account, server))
            return number

        return self.get(once(self.session, "openTicket", request_id, payload, create))

    def _require_author(self) -> None:
        """Refuse users who may neither open tickets nor comment on them."""
        if self.user.role not in access.WRITERS and self.user.role != "customer":
            raise Forbidden(
                f"user {self.user.username!r} ({self.user.role}) may not open"
                " or comment on tickets"
            )

    def _refuse_closed_account(self, account: Account) -> None:
        if account.status == "closed":
            raise RuleViolation(
                "account_closed",
                f"account {account.number} is closed; it can open no tickets",
                field="accountNumber",
            )

    def _server(self, account: Account, number: str | None) -> Server | None:
        """Return the account's server called ``number``, or ``None`` for none."""
        if number is None or not str(number).strip():
            return None
        missing = NotFound(f"server {number!r} does not exist", field="serverNumber")
        try:
            server = Server.first(self.db, number=number)
        except ValidationError:
            raise missing from None
        if server is None or not access.may_see_account(self.user, server.account_id):
            raise missing
        if server.account_id != account.id:
            raise Invalid(
                f"server {server.number} belongs to another account than"
                f" {account.number}",
                field="serverNumber",
                rule="server_of_other_account",
                value=number,
            )
        return server

    def _check_emergency(self, severity: str, server: Server | None) -> None:
        if severity != "emergency":
            return
        if server is None or server.status not in EMERGENCY_SERVER_STATUSES:
            found = f"; server {server.number} is {server.status}" if server else ""
            raise RuleViolation(
                "emergency_needs_server",
                "an emergency ticket must name a server of the account that is"
                f" online or suspended{found}",
                field="serverNumber",
            )

    def _opening(
        self, row: Ticket, account: Account, server: Server | None
    ) -> dict[str, Any]:
        """The values a new ticket is recorded with in the history."""
        values = _fields(row, None)
        values["account_number"] = account.number
        values["server_number"] = server.number if server else None
        values["opened_by"] = self.user.username
        return values

    # -- comments -----------------------------------------------------------------

    def add_comment(self, number: str, body: str, public: bool = True) -> CommentRecord:
        """Add a comment to a ticket and return it.

        Staff writers add public or private comments, customers public ones on
        their account's tickets. A staff member's first public comment is the
        ticket's first response; a customer's comment on a ticket waiting for
        the customer opens it again.

        :param public: whether the customer sees the comment.
        :raises RuleViolation: ``ticket_closed`` for a closed ticket.
        """
        self._require_author()
        staff = self.user.role in access.WRITERS
        if not staff and not public:
            raise Forbidden(
                f"user {self.user.username!r} may add only public comments",
                field="public",
            )
        text = _required(Comment.normalize({"body": body})["body"], "body")

        with self.db.transaction():
            row = self.load(number, for_update=True)
            self._refuse_closed_ticket(row)
            comment = Comment.insert(
                self.db,
                ticket_id=row.id,
                author_id=self.user.id,
                body=text,
                public=public,
                created_at=self.session.now(),
            )
            self._after_comment(row, comment, staff)
        return comment_record(comment, row.number, self.user)

    def _after_comment(self, row: Ticket, comment: Comment, staff: bool) -> None:
        """Answer the ticket's first response or the customer's reply; record it."""
        values: dict[str, Any] = {}
        if staff and comment.public and row.responded_at is None:
            values["responded_at"] = comment.created_at
        if not staff and row.status == "pending_customer":
            values["status"] = "open"
        changed = self._update(row, values) if values else row

        assignee = _name(row, "assignee_id", "username")
        after = _fields(changed, assignee)
        after["comment_id"] = comment.id
        after["comment_public"] = comment.public
        self.record(row.number, "commented", _fields(row, assignee), after)

    def _refuse_closed_ticket(self, row: Ticket) -> None:
        if row.status == "closed":
            raise RuleViolation(
                "ticket_closed", f"ticket {row.number} is closed; it is final"
            )

    # -- assigning and moving -----------------------------------------------------

    def assign(
        self, number: str, assignee: str | None, expected_version: int | None = None
    ) -> TicketRecord:
        """Give a ticket to an agent, or take it back with ``None``.

        A new ticket becomes open when it is assigned.

        :param assignee: the user name of an active agent or administrator.
        :param expected_version: the version the caller read; a stale one is
            refused with a conflict and nothing changes.
        :raises RuleViolation: ``assignee_not_agent`` for anyone else,
            ``ticket_closed`` for a closed ticket.
        """
        access.require_writer(self.user)
        with self.db.transaction():
            row = self.load(number, for_update=True)
            self._refuse_closed_ticket(row)
            user = self._assignee(assignee)

            values: dict[str, Any] = {"assignee_id": user.id if user else None}
            if user is not None and row.status == "new":
                values["status"] = "open"
            changed = self._update(row, values, expected_version)
            before = _fields(row, _name(row, "assignee_id", "username"))
            after = _fields(changed, user.username if user else None)
            self.record(row.number, "assigned" if user else "unassigned", before, after)
        return self.get(row.number)

    def _assignee(self, username: str | None) -> User | None:
        if username is None or not str(username).strip():
            return None
        try:
            user = User.first(self.db, username=username)
        except ValidationError:
            user = None
        if user is None or not user.active or user.role not in access.WRITERS:
            raise RuleViolation(
                "assignee_not_agent",
                f"assignee {username!r} is not an active agent or administrator",
                field="assignee",
            )
        return user

    def change_status(
        self,
        number: str,
        status: str,
        resolution: str | None = None,
        expected_version: int | None = None,
    ) -> TicketRecord:
        """Move a ticket to another status of its life cycle.

        Solving needs a resolution; a solved ticket may be reopened within
        seven days; a closed ticket is final. Moving a ticket out of ``new``
        is its first response.

        :param resolution: how the ticket was solved; taken only when solving.
        :param expected_version: the version the caller read; a stale one is
            refused with a conflict and nothing changes.
        :raises RuleViolation: ``invalid_transition`` for a move the life cycle
            does not allow, ``reopen_window_passed`` for a late reopening.
        """
        access.require_writer(self.user)
        _check_status(status)
        with self.db.transaction():
            row = self.load(number, for_update=True)
            self._check_transition(row, status)
            values = self._status_values(row, status, resolution)
            changed = self._update(row, values, expected_version)
            assignee = _name(row, "assignee_id", "username")
            self.record(
                row.number,
                _action(row.status, status),
                _fields(row, assignee),
                _fields(changed, assignee),
            )
        return self.get(row.number)

    def _check_transition(self, row: Ticket, status: str) -> None:
        allowed = TRANSITIONS.get(status, ())
        if not allowed:
            raise RuleViolation(
                "invalid_transition",
                f"ticket {row.number} is {row.status}; no ticket can move back"
                f" to {status}",
                field="status",
            )
        self.require_status(row.number, row.status, allowed, f"moving to {status}")
        if row.status == "solved" and status == "open":
            self._check_reopen_window(row)

    def _check_reopen_window(self, row: Ticket) -> None:
        solved_at = row.solved_at
        if solved_at is not None and self.session.now() - solved_at > REOPEN_WINDOW:
            raise RuleViolation(
                "reopen_window_passed",
                f"ticket {row.number} was solved on {solved_at:%Y-%m-%d %H:%M}"
                f" UTC; it can be reopened only within {REOPEN_WINDOW.days} days",
                field="status",
            )

    def _status_values(
        self, row: Ticket, status: str, resolution: str | None
    ) -> dict[str, Any]:
        now = self.session.now()
        values: dict[str, Any] = {"status": status}
        if row.status == "new" and row.responded_at is None:
            values["responded_at"] = now
        if status == "solved":
            values["resolution"] = _resolution(resolution)
            values["solved_at"] = now
        return values

    def close_solved(self, older_than_days: int = 7) -> int:
        """Close every ticket solved more than ``older_than_days`` days ago.

        Meant for a nightly job; each ticket is closed in its own transaction
        and recorded in its history.

        :returns: how many tickets were closed.
        """
        access.require_writer(self.user)
        cutoff = self.session.now() - dt.timedelta(days=_days(older_than_days))
        candidates = Ticket.find(
            self.db, status="solved", solved_at__lt=cutoff, order_by=["id"]
        )
        return sum(self._close_if_solved(row.id, cutoff) for row in candidates)

    def _close_if_solved(self, ticket_id: int, cutoff: dt.datetime) -> bool:
        """Close one ticket unless it was reopened meanwhile; tell whether it was."""
        with self.db.transaction():
            rows = Ticket.find(
                self.db, id=ticket_id, related=["assignee_id"], for_update=True
            )
            row = rows[0]
            if (
                row.status != "solved"
                or row.solved_at is None
                or row.solved_at >= cutoff
            ):
                return False
            changed = self._update(row, {"status": "closed"})
            assignee = _name(row, "assignee_id", "username")
            self.record(
                row.number, "closed", _fields(row, assignee), _fields(changed, assignee)
            )
        return True

    def _update(
        self,
        row: Ticket,
        values: dict[str, Any],
        expected_version: int | None = None,
    ) -> Ticket:
        """Write ``values`` to the ticket, stamped with the session's time."""
        values = {**values, "updated_at": self.session.now()}
        return Ticket.update(self.db, row.id, values, expected_version=expected_version)


# -- helpers ----------------------------------------------------------------------


def _ticket_values(subject: str, description: str, severity: str) -> dict[str, Any]:
    """Normalize a new ticket's text and severity; subject and description needed."""
    values = Ticket.normalize(
        {"subject": subject, "description": description, "severity": severity}
    )
    _required(values["subject"], "subject")
    _required(values["description"], "description")
    return values


def _required(text: str | None, field: str) -> str:
    if not text:
        raise Invalid(f"{field} must not be empty", field=field, rule="required")
    return text


def _resolution(resolution: str | None) -> str:
    text = Ticket.normalize({"resolution": resolution})["resolution"]
    return _required(text, "resolution")


def _response_time(severity: str, account: Account) -> dt.timedelta:
    """How long after opening the first response is due for this account."""
    minutes: float = RESPONSE_MINUTES[severity]
    if account.sla_tier == "premium":
        minutes *= PREMIUM_FACTOR
    return dt.timedelta(minutes=minutes)


def _check_status(status: str) -> None:
    if status not in TICKET_STATUSES:
        raise Invalid(
            f"unknown ticket status {status!r}; one of {', '.join(TICKET_STATUSES)}",
            field="status",
            rule="enum",
            value=status,
        )


def _action(old: str, new: str) -> str:
    """The history's name for a move from ``old`` to ``new``."""
    if new == "open":
        return {"new": "opened", "solved": "reopened"}.get(old, "resumed")
    return {"pending_customer": "awaiting_customer"}.get(new, new)


def _days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Invalid(
            f"days must be a whole number of at least 0: {value!r}",
            field="olderThanDays",
            rule="min_value",
            value=value,
        )
    return value


def _name(row: Ticket, reference: str, attribute: str) -> str | None:
    """Return an attribute of a joined row, or ``None`` where none is joined."""
    related = row.related.get(reference)
    return None if related is None else str(getattr(related, attribute))


def _fields(row: Ticket, assignee: str | None) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in RECORDED}
    values["assignee"] = assignee
    return values
