"""Compiling filters, orderings and keyset cursors into parameterised SQL.

Filters are keyword arguments: ``status="open"``, ``created_at__lt=t``,
``id__in=[1, 2]``, ``subject__contains="disk"``, ``server_id__isnull=True``.
A filter on a reference may continue into the referenced table:
``account_id__number="A-100042"`` or ``account_id__name__contains="acme"``.
Every value is normalized by its column and bound as a parameter; every
identifier comes from a declaration and is quoted by the dialect.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from api.db import errors
from api.db.columns import Column, Reference

if TYPE_CHECKING:
    from api.db.dialects import Dialect
    from api.db.table import Table

#: The comparison operators a filter may name after ``__``.
OPERATORS = (
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "in",
    "not_in",
    "contains",
    "startswith",
    "isnull",
)
_COMPARISONS = {"eq": "=", "ne": "<>", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_MAX_PATTERN = 200


@dataclass
class Fragment:
    """A piece of SQL text with the parameters it binds, in order."""

    sql: str = ""
    params: list[Any] = field(default_factory=list)


class Compiler:
    """Builds SQL for one table in one dialect.

    :param table: the table class the statement is about.
    :param dialect: the dialect whose quoting and placeholders to use.
    :param alias: the name the table goes by in the statement.
    """

    def __init__(self, table: type[Table], dialect: Dialect, alias: str | None = None):
        self.table = table
        self.dialect = dialect
        self.q = dialect.quote
        self.alias_name = alias or table.__meta__.name
        self.alias = self.q(self.alias_name)
        self.placeholder = dialect.placeholder
        self._subqueries = 0

    def column(self, name: str) -> str:
        """Return the qualified, quoted reference to one of the table's columns."""
        self.table.__meta__.column(name)
        return f"{self.alias}.{self.q(name)}"

    # -- filters --------------------------------------------------------------------

    def where(self, filters: Mapping[str, Any]) -> Fragment:
        """Compile keyword filters into one ``AND``-joined condition."""
        parts = [self.condition(key, value) for key, value in filters.items()]
        if not parts:
            return Fragment("1 = 1")
        return Fragment(
            " AND ".join(part.sql for part in parts),
            [param for part in parts for param in part.params],
        )

    def condition(self, key: str, value: Any) -> Fragment:
        """Compile one filter such as ``created_at__lt`` into a condition."""
        name, _, rest = key.partition("__")
        column = self.table.__meta__.column(name)
        if rest and rest.split("__", 1)[0] not in OPERATORS:
            return self.through_reference(column, rest, value)
        return self.compare(self.column(name), column, rest or "eq", value)

    def through_reference(self, column: Column, rest: str, value: Any) -> Fragment:
        """Compile a filter that continues into the table a reference names."""
        target = column.target_class if isinstance(column, Reference) else None
        if target is None:
            raise errors.ProgrammingError(
                f"{column.table_name}.{column.name} is not a reference to a declared"
                f" table; cannot filter on {rest!r} through it"
            )
        self._subqueries += 1
        alias = f"{self.alias_name}_r{self._subqueries}"
        inner = Compiler(target, self.dialect, alias=alias)
        condition = inner.condition(rest, value)
        key = inner.column(target.__meta__.primary_key.name)
        sql = (
            f"{self.column(column.name)} IN (SELECT {key} FROM "
            f"{self.q(target.__meta__.name)} AS {inner.alias} WHERE {condition.sql})"
        )
        return Fragment(sql, condition.params)

    def compare(self, expr: str, column: Column, op: str, value: Any) -> Fragment:
        """Compile ``expr <op> value`` for one column."""
        if op not in OPERATORS:
            raise errors.ProgrammingError(f"unknown filter operator {op!r}")
        if op == "isnull":
            return Fragment(f"{expr} IS NULL" if value else f"{expr} IS NOT NULL")
        if op in ("in", "not_in"):
            return self.membership(expr, column, op, value)
        if op in ("contains", "startswith"):
            return self.text_match(expr, column, op, value)
        if value is None and op in ("eq", "ne"):
            return Fragment(f"{expr} IS NULL" if op == "eq" else f"{expr} IS NOT NULL")
        return Fragment(
            f"{expr} {_COMPARISONS[op]} {self.placeholder}",
            [self.bind(column, value)],
        )

    def membership(self, expr: str, column: Column, op: str, values: Any) -> Fragment:
        """Compile ``IN`` and ``NOT IN`` over a collection of values."""
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise column.fail(values, "must be a list of values", "type")
        bound = [self.bind(column, value) for value in values]
        if not bound:
            return Fragment("1 = 0" if op == "in" else "1 = 1")
        marks = ", ".join([self.placeholder] * len(bound))
        negation = "NOT " if op == "not_in" else ""
        return Fragment(f"{expr} {negation}IN ({marks})", bound)

    def text_match(self, expr: str, column: Column, op: str, value: Any) -> Fragment:
        """Compile a case-insensitive ``contains`` or an exact ``startswith``."""
        if not isinstance(value, str) or len(value) > _MAX_PATTERN or "\x00" in value:
            reason = f"must be text of at most {_MAX_PATTERN} characters, without NUL"
            raise column.fail(value, reason, "search_text")
        if op == "startswith":
            sql = f"substr({expr}, 1, {len(value)}) = {self.placeholder}"
            return Fragment(sql, [value])
        pattern = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return Fragment(self.dialect.contains(expr), [f"%{pattern}%"])

    def bind(self, column: Column, value: Any) -> Any:
        """Normalize a filter value with its column and convert it for the driver."""
        return column.to_db(column.normalize(value), self.dialect)

    # -- ordering -------------------------------------------------------------------

    def order(self, order_by: Sequence[str]) -> str:
        """Compile ``("-created_at", "id")`` into an ``ORDER BY`` list."""
        parts = []
        for name, descending in parse_order(self.table, order_by):
            parts.append(f"{self.column(name)} {'DESC' if descending else 'ASC'}")
        return ", ".join(parts)

    def after(
        self, order: Sequence[tuple[str, bool]], values: Sequence[Any]
    ) -> Fragment:
        """Compile the keyset condition "comes after ``values`` in ``order``"."""
        alternatives = []
        params: list[Any] = []
        for index, (name, descending) in enumerate(order):
            terms = [f"{self.column(n)} = {self.placeholder}" for n, _ in order[:index]]
            sign = "<" if descending else ">"
            terms.append(f"{self.column(name)} {sign} {self.placeholder}")
            alternatives.append("(" + " AND ".join(terms) + ")")
            params.extend(values[: index + 1])
        return Fragment("(" + " OR ".join(alternatives) + ")", params)


