"""Contacts: the people at an account, one of whom is its primary contact.

An active or suspended account always has exactly one primary contact, with a
valid e-mail and phone: making another contact primary demotes the old one to
``technical`` in the same transaction, and the last primary contact of such an
account can be neither removed nor demoted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api import access
from api.area import Area, only_fields
from api.errors import NotFound, RuleViolation, ValidationError
from api.idempotency import once
from api.tables import Account, Contact

FIELDS = ("name", "role", "email", "phone", "street", "city", "postal_code", "country")
#: Account states in which the primary contact must stay complete.
GUARDED = ("active", "suspended")


@dataclass(frozen=True)
class ContactRecord:
    """A contact as callers see it."""

    id: int
    account_number: str
    name: str
    role: str
    email: str | None
    phone: str | None
    street: str | None
    city: str | None
    postal_code: str | None
    country: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


def contact_record(row: Contact, account: Account) -> ContactRecord:
    """Build the caller's view of a contact row."""
    values = {name: getattr(row, name) for name in FIELDS}
    return ContactRecord(
        id=row.id,
        account_number=account.number,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        **values,
    )


class Contacts(Area):
    """Adding, reading, changing and removing the contacts of accounts."""

    entity_type = "contact"

    def get(self, contact_id: int) -> ContactRecord:
        """Return one contact by its id."""
        row, account = self._load(contact_id)
        return contact_record(row, account)

    def list(self, account_number: str) -> list[ContactRecord]:
        """Return every contact of an account, primary first."""
        account = self.session.accounts.load(account_number)
        rows = Contact.find(self.db, account_id=account.id, order_by=["id"])
        rows.sort(key=lambda row: row.role != "primary")
        return [contact_record(row, account) for row in rows]

    def add(
        self,
        account_number: str,
        *,
        name: str,
        role: str,
        country: str,
        email: str | None = None,
        phone: str | None = None,
        street: str | None = None,
        city: str | None = None,
        postal_code: str | None = None,
        request_id: str | None = None,
    ) -> ContactRecord:
        """Add a contact to an account; a new primary contact demotes the old one."""
        access.require_writer(self.user)
        values = {
            "name": name,
            "role": role,
            "email": email,
            "phone": phone,
            "street": street,
            "city": city,
            "postal_code": postal_code,
            "country": country,
        }

        def create() -> str:
            account = self.session.accounts.load(account_number, for_update=True)
            self._refuse_closed(account)
            normalized = Contact.normalize(values)
            self._check_primary(account, normalized)
            if normalized["role"] == "primary":
                self._demote_primary(account, keep=None)
            row = Contact.insert(self.db, account_id=account.id, **normalized)
            self.record(str(row.id), "created", None, _fields(row, account))
            return str(row.id)

        payload = {"account_number": account_number, **values}
        key = once(self.session, "addContact", request_id, payload, create)
        return self.get(int(key))

    def update(
        self, contact_id: int, changes: Mapping[str, Any], expected_version: int
    ) -> ContactRecord:
        """Change a contact; making it primary demotes the account's old primary."""
        access.require_writer(self.user)
        only_fields(changes, FIELDS, "contact")
        with self.db.transaction():
            row, account = self._load(contact_id, for_update=True)
            self._refuse_closed(account)
            merged = Contact.normalize({**row.to_dict(), **changes} | {"id": row.id})
            self._check_primary(account, merged, current=row)
            if merged["role"] == "primary" and row.role != "primary":
                self._demote_primary(account, keep=row.id)
            changed = Contact.update(
                self.db, row.id, dict(changes), expected_version=expected_version
            )
            self.record(
                str(row.id), "updated", _fields(row, account), _fields(changed, account)
            )
        return contact_record(changed, account)

    def remove(self, contact_id: int, expected_version: int | None = None) -> None:
        """Remove a contact; the primary contact of an active account stays."""
        access.require_writer(self.user)
        with self.db.transaction():
            row, account = self._load(contact_id, for_update=True)
            if row.role == "primary" and account.status in GUARDED:
                raise RuleViolation(
                    "last_primary_contact",
                    f"contact {row.id} is the primary contact of {account.status}"
                    f" account {account.number}; make another contact primary first",
                )
            Contact.delete(self.db, row.id, expected_version=expected_version)
            self.record(str(row.id), "removed", _fields(row, account), None)

    # -- rules --------------------------------------------------------------------

    def _load(
        self, contact_id: Any, *, for_update: bool = False
    ) -> tuple[Contact, Account]:
        missing = NotFound(f"contact {contact_id!r} does not exist", field="contactId")
        try:
            row = Contact.get_or_none(self.db, contact_id)
        except ValidationError:
            raise missing from None
        if row is None or not access.may_see_account(self.user, row.account_id):
            raise missing
        account = Account.get(self.db, row.account_id, for_update=for_update)
        if for_update:
            row = Contact.get(self.db, row.id)
        return row, account

    def _refuse_closed(self, account: Account) -> None:
        if account.status == "closed":
            raise RuleViolation(
                "account_closed",
                f"account {account.number} is closed; contacts are final",
            )

    def _check_primary(
        self,
        account: Account,
        values: Mapping[str, Any],
        current: Contact | None = None,
    ) -> None:
        """Keep an active account's primary contact present and complete."""
        if account.status not in GUARDED:
            return
        if (
            current is not None
            and current.role == "primary"
            and values["role"] != "primary"
        ):
            raise RuleViolation(
                "last_primary_contact",
                f"contact {current.id} is the primary contact of {account.status}"
                f" account {account.number}; make another contact primary instead",
                field="role",
            )
        if values["role"] == "primary" and not (
            values.get("email") and values.get("phone")
        ):
            raise RuleViolation(
                "primary_contact_incomplete",
                f"the primary contact of {account.status} account {account.number}"
                " needs a valid e-mail and phone number",
                field="email" if not values.get("email") else "phone",
            )

    def _demote_primary(self, account: Account, keep: int | None) -> None:
        for old in Contact.find(self.db, account_id=account.id, role="primary"):
            if old.id == keep:
                continue
            changed = Contact.update(self.db, old.id, {"role": "technical"})
            self.record(
                str(old.id), "demoted", _fields(old, account), _fields(changed, account)
            )


def _fields(row: Contact, account: Account) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in FIELDS}
    values["account_number"] = account.number
    return values
