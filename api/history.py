"""The change history: who changed which entity, when, and each field's values.

Every business write records its change here inside its own transaction, so a
change and its history entry are committed, or rolled back, together.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from api import access
from api.errors import Invalid
from api.tables import ENTITY_TYPES, History

if TYPE_CHECKING:
    from api.core import Session

#: Fields that change with every write, or must never be copied anywhere.
UNRECORDED = frozenset({"version", "updated_at", "created_at", "password_hash"})


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after a change (``None`` for no value)."""

    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded change of an entity."""

    entity_type: str
    key: str
    action: str
    actor: str
    at: dt.datetime
    changes: list[FieldChange]


def portable(value: Any) -> Any:
    """Return ``value`` as JSON can hold it: times, dates and money as text."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def diff(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Return ``{field: [old, new]}`` for each field whose value differs."""
    old, new = before or {}, after or {}
    changed = {}
    for name in sorted(set(old) | set(new)):
        if name in UNRECORDED or old.get(name) == new.get(name):
            continue
        changed[name] = [portable(old.get(name)), portable(new.get(name))]
    return changed


def record(
    session: Session,
    entity_type: str,
    key: str,
    action: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """Record one change of an entity in the caller's transaction."""
    History.insert(
        session.db,
        entity_type=entity_type,
        entity_key=key,
        action=action,
        actor=session.user.username,
        at=session.now(),
        changes=diff(before, after),
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class HistoryArea:
    """Reading the recorded changes of an entity (staff only)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def list(self, entity_type: str, key: str) -> list[HistoryEntry]:
        """Return every recorded change of one entity, oldest first.

        :param entity_type: ``user``, ``account``, ``contact``, ``server`` or
            ``ticket``.
        :param key: the entity's number, user name, or contact id.
        """
        access.require_staff(self.session.user)
        if entity_type not in ENTITY_TYPES:
            raise Invalid(
                f"unknown entity type {entity_type!r};"
                f" one of {', '.join(ENTITY_TYPES)}",
                field="entityType",
                rule="enum",
                value=entity_type,
            )
        rows = History.find(
            self.session.db,
            entity_type=entity_type,
            entity_key=str(key),
            order_by=["id"],
        )
        return [self._entry(row) for row in rows]

    def _entry(self, row: History) -> HistoryEntry:
        changes = [
            FieldChange(name, _text(values[0]), _text(values[1]))
            for name, values in sorted(row.changes.items())
        ]
        return HistoryEntry(
            row.entity_type, row.entity_key, row.action, row.actor, row.at, changes
        )
