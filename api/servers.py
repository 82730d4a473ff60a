"""Servers: ordering, provisioning and tracking the managed servers of accounts.

A server goes ``ordered -> provisioning -> online <-> suspended`` and may be
``decommissioned`` from any state; that end is final. Only an active account
orders servers, and a server only comes online while its account is active.
Host names are unique for good; a primary IP is unique among the servers not
decommissioned, since decommissioning releases it for reuse.

Every write locks the account row before the server row, in the same order as
suspending an account does, so the two never wait for each other in a circle.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api import access
from api.area import Area, only_fields
from api.core import page_size as checked_page_size
from api.db import Page, ProgrammingError
from api.errors import (
    Conflict,
    Invalid,
    NotFound,
    RuleViolation,
    UniqueViolation,
)
from api.idempotency import once
from api.numbering import next_number
from api.tables import SERVER_STATUSES, Account, Server

UPDATABLE = ("operating_system", "monthly_price", "hardware_profile", "data_centre")
#: Fields that describe what was ordered; they change only before provisioning.
ORDER_ONLY = ("hardware_profile", "data_centre")
FINAL = "decommissioned"

#: Each life-cycle step: the states it starts from, the state it leads to, and
#: the action recorded in the history.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "start provisioning": (("ordered",), "provisioning", "provisioning_started"),
    "complete provisioning": (("provisioning",), "online", "provisioned"),
    "suspend": (("online",), "suspended", "suspended"),
    "resume": (("suspended",), "online", "resumed"),
    "decommission": (
        tuple(status for status in SERVER_STATUSES if status != FINAL),
        FINAL,
        "decommissioned",
    ),
}

#: Which input field a unique column of the server table is known by.
UNIQUE_FIELDS = {"primary_ip": "primaryIp", "hostname": "hostname"}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ServerRecord:
    """A server as callers see it."""

    number: str
    account_number: str
    data_centre: str
    hardware_profile: str
    operating_system: str
    monthly_price: decimal.Decimal
    hostname: str | None
    primary_ip: str | None
    status: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


def server_record(row: Server, account: Account) -> ServerRecord:
    """Build the caller's view of a server row."""
    return ServerRecord(
        number=row.number,
        account_number=account.number,
        data_centre=row.data_centre,
        hardware_profile=row.hardware_profile,
        operating_system=row.operating_system,
        monthly_price=row.monthly_price,
        hostname=row.hostname,
        primary_ip=row.primary_ip,
        status=row.status,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class Servers(Area):
    """Ordering, reading, changing and searching servers, and their life cycle."""

    entity_type = "server"

    # -- reading ------------------------------------------------------------------

    def load(self, number: str, *, for_update: bool = False) -> Server:
        """Return the server row the acting user may see, or raise ``NotFound``.

        The row's ``related["account_id"]`` holds its account.

        :param for_update: lock the account row, then the server row, until
            the transaction ends.
        """
        row = self._find(number)
        if not for_update:
            return row
        account = Account.get(self.db, row.account_id, for_update=True)
        locked = Server.get(self.db, row.id, for_update=True)
        locked.related["account_id"] = account
        return locked

    def get(self, number: str) -> ServerRecord:
        """Return one server by its number."""
        row = self.load(number)
        return server_record(row, _account_of(row))

    def search(
        self,
        *,
        account_number: str | None = None,
        status: str | None = None,
        data_centre: str | None = None,
        text: str | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """Return a page of servers, newest first, matching every given filter.

        A customer finds only the servers of its own account.

        :param text: a part of the server's host name, in any case.
        """
        filters = _search_filters(account_number, status, data_centre, text)
        if not access.is_staff(self.user):
            filters["account_id"] = self.user.account_id
        page = Server.page(
            self.db,
            size=checked_page_size(page_size),
            cursor=cursor,
            order_by=["-id"],
            related=["account_id"],
            **filters,
        )
        items = [server_record(row, _account_of(row)) for row in page.items]
        return Page(items, page.next_cursor)

    def _find(self, number: Any) -> Server:
        row = self.lookup(Server, number=number, related=["account_id"])
        if row is None or not access.may_see_account(self.user, row.account_id):
            raise NotFound(f"server {number!r} does not exist", field="serverNumber")
        return row

    # -- ordering and changing ----------------------------------------------------

    def order(
        self,
        account_number: str,
        *,
        data_centre: str,
        hardware_profile: str,
        operating_system: str,
        monthly_price: decimal.Decimal,
        request_id: str | None = None,
    ) -> ServerRecord:
        """Order a server for an active account and return it with its new number.

        :param monthly_price: exact money; a float is refused.
        :param request_id: the client's id for this request; a retry with the
            same id returns the first result instead of a second server.
        :raises RuleViolation: ``account_not_active`` unless the account is active.
        """
        access.require_writer(self.user)
        values = Server.normalize(
            {
                "data_centre": data_centre,
                "hardware_profile": hardware_profile,
                "operating_system": operating_system,
                "monthly_price": monthly_price,
            }
        )

        def create() -> str:
            account = self.session.accounts.load(account_number, for_update=True)
            _require_active(account, "servers are ordered")
            number = next_number(self.db, "server")
            row = Server.insert(self.db, number=number, account_id=account.id, **values)
            after = {**_fields(row), "account_number": account.number}
            self.record(number, "created", None, after)
            return number

        payload = {"account_number": _text(account_number), **values}
        return self.get(once(self.session, "orderServer", request_id, payload, create))

    def update(
        self, number: str, changes: Mapping[str, Any], expected_version: int
    ) -> ServerRecord:
        """Change a server's operating system, price, hardware or data centre.

        Hardware profile and data centre change only while the server is ordered.

        :param expected_version: the version the caller read; a stale one is
            refused with a conflict and nothing changes.
        """
        access.require_writer(self.user)
        only_fields(changes, UPDATABLE, "server")
        values = Server.normalize(changes)
        with self.db.transaction():
            row = self.load(number, for_update=True)
            self._check_update(row, values)
            changed = Server.update(
                self.db, row.id, values, expected_version=expected_version
            )
            self.record(row.number, "updated", _fields(row), _fields(changed))
        return server_record(changed, _account_of(row))

    def _check_update(self, row: Server, values: Mapping[str, Any]) -> None:
        if row.status == FINAL:
            raise RuleViolation(
                "server_decommissioned",
                f"server {row.number} is decommissioned; it can no longer change",
            )
        moved = [name for name in ORDER_ONLY if name in values]
        moved = [name for name in moved if values[name] != getattr(row, name)]
        if moved and row.status != "ordered":
            raise RuleViolation(
                "server_already_provisioned",
                f"server {row.number} is {row.status}; its {moved[0]} can only"
                " change while it is ordered",
                field=moved[0],
            )

    # -- life cycle ---------------------------------------------------------------

    def start_provisioning(
        self, number: str, expected_version: int | None = None
    ) -> ServerRecord:
        """Start provisioning an ordered server."""
        return self._transition(number, "start provisioning", expected_version)

    def complete_provisioning(
        self,
        number: str,
        hostname: str | None,
        primary_ip: str | None,
        expected_version: int | None = None,
    ) -> ServerRecord:
        """Bring a provisioning server online under its host name and primary IP.

        :param hostname: unique among all servers, decommissioned ones included.
        :param primary_ip: unique among the servers not decommissioned.
        :raises Conflict: when the host name or the IP is taken.
        :raises RuleViolation: ``account_not_active`` unless the account is active.
        """
        address = _address(hostname, primary_ip)
        return self._transition(
            number, "complete provisioning", expected_version, address
        )

    def suspend(self, number: str, expected_version: int | None = None) -> ServerRecord:
        """Suspend an online server."""
        return self._transition(number, "suspend", expected_version)

    def resume(self, number: str, expected_version: int | None = None) -> ServerRecord:
        """Bring a suspended server online again; its account must be active.

        :raises RuleViolation: ``account_not_active`` unless the account is active.
        """
        return self._transition(number, "resume", expected_version)

    def decommission(
        self, number: str, expected_version: int | None = None
    ) -> ServerRecord:
        """Take a server out of service for good, releasing its primary IP.

        The host name stays with the server; the IP may go to another server.
        """
        return self._transition(number, "decommission", expected_version)

    def suspend_row(self, row: Server, reason: str) -> None:
        """Suspend an online server as part of another change, such as its account's.

        No permission or account check is made: the caller has made its own,
        and holds the account's lock. A server no longer online is left alone.

        :param reason: why, recorded in the history with the change.
        """
        with self.db.transaction():
            current = Server.get(self.db, row.id, for_update=True)
            if current.status != "online":
                return
            changed = Server.update(self.db, current.id, {"status": "suspended"})
            after = {**_fields(changed), "reason": reason}
            self.record(current.number, "suspended", _fields(current), after)

    def _transition(
        self,
        number: str,
        action: str,
        expected_version: int | None,
        values: Mapping[str, Any] | None = None,
    ) -> ServerRecord:
        access.require_writer(self.user)
        allowed, status, done = TRANSITIONS[action]
        with self.db.transaction():
            row = self.load(number, for_update=True)
            account = _account_of(row)
            self.require_status(row.number, row.status, allowed, action)
            if status == "online":
                _require_active(account, f"server {row.number} comes online")

            changes = {"status": status, **(values or {}), **_released(row, status)}
            if values:
                self._require_unique(row, values)
            changed = self._save(row, changes, expected_version)
            self.record(row.number, done, _fields(row), _fields(changed))
        return server_record(changed, account)

    # -- uniqueness ---------------------------------------------------------------

    def _require_unique(self, row: Server, values: Mapping[str, Any]) -> None:
        """Refuse a host name or IP another server holds, with a clear message."""
        for name, value in values.items():
            holder = Server.first(self.db, id__ne=row.id, **{name: value})
            if holder is not None:
                raise _taken(name, value, holder.number)

    def _save(
        self, row: Server, changes: Mapping[str, Any], expected_version: int | None
    ) -> Server:
        """Update the row; a unique value taken concurrently becomes a conflict."""
        try:
            return Server.update(
                self.db, row.id, changes, expected_version=expected_version
            )
        except UniqueViolation as error:
            name = _unique_column(error)
            if name is None:
                raise
            raise _taken(name, changes[name], None) from error


def _search_filters(
    account_number: str | None,
    status: str | None,
    data_centre: str | None,
    text: str | None,
) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if account_number:
        filters["account_id__number"] = account_number
    if status:
        filters["status"] = status
    if data_centre:
        filters["data_centre"] = data_centre
    if text:
        # PostgreSQL refuses a NUL in a pattern with an error of its own.
        if isinstance(text, str) and _CONTROL.search(text):
            raise Invalid(
                "search text must not contain control characters",
                field="text",
                rule="search_text",
                value=text,
            )
        filters["hostname__contains"] = text
    return filters


def _address(hostname: str | None, primary_ip: str | None) -> dict[str, Any]:
    """Normalize a host name and an IP, both required to bring a server online."""
    values = Server.normalize({"hostname": hostname, "primary_ip": primary_ip})
    for name, value in values.items():
        if value is None:
            raise Invalid(
                f"a server needs a {name.replace('_', ' ')} to come online",
                field=UNIQUE_FIELDS[name],
                rule="required",
            )
    return values


def _released(row: Server, status: str) -> dict[str, Any]:
    """Move a decommissioned server's primary IP aside, so others may use it."""
    if status != FINAL:
        return {}
    return {"primary_ip": None, "released_ip": row.primary_ip}


def _require_active(account: Account, what: str) -> None:
    if account.status != "active":
        raise RuleViolation(
            "account_not_active",
            f"account {account.number} is {account.status}; {what} only for an"
            " active account",
            field="accountNumber",
        )


def _taken(name: str, value: Any, holder: str | None) -> Conflict:
    label = "host name" if name == "hostname" else "primary IP"
    by = f"server {holder}" if holder else "another server"
    error = Conflict(
        f"{label} {value!r} is already used by {by}",
        field=UNIQUE_FIELDS[name],
        value=value,
    )
    error.rule = f"{name}_taken"
    return error


def _unique_column(error: UniqueViolation) -> str | None:
    """Name the server column a unique violation is about, if it is one we know."""
    text = f"{error.constraint or ''} {error}"
    return next((name for name in UNIQUE_FIELDS if name in text), None)


def _account_of(row: Server) -> Account:
    account = row.related.get("account_id")
    if not isinstance(account, Account):
        raise ProgrammingError(f"server {row.number} was read without its account")
    return account


def _fields(row: Server) -> dict[str, Any]:
    values = row.to_dict()
    values.pop("id", None)
    values.pop("account_id", None)
    return values


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value
