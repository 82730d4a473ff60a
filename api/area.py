"""What every business area shares: its session, history and life-cycle checks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from api import history
from api.db import Table, ValidationError
from api.errors import Invalid, RuleViolation

if TYPE_CHECKING:
    from api.core import Session

T = TypeVar("T", bound=Table)


class Area:
    """Base of the business areas; each works in one session's name.

    :param session: the acting user's session.
    """

    #: The entity type recorded in the history by this area.
    entity_type: ClassVar[str] = ""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.db = session.db
        self.user = session.user

    def lookup(self, table: type[T], **filters: Any) -> T | None:
        """Return the first row matching ``filters``; a malformed key finds none."""
        try:
            return table.first(self.db, **filters)
        except ValidationError:
            return None

    def record(
        self,
        key: str,
        action: str,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
    ) -> None:
        """Record a change of one of this area's entities in the history."""
        history.record(self.session, self.entity_type, key, action, before, after)

    def require_status(
        self, key: str, status: str, allowed: Iterable[str], action: str
    ) -> None:
        """Refuse ``action`` unless the entity's status is one of ``allowed``."""
        allowed = tuple(allowed)
        if status not in allowed:
            raise RuleViolation(
                "invalid_transition",
                f"{self.entity_type} {key} is {status}; {action} needs it to be"
                f" {' or '.join(allowed)}",
                field="status",
            )


def only_fields(
    changes: Mapping[str, Any], allowed: Iterable[str], entity: str
) -> None:
    """Refuse an update that names a field callers may not change directly."""
    allowed = set(allowed)
    for name in changes:
        if name not in allowed:
            raise Invalid(
                f"{entity} field {name!r} cannot be changed by an update"
                f" (changeable: {', '.join(sorted(allowed))})",
                field=name,
                rule="not_updatable",
            )
