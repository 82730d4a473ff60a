"""Column declarations: each one knows its SQL type and normalizes its values.

A column's :meth:`Column.normalize` is the gate every value passes on its way
into the database: it converts what a caller sent (a Python value or the text a
SOAP request carried) into the one canonical Python value for the column, or
raises :class:`~api.db.errors.ValidationError` naming the table, the column,
the value and the rule. :meth:`Column.to_db` and :meth:`Column.from_db` then
translate canonical values to and from what each driver stores, so a row reads
back identically on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from api.db.errors import ValidationError

if TYPE_CHECKING:
    from api.db.dialects import Dialect
    from api.db.table import Table


class _Missing:
    """Marks a column without a default value."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f]")

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def sql_literal(value: str) -> str:
    """Quote a declared constant (an enum choice) as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


class Column:
    """A column of a table: its SQL type, constraints and normalizer.

    :param null: whether the column accepts ``None`` (SQL ``NULL``).
    :param default: a value, or a callable returning one, used when an insert
        does not give the column.
    :param unique: whether values must be unique in the table.
    :param index: whether to create an index on the column.
    :param primary_key: whether the column is the table's primary key.
    :param doc: a sentence describing the column, shown in generated documentation.
    """

    #: The name used for the column's type in introspection and documentation.
    type_name = "any"
    #: The Python type of the column's canonical values.
    python_type: type = object
    #: Whether a blank string means "no value" for this column.
    blank_is_null = True
    #: Whether the database fills the column on insert (serial keys, versions).
    generated = False
    #: Names of other columns of the row that the normalizer reads.
    depends_on: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        null: bool = False,
        default: Any = MISSING,
        unique: bool = False,
        index: bool = False,
        primary_key: bool = False,
        doc: str = "",
    ) -> None:
        self.null = null
        self.default = default
        self.unique = unique
        self.index = index
        self.primary_key = primary_key
        self.doc = doc
        self.name = ""
        self.table_name = ""
        self.table: type[Table] | None = None

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        raise AttributeError(f"{self.table_name}.{self.name} was not loaded")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.table_name}.{self.name}>"

    # -- normalizing ------------------------------------------------------------

    def normalize(self, value: Any, row: Mapping[str, Any] | None = None) -> Any:
        """Return the canonical value for ``value``, or raise ``ValidationError``.

        :param row: the other values of the row, for normalizers that depend on
            them (a phone number's region comes from the row's country).
        """
        if isinstance(value, str) and self.blank_is_null and not value.strip():
            value = None
        if value is None:
            if self.null or self.generated:
                return None
            raise self.fail(value, "a value is required", "required")
        return self.convert(value, row or {})

    def convert(self, value: Any, row: Mapping[str, Any]) -> Any:
        """Convert a non-null value; subclasses refine this."""
        return value

    def default_value(self) -> Any:
        """Return the default for an insert, calling it when it is callable."""
        if callable(self.default):
            return self.default()
        return self.default

    def fail(self, value: Any, reason: str, rule: str) -> ValidationError:
        """Build the error that refuses ``value`` for this column."""
        return ValidationError(
            reason, table=self.table_name, column=self.name, value=value, rule=rule
        )

    # -- storage ------------------------------------------------------------------

    def to_db(self, value: Any, dialect: Dialect) -> Any:
        """Translate a canonical value into what the driver stores."""
        return value

    def from_db(self, value: Any, dialect: Dialect) -> Any:
        """Translate what the driver returned into the canonical value."""
        return value

    def sql_type(self, dialect: Dialect) -> str:
        """Return the column's SQL type in ``dialect``."""
        raise NotImplementedError

    def checks(self, quoted: str, dialect: Dialect) -> list[str]:
        """Return CHECK expressions for the column, written against ``quoted``."""
        return []

    # -- introspection ------------------------------------------------------------

    def facets(self) -> dict[str, Any]:
        """Return the rules a value must follow, for documentation and schemas."""
        return {}

    def describe(self) -> dict[str, Any]:
        """Return everything known about the column as plain data."""
        return {
            "name": self.name,
            "type": self.type_name,
            "nullable": self.null,
            "unique": self.unique,
            "primary_key": self.primary_key,
            "generated": self.generated,
            "has_default": self.default is not MISSING,
            "doc": self.doc,
            "facets": self.facets(),
        }


