"""Users and roles: who can sign in, and what each may do.

Only administrators manage users. A ``customer`` user is bound to exactly one
account; staff users are bound to none. The last active administrator cannot
be demoted or deactivated, so CORE never locks itself out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api import access, passwords
from api.area import Area, only_fields
from api.core import page_size as checked_page_size
from api.db import Page, ValidationError
from api.errors import Conflict, Invalid, NotFound, RuleViolation
from api.idempotency import once
from api.tables import Account, User

UPDATABLE = ("display_name", "email", "role", "active", "account_number", "password")


@dataclass(frozen=True)
class UserRecord:
    """A user as callers see it; never with a password or its hash."""

    username: str
    display_name: str
    email: str
    role: str
    account_number: str | None
    active: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


def user_record(row: User, account: Account | None) -> UserRecord:
    """Build the caller's view of a user row."""
    return UserRecord(
        username=row.username,
        display_name=row.display_name,
        email=row.email,
        role=row.role,
        account_number=account.number if account else None,
        active=row.active,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class Users(Area):
    """Managing users (administrators) and asking who one is (everyone)."""

    entity_type = "user"

    def who_am_i(self) -> UserRecord:
        """Return the acting user."""
        return self._record(User.get(self.db, self.user.id))

    def get(self, username: str) -> UserRecord:
        """Return one user by user name."""
        access.require_admin(self.user)
        return self._record(self.load(username))

    def load(self, username: str) -> User:
        """Return the user row called ``username``, or raise ``NotFound``."""
        try:
            row = User.first(self.db, username=username)
        except ValidationError:
            row = None
        if row is None:
            raise NotFound(f"user {username!r} does not exist", field="username")
        return row

    def search(
        self,
        *,
        role: str | None = None,
        active: bool | None = None,
        text: str | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """Return a page of users in user-name order.

        :param text: a part of the display name, in any case.
        """
        access.require_admin(self.user)
        filters: dict[str, Any] = {}
        if role:
            filters["role"] = role
        if active is not None:
            filters["active"] = active
        if text:
            filters["display_name__contains"] = text
        page = User.page(
            self.db,
            size=checked_page_size(page_size),
            cursor=cursor,
            order_by=["username"],
            related={"account_id": ["number"]},
            **filters,
        )
        items = [user_record(row, row.related["account_id"]) for row in page.items]
        return Page(items, page.next_cursor)

    def create(
        self,
        *,
        username: str,
        display_name: str,
        email: str,
        role: str,
        password: str,
        account_number: str | None = None,
        request_id: str | None = None,
    ) -> UserRecord:
        """Create a user; a customer needs the number of the account it may see."""
        access.require_admin(self.user)
        payload = {
            "username": username,
            "display_name": display_name,
            "email": email,
            "role": role,
            "account_number": account_number,
        }

        def create() -> str:
            values: dict[str, Any] = {
                "username": username,
                "display_name": display_name,
                "email": email,
                "role": role,
            }
            values["account_id"] = self._binding(role, account_number)
            normalized = User.normalize(values)
            if User.exists(self.db, username=normalized["username"]):
                raise _taken(normalized["username"])
            secret = passwords.hash_password(passwords.check_strength(password))
            row = User.insert(self.db, password_hash=secret, **normalized)
            self.record(row.username, "created", None, _fields(row))
            return str(row.username)

        return self._record(
            self.load(once(self.session, "createUser", request_id, payload, create))
        )

    def update(
        self, username: str, changes: Mapping[str, Any], expected_version: int
    ) -> UserRecord:
        """Change a user's name, e-mail, role, binding, active flag or password."""
        access.require_admin(self.user)
        only_fields(changes, UPDATABLE, "user")
        with self.db.transaction():
            row = User.get(self.db, self.load(username).id, for_update=True)
            values = self._values(row, changes)
            changed = User.update(
                self.db, row.id, values, expected_version=expected_version
            )
            self._keep_an_admin(row, changed)
            action = "password_changed" if set(changes) == {"password"} else "updated"
            self.record(row.username, action, _fields(row), _fields(changed))
        return self._record(changed)

    # -- rules --------------------------------------------------------------------

    def _values(self, row: User, changes: Mapping[str, Any]) -> dict[str, Any]:
        values = {
            k: v for k, v in changes.items() if k not in ("password", "account_number")
        }
        role = User.normalize({"role": changes.get("role", row.role)})["role"]
        if "account_number" in changes or "role" in changes:
            number = changes.get("account_number", self._number(row))
            values["account_id"] = self._binding(role, number)
        if "password" in changes:
            values["password_hash"] = passwords.hash_password(
                passwords.check_strength(changes["password"])
            )
            values["password_changed_at"] = self.session.now()
        return values

    def _number(self, row: User) -> str | None:
        return Account.get(self.db, row.account_id).number if row.account_id else None

    def _binding(self, role: str, account_number: str | None) -> int | None:
        """Return the account id a user of ``role`` is bound to."""
        if role != "customer":
            if account_number:
                raise Invalid(
                    "only customer users are bound to an account",
                    field="accountNumber",
                    rule="staff_unbound",
                    value=account_number,
                )
            return None
        if not account_number:
            raise Invalid(
                "a customer user needs the number of its account",
                field="accountNumber",
                rule="required",
            )
        account = Account.first(self.db, number=account_number)
        if account is None:
            raise NotFound(
                f"account {account_number!r} does not exist", field="accountNumber"
            )
        return int(account.id)

    def _keep_an_admin(self, before: User, after: User) -> None:
        was_admin = before.role == "admin" and before.active
        if not was_admin or (after.role == "admin" and after.active):
            return
        if User.count(self.db, role="admin", active=True) == 0:
            raise RuleViolation(
                "last_admin",
                f"{before.username} is the last active administrator;"
                " appoint another first",
            )

    def _record(self, row: User) -> UserRecord:
        account = Account.get(self.db, row.account_id) if row.account_id else None
        return user_record(row, account)


def _taken(username: str) -> Conflict:
    return Conflict(
        f"user name {username!r} is taken", field="username", value=username
    )


def _fields(row: User) -> dict[str, Any]:
    values = row.to_dict()
    for hidden in ("id", "password_hash", "password_changed_at"):
        values.pop(hidden, None)
    return values
