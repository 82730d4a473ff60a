"""The one error tree of CORE, shaped like DB-API 2.0's at the table layer.

Every error CORE raises derives from :class:`Error`. Each class carries a stable
``code`` that the business layer and the SOAP façade map to fault codes, so a
caller can tell a refused value from a lost connection without parsing text.
"""

from __future__ import annotations

from typing import Any

#: How many characters of an offending value an error message may quote.
EXCERPT_LENGTH = 40


def excerpt(value: Any) -> str:
    """Return a short, printable representation of ``value`` for messages."""
    text = repr(value)
    if len(text) > EXCERPT_LENGTH:
        text = text[: EXCERPT_LENGTH - 3] + "..."
    return text


class Error(Exception):
    """Base of every error raised by CORE."""

    code = "internal"


class InterfaceError(Error):
    """The database interface was misused (a closed database, a bad URL)."""


class DatabaseError(Error):
    """An error reported by, or about, the database."""


class DataError(DatabaseError):
    """A value cannot be stored: wrong type, too long, out of range."""

    code = "validation"


class ValidationError(DataError):
    """A value was refused by its column's normalizer.

    :param message: what was refused and why.
    :param table: the table the column belongs to.
    :param column: the column whose rule refused the value.
    :param value: the refused value (messages only quote an excerpt of it).
    :param rule: a short, stable name of the rule (``max_length``, ``email``).
    """

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        column: str | None = None,
        value: Any = None,
        rule: str = "invalid",
    ) -> None:
        self.table = table
        self.column = column
        self.value = value
        self.rule = rule
        self.reason = message
        super().__init__(self._full_message())

    @property
    def field(self) -> str | None:
        """The qualified name of the refused field, ``table.column``."""
        if self.column is None:
            return None
        return f"{self.table}.{self.column}" if self.table else self.column

    def _full_message(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{where}{self.reason} (rule: {self.rule}, value: {excerpt(self.value)})"


class OperationalError(DatabaseError):
    """The database could not do its work: lost connection, locked, timed out."""

    code = "unavailable"


class IntegrityError(DatabaseError):
    """A constraint of the schema refused the change."""

    code = "conflict"

    def __init__(self, message: str, *, constraint: str | None = None) -> None:
        super().__init__(message)
        self.constraint = constraint


class UniqueViolation(IntegrityError):
    """A value that must be unique is already taken."""


class ForeignKeyViolation(IntegrityError):
    """A reference points at a row that does not exist, or is still referenced."""


class CheckViolation(IntegrityError):
    """A CHECK or NOT NULL constraint refused a value."""


class ConflictError(IntegrityError):
    """An update named a version that is no longer current.

    Raised by optimistic concurrency control: somebody else changed the row
    after the caller read it. Nothing was changed.
    """


class NotFoundError(DatabaseError):
    """A row looked up by its key does not exist."""

    code = "not_found"


class InternalError(DatabaseError):
    """The database reported an internal inconsistency."""


class ProgrammingError(DatabaseError):
    """CORE's own code asked for something impossible: an unknown column."""


class NotSupportedError(DatabaseError):
    """The database or its driver lacks a capability CORE asked for."""


class SchemaVersionError(DatabaseError):
    """The database's schema is older or newer than this code expects."""

    code = "unavailable"