def parse_order(table: type[Table], order_by: Sequence[str]) -> list[tuple[str, bool]]:
    """Split ``("-created_at", "id")`` into checked ``(name, descending)`` pairs."""
    if isinstance(order_by, str):
        order_by = (order_by,)
    parsed = []
    for item in order_by:
        descending = item.startswith("-")
        name = item.lstrip("-")
        table.__meta__.column(name)
        parsed.append((name, descending))
    return parsed


def keyset_order(table: type[Table], order_by: Sequence[str]) -> list[tuple[str, bool]]:
    """Return a total order for keyset paging: the given one, then the key."""
    order = parse_order(table, order_by)
    key = table.__meta__.primary_key.name
    for name, _ in order:
        if table.__meta__.column(name).null:
            raise errors.ProgrammingError(
                f"cannot page on nullable column {table.__meta__.name}.{name}"
            )
    if key not in [name for name, _ in order]:
        order.append((key, order[-1][1] if order else False))
    return order


# -- cursors ------------------------------------------------------------------------


def _portable(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def encode_cursor(order: Sequence[tuple[str, bool]], row: Table) -> str:
    """Return the opaque cursor that points just after ``row`` in ``order``."""
    spec = ",".join(("-" if desc else "") + name for name, desc in order)
    values = [_portable(getattr(row, name)) for name, _ in order]
    raw = json.dumps([spec, values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(
    table: type[Table], order: Sequence[tuple[str, bool]], cursor: str
) -> list[Any]:
    """Read a cursor back into canonical values, refusing one from another query."""
    spec = ",".join(("-" if desc else "") + name for name, desc in order)
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        found_spec, values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, binascii.Error):
        raise _bad_cursor(
            table, cursor, "is not a cursor this service issued"
        ) from None
    if found_spec != spec or not isinstance(values, list) or len(values) != len(order):
        raise _bad_cursor(table, cursor, "belongs to a different search")
    columns = [table.__meta__.column(name) for name, _ in order]
    return [
        column.normalize(value) for column, value in zip(columns, values, strict=True)
    ]


def _bad_cursor(table: type[Table], cursor: Any, reason: str) -> errors.ValidationError:
    return errors.ValidationError(
        reason, table=table.__meta__.name, column="cursor", value=cursor, rule="cursor"
    )
