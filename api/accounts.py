"""Accounts: the customers, their service level and their life cycle.

An account goes ``prospect -> active <-> suspended`` and ends ``closed``.
Activation needs a primary contact with a valid e-mail and phone; closing
needs every server decommissioned and every ticket closed. Suspending an
account suspends its online servers; reactivating it leaves them suspended,
to be resumed one by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api import access
from api.area import Area, only_fields
from api.core import page_size as checked_page_size
from api.db import Page
from api.errors import NotFound, RuleViolation
from api.idempotency import once
from api.numbering import next_number
from api.tables import Account, Contact, Server, Ticket, User

UPDATABLE = ("name", "sla_tier", "manager")
PAST_TENSE = {
    "activate": "activated",
    "suspend": "suspended",
    "reactivate": "reactivated",
    "close": "closed",
}


@dataclass(frozen=True)
class AccountRecord:
    """An account as callers see it."""

    number: str
    name: str
    sla_tier: str
    manager: str | None
    status: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


def account_record(row: Account, manager: User | None) -> AccountRecord:
    """Build the caller's view of an account row."""
    return AccountRecord(
        number=row.number,
        name=row.name,
        sla_tier=row.sla_tier,
        manager=manager.username if manager else None,
        status=row.status,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class Accounts(Area):
    """Creating, reading, changing and searching accounts, and their life cycle."""

    entity_type = "account"

    # -- reading ------------------------------------------------------------------

    def load(self, number: str, *, for_update: bool = False) -> Account:
        """Return the account row the acting user may see, or raise ``NotFound``."""
        row = self.lookup(Account, number=number)
        if row is None or not access.may_see_account(self.user, row.id):
            raise NotFound(f"account {number!r} does not exist", field="accountNumber")
        if for_update:
            row = Account.get(self.db, row.id, for_update=True)
        return row

    def get(self, number: str) -> AccountRecord:
        """Return one account by its number."""
        return self._record(self.load(number))

    def search(
        self,
        *,
        status: str | None = None,
        sla_tier: str | None = None,
        manager: str | None = None,
        text: str | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """Return a page of accounts, newest first, matching every given filter.

        :param text: a part of the account's name, in any case.
        :param manager: the user name of the account manager.
        """
        filters: dict[str, Any] = {}
        if status:
            filters["status"] = status
        if sla_tier:
            filters["sla_tier"] = sla_tier
        if manager:
            filters["manager_id__username"] = manager
        if text:
            filters["name__contains"] = text
        if not access.is_staff(self.user):
            filters["id"] = self.user.account_id
        page = Account.page(
            self.db,
            size=checked_page_size(page_size),
            cursor=cursor,
            order_by=["-id"],
            related={"manager_id": ["username"]},
            **filters,
        )
        items = [account_record(row, row.related["manager_id"]) for row in page.items]
        return Page(items, page.next_cursor)

    def _record(self, row: Account) -> AccountRecord:
        manager = User.get(self.db, row.manager_id) if row.manager_id else None
        return account_record(row, manager)

    # -- writing ------------------------------------------------------------------

    def create(
        self,
        *,
        name: str,
        sla_tier: str = "standard",
        manager: str | None = None,
        request_id: str | None = None,
    ) -> AccountRecord:
        """Create a prospect account and return it with its new number.

        :param manager: the user name of an active agent or administrator.
        :param request_id: the client's id for this request; a retry with the
            same id returns the first result instead of a second account.
        """
        access.require_writer(self.user)
        payload = {"name": name, "sla_tier": sla_tier, "manager": manager}

        def create() -> str:
            values: dict[str, Any] = {"name": name, "sla_tier": sla_tier}
            values["manager_id"] = self._manager_id(manager)
            Account.normalize(values)
            number = next_number(self.db, "account")
            row = Account.insert(self.db, number=number, **values)
            self.record(number, "created", None, self._fields(row))
            return number

        return self.get(
            once(self.session, "createAccount", request_id, payload, create)
        )

    def update(
        self, number: str, changes: Mapping[str, Any], expected_version: int
    ) -> AccountRecord:
        """Change an account's name, SLA tier or manager.

        :param expected_version: the version the caller read; a stale one is
            refused with a conflict and nothing changes.
        """
        access.require_writer(self.user)
        only_fields(changes, UPDATABLE, "account")
        with self.db.transaction():
            row = self.load(number, for_update=True)
            values = {k: v for k, v in changes.items() if k != "manager"}
            if "manager" in changes:
                values["manager_id"] = self._manager_id(changes["manager"])
            changed = Account.update(
                self.db, row.id, values, expected_version=expected_version
            )
            self.record(row.number, "updated", self._fields(row), self._fields(changed))
        return self._record(changed)

    def activate(
        self, number: str, expected_version: int | None = None
    ) -> AccountRecord:
        """Make a prospect account active; it needs a complete primary contact."""
        return self._transition(
            number, ("prospect",), "active", "activate", expected_version
        )

    def suspend(
        self, number: str, expected_version: int | None = None
    ) -> AccountRecord:
        """Suspend an active account and, with it, each of its online servers."""
        return self._transition(
            number, ("active",), "suspended", "suspend", expected_version
        )

    def reactivate(
        self, number: str, expected_version: int | None = None
    ) -> AccountRecord:
        """Make a suspended account active again; its servers stay suspended."""
        return self._transition(
            number, ("suspended",), "active", "reactivate", expected_version
        )

    def close(self, number: str, expected_version: int | None = None) -> AccountRecord:
        """Close an account for good; no server may run and no ticket stay open."""
        return self._transition(
            number,
            ("prospect", "active", "suspended"),
            "closed",
            "close",
            expected_version,
        )

    def _transition(
        self,
        number: str,
        allowed: tuple[str, ...],
        status: str,
        action: str,
        expected_version: int | None,
    ) -> AccountRecord:
        access.require_writer(self.user)
        with self.db.transaction():
            row = self.load(number, for_update=True)
            self.require_status(row.number, row.status, allowed, action)
            getattr(self, f"_before_{action}")(row)
            changed = Account.update(
                self.db, row.id, {"status": status}, expected_version=expected_version
            )
            self.record(
                row.number, PAST_TENSE[action], self._fields(row), self._fields(changed)
            )
        return self._record(changed)

    def _before_activate(self, row: Account) -> None:
        self.require_primary_contact(row)

    def _before_reactivate(self, row: Account) -> None:
        self.require_primary_contact(row)

    def _before_suspend(self, row: Account) -> None:
        servers = self.session.servers
        for server in Server.find(self.db, account_id=row.id, status="online"):
            servers.suspend_row(server, reason="account suspended")

    def _before_close(self, row: Account) -> None:
        running = Server.count(self.db, account_id=row.id, status__ne="decommissioned")
        if running:
            raise RuleViolation(
                "account_has_servers",
                f"account {row.number} still has {running} server(s)"
                " not decommissioned",
            )
        open_tickets = Ticket.count(self.db, account_id=row.id, status__ne="closed")
        if open_tickets:
            raise RuleViolation(
                "account_has_open_tickets",
                f"account {row.number} still has {open_tickets} ticket(s) not closed",
            )

    def require_primary_contact(self, row: Account) -> None:
        """Refuse unless the account has a primary contact with e-mail and phone."""
        primary = Contact.first(self.db, account_id=row.id, role="primary")
        if primary is None or not primary.email or not primary.phone:
            raise RuleViolation(
                "primary_contact_required",
                f"account {row.number} needs a primary contact with a valid e-mail"
                " and phone number first",
            )

    def _fields(self, row: Account) -> dict[str, Any]:
        """The account's values for the history, with the manager by user name."""
        values = row.to_dict()
        del values["id"]
        manager_id = values.pop("manager_id")
        values["manager"] = (
            User.get(self.db, manager_id).username if manager_id else None
        )
        return values

    def _manager_id(self, username: str | None) -> int | None:
        if not username:
            return None
        manager = User.first(self.db, username=username)
        if manager is None or not manager.active or manager.role not in access.WRITERS:
            raise RuleViolation(
                "manager_not_agent",
                f"account manager {username!r} is not an active agent or administrator",
                field="manager",
            )
        return int(manager.id)