class Text(Column):
    """Text, trimmed, without control characters, with an optional maximum length.

    :param max_length: the most characters a value may have.
    :param min_length: the fewest characters a value may have.
    :param multiline: whether line breaks and tabs are allowed.
    :param pattern: a regular expression the whole value must match.
    """

    type_name = "text"
    python_type = str
    blank_is_null = False

    def __init__(
        self,
        max_length: int | None = None,
        *,
        min_length: int = 0,
        multiline: bool = False,
        pattern: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.max_length = max_length
        self.min_length = min_length
        self.multiline = multiline
        self.pattern = pattern
        self._pattern = re.compile(pattern) if pattern else None

    def convert(self, value: Any, row: Mapping[str, Any]) -> Any:
        if not isinstance(value, str):
            raise self.fail(value, "must be text", "type")
        value = value.strip()
        control = _CONTROL if self.multiline else _CONTROL_SINGLE_LINE
        if control.search(value):
            raise self.fail(value, "must not contain control characters", "control")
        return self.check_length(self.clean(value, row))

    def clean(self, value: str, row: Mapping[str, Any]) -> str:
        """Validate and normalize stripped text; format columns override this."""
        if self._pattern and not self._pattern.fullmatch(value):
            raise self.fail(value, f"must match {self.pattern}", "pattern")
        return value

    def check_length(self, value: str) -> str:
        """Refuse a value outside the column's length limits."""
        if self.max_length is not None and len(value) > self.max_length:
            reason = f"is longer than {self.max_length} characters"
            raise self.fail(value, reason, "max_length")
        if len(value) < self.min_length:
            reason = f"is shorter than {self.min_length} characters"
            raise self.fail(value, reason, "min_length")
        return value

    def sql_type(self, dialect: Dialect) -> str:
        if dialect.name == "postgresql" and self.max_length:
            return f"VARCHAR({self.max_length})"
        return "TEXT"

    def checks(self, quoted: str, dialect: Dialect) -> list[str]:
        found = []
        if dialect.name == "sqlite" and self.max_length:
            found.append(f"length({quoted}) <= {self.max_length}")
        if self.min_length:
            found.append(f"length({quoted}) >= {self.min_length}")
        return found

    def facets(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.max_length is not None:
            found["max_length"] = self.max_length
        if self.min_length:
            found["min_length"] = self.min_length
        if self.pattern:
            found["pattern"] = self.pattern
        return found


class Integer(Column):
    """A whole number within optional bounds (64-bit at most)."""

    type_name = "integer"
    python_type = int

    def __init__(
        self,
        *,
        min_value: int | None = None,
        max_value: int | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.min_value = min_value
        self.max_value = max_value

    def convert(self, value: Any, row: Mapping[str, Any]) -> Any:
        number = self.parse(value)
        low = INT64_MIN if self.min_value is None else self.min_value
        high = INT64_MAX if self.max_value is None else self.max_value
        if number < low:
            raise self.fail(value, f"is less than {low}", "min_value")
        if number > high:
            raise self.fail(value, f"is greater than {high}", "max_value")
        return number

    def parse(self, value: Any) -> int:
        """Read an integer from an ``int`` or its decimal text."""
        if isinstance(value, bool):
            raise self.fail(value, "must be a whole number", "type")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,20}\s*", value):
            return int(value)
        raise self.fail(value, "must be a whole number", "type")

    def sql_type(self, dialect: Dialect) -> str:
        return "BIGINT" if dialect.name == "postgresql" else "INTEGER"

    def checks(self, quoted: str, dialect: Dialect) -> list[str]:
        found = []
        if self.min_value is not None:
            found.append(f"{quoted} >= {int(self.min_value)}")
        if self.max_value is not None:
            found.append(f"{quoted} <= {int(self.max_value)}")
        return found

    def facets(self) -> dict[str, Any]:
        found = {}
        if self.min_value is not None:
            found["min_value"] = self.min_value
        if self.max_value is not None:
            found["max_value"] = self.max_value
        return found


class Serial(Integer):
    """A generated integer key, filled by the database on insert."""

    type_name = "serial"
    generated = True

    def __init__(self, **options: Any) -> None:
        options.setdefault("primary_key", True)
        super().__init__(min_value=1, **options)

    def sql_type(self, dialect: Dialect) -> str:
        if dialect.name == "postgresql":
            return "BIGINT GENERATED BY DEFAULT AS IDENTITY"
        return "INTEGER"

    def checks(self, quoted: str, dialect: Dialect) -> list[str]:
        return []


class Version(Integer):
    """The row version for optimistic concurrency: 1 on insert, +1 per update."""

    type_name = "version"
    generated = True

    def __init__(self, **options: Any) -> None:
        options.setdefault("doc", "Row version; an update must name the current one.")
        super().__init__(min_value=1, default=1, **options)


class Reference(Integer):
    """A foreign key to another table's primary key.

    :param target: the referenced table class, or its ``__table__`` name.
    :param on_delete: ``RESTRICT`` (the default) or ``CASCADE``.
    """

    type_name = "reference"

    def __init__(
        self, target: type[Table] | str, *, on_delete: str = "RESTRICT", **options: Any
    ) -> None:
        super().__init__(min_value=1, **options)
        if on_delete not in ("RESTRICT", "CASCADE", "SET NULL"):
            raise ValueError(f"unknown on_delete action: {on_delete!r}")
        self.target = target
        self.on_delete = on_delete

    @property
    def target_class(self) -> type[Table] | None:
        """The referenced table class, looked up by name when given as text."""
        if not isinstance(self.target, str):
            return self.target
        from api.db.table import TableMeta

        return TableMeta.registry.get(self.target)

    @property
    def target_table(self) -> str:
        """The name of the referenced table."""
        if isinstance(self.target, str):
            return self.target
        return self.target.__table__

    def checks(self, quoted: str, dialect: Dialect) -> list[str]:
        return []

    def facets(self) -> dict[str, Any]:
        return {"references": self.target_table}


class Decimal(Column):
    """An exact decimal number (money) with a precision and a scale.

    Floats are refused: money must never pass through binary floating point.
    SQLite stores the value as an integer count of the smallest unit, so sums
    and comparisons stay exact there too.
    """

    type_name = "decimal"
    python_type = decimal.Decimal

    def __init__(
        self,
        precision: int = 12,
        scale: int = 2,
        *,
        min_value: decimal.Decimal | int | str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        if not 0 <= scale <= precision <= 18:
            raise ValueError("a decimal column needs 0 <= scale <= precision <= 18")
        self.precision = precision
        self.scale = scale
        self.min_value = None if min_value is None else decimal.Decimal(min_value)
        self.quantum = decimal.Decimal(1).scaleb(-scale)

    def convert(self, value: Any, row: Mapping[str, Any]) -> Any:
        number = self.parse(value)
        if number.as_tuple().exponent < -self.scale:  # type: ignore[operator]
            reason = f"has more than {self.scale} decimal places"
            raise self.fail(value, reason, "scale")
        if abs(number) >= decimal.Decimal(10) ** (self.precision - self.scale):
            reason = f"has more than {self.precision - self.scale} integer digits"
            raise self.fail(value, reason, "precision")
        if self.min_value is not None and number < self.min_value:
            raise self.fail(value, f"is less than {self.min_value}", "min_value")
        return number.quantize(self.quantum)

    def parse(self, value: Any) -> decimal.Decimal:
        """Read an exact decimal from a ``Decimal``, an ``int`` or text."""
        if isinstance(value, bool) or isinstance(value, float):
            raise self.fail(value, "must be an exact decimal, not a float", "type")
        if isinstance(value, int):
            return decimal.Decimal(value)
        if isinstance(value, str) and re.fullmatch(
            r"\s*[+-]?\d{1,30}(\.\d{1,30})?\s*", value
        ):
            return decimal.Decimal(value.strip())
        if isinstance(value, decimal.Decimal) and value.is_finite():
            return value
        raise self.fail(value, "must be a decimal number", "type")

    def to_db(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return int(value.scaleb(self.scale))

    def from_db(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (
                decimal.Decimal(int(value)).scaleb(-self.scale).quantize(self.quantum)
            )
        return decimal.Decimal(value).quantize(self.quantum)

    def sql_type(self, dialect: Dialect) -> str:
        if dialect.name == "postgresql":
            return f"NUMERIC({self.precision}, {self.scale})"
        return "INTEGER"

    def checks(self, quoted: str, dialect: Dialect) -> list[str]:
        if self.min_value is None:
            return []
        low = self.to_db(self.min_value, dialect)
        return [f"{quoted} >= {low}"]

    def facets(self) -> dict[str, Any]:
        found: dict[str, Any] = {"precision": self.precision, "scale": self.scale}
        if self.min_value is not None:
            found["min_value"] = str(self.min_value)
        return found


class Boolean(Column):
    """True or false; also reads ``1``/``0`` and ``true``/``false``."""

    type_name = "boolean"
    python_type = bool
    _TRUE = {"1", "true", "yes", "on"}
    _FALSE = {"0", "false", "no", "off"}

    def convert(self, value: Any, row: Mapping[str, Any]) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in self._TRUE:
            return True
        if isinstance(value, str) and value.strip().lower() in self._FALSE:
            return False
        raise self.fail(value, "must be true or false", "type")

    def to_db(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return int(value)

    def from_db(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else bool(value)

    def sql_type(self, dialect: Dialect) -> str:
        return "BOOLEAN" if dialect.name == "postgresql" else "INTEGER"

    def checks(self, quoted: str, dialect: Dialect) -> list[str]:
        return [f"{quoted} IN (0, 1)"] if dialect.name == "sqlite" else []


class Enum(Column):
    """One of a fixed set of text values.

    :param choices: the allowed values, in their documented order.
    """

    type_name = "enum"
    python_type = str

    def __init__(self, choices: Sequence[str], **options: Any) -> None:
        super().__init__(**options)
        self.choices = tuple(choices)

    def convert(self, value: Any, row: Mapping[str, Any]) -> Any:
        if isinstance(value, str) and value.strip() in self.choices:
            return value.strip()
        allowed = ", ".join(self.choices)
        raise self.fail(value, f"must be one of: {allowed}", "enum")

    def sql_type(self, dialect: Dialect) -> str:
        longest = max(len(choice) for choice in self.choices)
        return f"VARCHAR({longest})" if dialect.name == "postgresql" else "TEXT"

    def checks(self, quoted: str, dialect: Dialect) -> list[str]:
        listed = ", ".join(sql_literal(choice) for choice in self.choices)
        return [f"{quoted} IN ({listed})"]

    def facets(self) -> dict[str, Any]:
        return {"choices": list(self.choices)}


def utcnow() -> dt.datetime:
    """Return the current time as a timezone-aware UTC timestamp."""
    return dt.datetime.now(dt.UTC)


class Timestamp(Column):
    """A point in time, timezone-aware, stored in UTC.

    Naive datetimes are refused: a time without a zone is ambiguous.

    :param auto_now: set the column to the current time on every update.
    """

    type_name = "timestamp"
    python_type = dt.datetime
    _SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

    def __init__(self, *, auto_now: bool = False, **options: Any) -> None:
        super().__init__(**options)
        self.auto_now = auto_now

    def convert(self, value: Any, row: Mapping[str, Any]) -> Any:
        if isinstance(value, str):
            value = self.parse(value)
        if not isinstance(value, dt.datetime):
            raise self.fail(value, "must be a timestamp", "type")
        if value.tzinfo is None or value.utcoffset() is None:
            raise self.fail(value, "must carry a time zone", "timezone")
        return value.astimezone(dt.UTC)

    def parse(self, text: str) -> dt.datetime:
        """Read an ISO 8601 timestamp; ``Z`` stands for UTC."""
        try:
            return dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise self.fail(text, "must be an ISO 8601 timestamp", "type") from None

    def to_db(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return value.astimezone(dt.UTC).strftime(self._SQLITE_FORMAT)

    def from_db(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            return _stored_utc(value)
        return value.astimezone(dt.UTC)

    def sql_type(self, dialect: Dialect) -> str:
        return "TIMESTAMPTZ" if dialect.name == "postgresql" else "TEXT"


def _stored_utc(text: str) -> dt.datetime:
    """Read a timestamp that SQLite holds as UTC text without an offset.

    Parsing the text with its offset appended costs a tenth of parsing it and
    then setting the zone with ``replace()`` on Python 3.11, and a page of
    tickets reads hundreds of them. Text that carries an offset of its own is
    read with it.
    """
    try:
        return dt.datetime.fromisoformat(text + "+00:00")
    except ValueError:
        parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


class Date(Column):
    """A calendar date."""

    type_name = "date"
    python_type = dt.date

    def convert(self, value: Any, row: Mapping[str, Any]) -> Any:
        if isinstance(value, dt.datetime):
            raise self.fail(value, "must be a date without a time", "type")
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.fail(value, "must be an ISO 8601 date (YYYY-MM-DD)", "type")

    def to_db(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return value.isoformat()

    def from_db(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, str):
            return dt.date.fromisoformat(value)
        return value

    def sql_type(self, dialect: Dialect) -> str:
        return "DATE" if dialect.name == "postgresql" else "TEXT"


class Json(Column):
    """A JSON document (objects, lists, text, numbers), stored as text."""

    type_name = "json"
    python_type = object
    blank_is_null = False

    def __init__(self, *, max_length: int = 1_000_000, **options: Any) -> None:
        super().__init__(**options)
        self.max_length = max_length

    def convert(self, value: Any, row: Mapping[str, Any]) -> Any:
        try:
            text = json.dumps(value, sort_keys=True, ensure_ascii=False)
        except (TypeError, ValueError):
            raise self.fail(value, "must be JSON-serializable", "type") from None
        if len(text) > self.max_length:
            reason = f"is longer than {self.max_length} characters as JSON"
            raise self.fail(value, reason, "max_length")
        return json.loads(text)

    def to_db(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return json.dumps(value, sort_keys=True, ensure_ascii=False)

    def from_db(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)

    def sql_type(self, dialect: Dialect) -> str:
        return "TEXT"


#: A callable default for ``created_at``-style columns.
now: Callable[[], dt.datetime] = utcnow
