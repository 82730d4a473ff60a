"""The walkthrough's example: notes on accounts, from the table to SOAP.

Each step of ``docs/walkthrough.rst`` shows one part of this file, and
``tests/docs/test_walkthrough.py`` runs every part on SQLite and PostgreSQL,
so the walkthrough cannot drift from the code it describes. In CORE itself
each part goes to the module named in its docstring.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from spyne import Application, Integer, ServiceBase, Unicode, rpc

from api import access
from api.area import Area
from api.core import Core
from api.db import (
    Migration,
    Reference,
    Schema,
    Serial,
    Table,
    Text,
    Timestamp,
    create_table,
    utcnow,
)
from api.tables import SCHEMA, Account, User
from service.app import CoreApplication
from service.auth import Authenticator, Throttle
from service.faults import FAULTS
from service.hardening import HardenedSoap11
from service.operations import SERVICES, AccountNumber, session
from service.types import TNS, CoreModel, fields_of, required, to_model


class AccountNote(Table):
    """A note staff keep on an account: a call, a promise, a warning.

    Goes to ``api/tables.py``, beside the other tables.
    """

    __table__ = "account_note"
    __indexes__ = [("account_id", "id")]
    id = Serial()
    account_id = Reference(Account, on_delete="CASCADE")
    author_id = Reference(User, doc="The user who wrote it.")
    body = Text(2000, multiline=True, doc="The note's text.")
    created_at = Timestamp(default=utcnow, doc="When it was written (UTC).")


def schema_with_notes(base: Schema = SCHEMA) -> Schema:
    """CORE's schema with the notes table, created by one more migration.

    In ``api/tables.py``: add ``AccountNote`` to ``SCHEMA``'s tables and the
    migration to its list.
    """
    add_notes = Migration(
        version=base.version + 1,
        description="account notes",
        apply=create_table(AccountNote),
    )
    return Schema([*base.tables, AccountNote], [*base.migrations, add_notes])


@dataclass(frozen=True)
class NoteRecord:
    """A note as callers see it. Goes to ``api/notes.py``."""

    id: int
    account_number: str
    author: str
    body: str
    created_at: dt.datetime


class Notes(Area):
    """Notes on accounts: staff read them, agents and administrators write them.

    Goes to ``api/notes.py``; ``Session`` gets a ``notes`` property like its
    ``accounts``.
    """

    entity_type = "account"

    def add(self, account_number: str, body: str) -> NoteRecord:
        """Add a note to an account; its history records who did."""
        access.require_writer(self.user)
        with self.db.transaction():
            account = self.session.accounts.load(account_number)
            row = AccountNote.insert(
                self.db, account_id=account.id, author_id=self.user.id, body=body
            )
            self.record(account.number, "noted", None, {"note": row.body})
        return NoteRecord(
            row.id, account.number, self.user.username, row.body, row.created_at
        )

    def list(self, account_number: str) -> list[NoteRecord]:
        """Return an account's notes, oldest first (staff only)."""
        access.require_staff(self.user)
        account = self.session.accounts.load(account_number)
        rows = AccountNote.find(
            self.db, account_id=account.id, order_by=["id"], related=["author_id"]
        )
        return [
            NoteRecord(
                row.id,
                account.number,
                row.related["author_id"].username,
                row.body,
                row.created_at,
            )
            for row in rows
        ]


class Note(CoreModel):
    """A note staff keep on an account. Goes to ``service/models.py``."""

    _type_info = [
        ("id", required(Integer, "The note's id.")),
        ("accountNumber", required(Unicode, "The account's number.", max_len=12)),
        ("author", required(Unicode, "The user name of who wrote it.")),
        *fields_of(AccountNote, ["body", "created_at"], ["body", "created_at"]),
    ]


class NoteService(ServiceBase):
    """Notes staff keep on accounts. Goes to ``service/operations.py``."""

    @rpc(
        AccountNumber,
        required(Unicode, "The note's text.", max_len=2000),
        _returns=Note,
        _throws=FAULTS,
    )
    def addNote(ctx, accountNumber, body):
        """Add a note to an account (agents and administrators)."""
        return to_model(Note, Notes(session(ctx)).add(accountNumber, body))

    @rpc(
        AccountNumber,
        _returns=Note.customize(max_occurs="unbounded"),
        _throws=FAULTS,
    )
    def listNotes(ctx, accountNumber):
        """Return an account's notes, oldest first (staff only)."""
        notes = Notes(session(ctx)).list(accountNumber)
        return [to_model(Note, note) for note in notes]


def build_application_with_notes(core: Core, throttle: Throttle | None = None) -> Any:
    """``service.app.build_application`` with ``NoteService`` among the services.

    In CORE, adding ``NoteService`` to ``SERVICES`` in ``service/operations.py``
    is all it takes: the application, the WSDL and ``/docs`` pick it up.
    """
    app: Application = CoreApplication(
        [*SERVICES, NoteService],
        tns=TNS,
        name="Core",
        in_protocol=HardenedSoap11(validator="lxml"),
        out_protocol=HardenedSoap11(),
    )
    authenticate = Authenticator(core, throttle or Throttle())
    app.event_manager.add_listener("method_call", authenticate)
    return app
