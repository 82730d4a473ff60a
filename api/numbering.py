"""Human-readable numbers (A-100042, S-200017, T-300123) from counters.

Each kind of number has a row in the ``counter`` table, advanced inside the
caller's transaction, so a number is never handed out twice and a rolled-back
creation gives its number back.
"""

from __future__ import annotations

from api.db import Database, UniqueViolation
from api.tables import Counter

#: The prefix and the first number of each kind.
KINDS = {"account": ("A", 100001), "server": ("S", 200001), "ticket": ("T", 300001)}


def next_number(db: Database, kind: str) -> str:
    """Advance the counter of ``kind`` and return its new number as text."""
    prefix, first = KINDS[kind]
    with db.transaction():
        counter = Counter.get_or_none(db, kind)
        if counter is None:
            return f"{prefix}-{_start(db, kind, first)}"
        current = Counter.get(db, kind, for_update=True)
        Counter.update(
            db, kind, {"value": current.value + 1}, expected_version=current.version
        )
        return f"{prefix}-{current.value + 1}"


def _start(db: Database, kind: str, first: int) -> int:
    """Create the counter; if a concurrent caller just did, advance theirs."""
    try:
        with db.transaction():
            Counter.insert(db, name=kind, value=first)
            return first
    except UniqueViolation:
        return int(next_number(db, kind).split("-")[1])
