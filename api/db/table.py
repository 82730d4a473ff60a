"""Declarative tables: a class of column constants becomes a complete query API.

The metaclass does only bookkeeping: it gathers the column declarations into a
:class:`TableInfo` and makes the table's own ``NotFound`` error. Every query is
an ordinary classmethod of :class:`Table` that a reader can step through::

    class Contact(Table):
        \"\"\"A person to talk to at an account.\"\"\"

        __table__ = "contact"
        id = Serial()
        email = Email()
        version = Version()

    row = Contact.insert(db, email="ops@example.com")
    Contact.update(db, row.id, {"email": "noc@example.com"}, expected_version=1)
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from api.db import errors
from api.db.columns import MISSING, Column, Reference, Timestamp, Version, utcnow
from api.db.database import Database
from api.db.dialects import check_identifier
from api.db.query import Compiler, Fragment, decode_cursor, encode_cursor, keyset_order

T = TypeVar("T", bound="Table")

#: Names that query methods take as options, so no column may use them.
RESERVED_NAMES = frozenset(
    {"order_by", "limit", "offset", "related", "for_update", "size", "cursor", "db"}
)


@dataclass
class TableInfo:
    """Everything declared about one table, readable at run time."""

    name: str
    doc: str
    columns: dict[str, Column]
    primary_key: Column
    version: Column | None = None
    unique: tuple[tuple[str, ...], ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    order: list[Column] = field(default_factory=list)

    def column(self, name: str) -> Column:
        """Return the column called ``name``, or raise ``ProgrammingError``."""
        try:
            return self.columns[name]
        except KeyError:
            raise errors.ProgrammingError(
                f"table {self.name} has no column {name!r}"
            ) from None

    def dependents(self, names: Sequence[str]) -> list[Column]:
        """Return the columns whose normalizers read any of ``names``."""
        return [c for c in self.columns.values() if set(c.depends_on) & set(names)]

    def describe(self) -> dict[str, Any]:
        """Return the table's declaration as plain data, for documentation."""
        return {
            "name": self.name,
            "doc": self.doc,
            "primary_key": self.primary_key.name,
            "columns": [column.describe() for column in self.columns.values()],
            "unique": [list(group) for group in self.unique],
            "indexes": [list(group) for group in self.indexes],
        }


@dataclass
class Page:
    """One page of a keyset-paginated search.

    :param items: the rows of this page.
    :param next_cursor: the opaque cursor of the next page, ``None`` on the last.
    """

    items: list[Any]
    next_cursor: str | None = None


#: The head of each SELECT statement: (table, dialect, alias, joins) -> SQL text.
_SELECT_HEADS: dict[tuple[Any, ...], str] = {}
#: Per table and columns read: the function that builds a row from their values.
_LOADERS: dict[tuple[type, tuple[str, ...] | None], Loader] = {}

Loader = Callable[[Sequence[Any], Any], Any]


def _loader(table: type, only: tuple[str, ...] | None = None) -> Loader:
    """The function that builds a row of ``table`` from the driver's values.

    It is generated as Python source once per table and set of columns: one
    dictionary display of the row's fields, calling ``from_db`` only for the
    columns whose stored form differs. A page of joined rows builds hundreds
    of rows, and a loop over the columns cost twice as much.
    """
    found = _LOADERS.get((table, only))
    if found is None:
        found = _LOADERS[(table, only)] = _generate_loader(table, only)
    return found


def _generate_loader(table: type, only: tuple[str, ...] | None) -> Loader:
    info = table.__meta__  # type: ignore[attr-defined]
    columns = [info.columns[n] for n in only] if only else list(info.columns.values())
    namespace: dict[str, Any] = {"new": object.__new__, "table": table}
    namespace["mismatch"] = _width_mismatch(table, len(columns))

    fields = []
    for index, column in enumerate(columns):
        value = f"values[{index}]"
        if type(column).from_db is not Column.from_db:
            namespace[f"from_db{index}"] = column.from_db
            value = f"from_db{index}({value}, dialect)"
        fields.append(f"{column.name!r}: {value}")

    source = "\n".join(
        [
            "def load(values, dialect):",
            f"    if len(values) != {len(columns)}:",
            "        mismatch(values)",
            "    row = new(table)",
            f"    row.__dict__ = {{'related': {{}}, {', '.join(fields)}}}",
            "    return row",
        ]
    )
    exec(compile(source, f"<loader of {info.name}>", "exec"), namespace)
    loader: Loader = namespace["load"]
    return loader


def _width_mismatch(table: type, width: int) -> Callable[[Sequence[Any]], None]:
    def mismatch(values: Sequence[Any]) -> None:
        name = table.__meta__.name  # type: ignore[attr-defined]
        raise errors.ProgrammingError(
            f"a row of {name} needs {width} values, not {len(values)}"
        )

    return mismatch


#: What ``related=`` asks for, normalized: each reference column with the
#: columns of its target to read (``None`` for all of them).
Joins = tuple[tuple[str, "tuple[str, ...] | None"], ...]
Related = Sequence[str] | Mapping[str, Sequence[str]]


def _joins(table: type[Table], related: Related) -> Joins:
    """Check ``related=`` and put it in one hashable form.

    A mapping names the target's columns to read; its primary key is always
    read too, first, so that a null reference shows as ``None``.
    """
    if not isinstance(related, Mapping):
        return tuple((name, None) for name in related)
    joins = []
    for name, wanted in related.items():
        target = _target(table.__meta__.column(name))
        if isinstance(wanted, str):
            raise errors.ProgrammingError(
                f"related={{{name!r}: ...}} needs a list of column names"
            )
        key = target.__meta__.primary_key.name
        columns = [key] + [target.__meta__.column(c).name for c in wanted if c != key]
        joins.append((name, tuple(columns)))
    return tuple(joins)


class TableMeta(type):
    """Gathers a table class's columns into ``__meta__`` and makes ``NotFound``."""

    #: Declared tables by SQL name, for references that name their target.
    registry: dict[str, type] = {}

    def __new__(
        mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]
    ) -> TableMeta:
        cls = super().__new__(mcs, name, bases, namespace)
        if "__table__" in namespace:
            cls.__meta__ = _table_info(cls, namespace)  # type: ignore[attr-defined]
            cls.NotFound = _not_found_error(cls)  # type: ignore[attr-defined]
            mcs.registry[cls.__meta__.name] = cls  # type: ignore[attr-defined]
        return cls


def _table_info(cls: type, namespace: dict[str, Any]) -> TableInfo:
    table_name = check_identifier(namespace["__table__"])
    columns = _gather_columns(cls)
    keys = [column for column in columns.values() if column.primary_key]
    if len(keys) != 1:
        raise errors.ProgrammingError(
            f"table {table_name} needs exactly one primary key"
        )

    for column in columns.values():
        check_identifier(column.name)
        if column.name in RESERVED_NAMES:
            raise errors.ProgrammingError(f"{column.name!r} is reserved; rename it")
        column.table_name = table_name
        column.table = cls

    versions = [c for c in columns.values() if isinstance(c, Version)]
    return TableInfo(
        name=table_name,
        doc=" ".join((cls.__doc__ or "").split()),
        columns=columns,
        primary_key=keys[0],
        version=versions[0] if versions else None,
        unique=tuple(tuple(g) for g in namespace.get("__unique__", ())),
        indexes=tuple(tuple(g) for g in namespace.get("__indexes__", ())),
        order=_normalization_order(columns),
    )


def _gather_columns(cls: type) -> dict[str, Column]:
    """Collect the class's own columns, then copies of its abstract bases' ones."""
    columns: dict[str, Column] = {}
    for klass in cls.__mro__:
        for name, value in vars(klass).items():
            if isinstance(value, Column) and name not in columns:
                columns[name] = value if klass is cls else copy.copy(value)
    return columns


def _normalization_order(columns: dict[str, Column]) -> list[Column]:
    """Put columns that others depend on before their dependents."""
    independent = [c for c in columns.values() if not c.depends_on]
    dependent = [c for c in columns.values() if c.depends_on]
    return independent + dependent


def _not_found_error(cls: type) -> type[errors.NotFoundError]:
    return type(
        f"{cls.__name__}NotFound",
        (errors.NotFoundError,),
        {"__module__": cls.__module__, "__doc__": f"No such {cls.__name__} row."},
    )


class Table(metaclass=TableMeta):
    """Base of every declared table; a row is an instance of its table class.

    A subclass sets ``__table__`` (the SQL name) and declares columns as class
    attributes. ``__unique__`` and ``__indexes__`` may list column groups.
    Subclasses without ``__table__`` are abstract and may declare shared columns.
    """

    __table__: ClassVar[str]
    __meta__: ClassVar[TableInfo]
    __unique__: ClassVar[Sequence[Sequence[str]]] = ()
    __indexes__: ClassVar[Sequence[Sequence[str]]] = ()
    NotFound: ClassVar[type[errors.NotFoundError]]

    def __init__(self, **values: Any) -> None:
        for name, value in values.items():
            self.__meta__.column(name)
            self.__dict__[name] = value
        self.related: dict[str, Table | None] = {}

    def __repr__(self) -> str:
        key = self.__dict__.get(self.__meta__.primary_key.name)
        return f"<{type(self).__name__} {key!r}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Table) or type(other) is not type(self):
            return NotImplemented
        return other.to_dict() == self.to_dict()

    __hash__ = None  # type: ignore[assignment]

    @property
    def key(self) -> Any:
        """The row's primary key value."""
        return self.__dict__[self.__meta__.primary_key.name]

    def to_dict(self) -> dict[str, Any]:
        """Return the row's column values by name."""
        return {
            name: self.__dict__[name]
            for name in self.__meta__.columns
            if name in self.__dict__
        }

    # -- normalizing ------------------------------------------------------------------

    @classmethod
    def normalize(
        cls, values: Mapping[str, Any], context: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Pass each value through its column's normalizer and return the results.

        :param context: the row's other values (its current ones on an update),
            read by normalizers that depend on another column.
        :raises ValidationError: for the first value a normalizer refuses.
        """
        meta = cls.__meta__
        for name in values:
            meta.column(name)
        row = dict(context or {})
        normalized = {}
        for column in meta.order:
            if column.name in values:
                value = column.normalize(values[column.name], row)
                normalized[column.name] = row[column.name] = value
        return normalized

    # -- reading ----------------------------------------------------------------------

    @classmethod
    def get(cls: type[T], db: Database, key: Any, *, for_update: bool = False) -> T:
        """Return the row with primary key ``key``, or raise ``NotFound``."""
        rows = cls.find(
            db, for_update=for_update, **{cls.__meta__.primary_key.name: key}
        )
        if not rows:
            raise cls.NotFound(f"{cls.__meta__.name} {key!r} does not exist")
        return rows[0]

    @classmethod
    def get_or_none(cls: type[T], db: Database, key: Any) -> T | None:
        """Return the row with primary key ``key``, or ``None``."""
        rows = cls.find(db, **{cls.__meta__.primary_key.name: key})
        return rows[0] if rows else None

    @classmethod
    def find(
        cls: type[T],
        db: Database,
        *,
        order_by: Sequence[str] = (),
        limit: int | None = None,
        offset: int | None = None,
        related: Related = (),
        for_update: bool = False,
        **filters: Any,
    ) -> list[T]:
        """Return the rows matching every filter, in ``order_by`` order.

        :param related: reference columns whose rows are joined in and placed in
            each row's ``related`` mapping (``None`` where the reference is null);
            a mapping from reference column to the target's columns reads only
            those (and the key): reading another raises ``AttributeError``.
        :param for_update: lock the rows until the transaction ends, where the
            database supports it.
        """
        compiler = Compiler(cls, db.dialect)
        where = compiler.where(filters)
        order = compiler.order(order_by) if order_by else ""
        joins = _joins(cls, related)
        return cls._select(db, compiler, where, order, limit, offset, joins, for_update)

    @classmethod
    def first(
        cls: type[T], db: Database, *, order_by: Sequence[str] = (), **filters: Any
    ) -> T | None:
        """Return the first row matching the filters, or ``None``."""
        rows = cls.find(db, order_by=order_by, limit=1, **filters)
        return rows[0] if rows else None

    @classmethod
    def count(cls, db: Database, **filters: Any) -> int:
        """Return how many rows match every filter."""
        compiler = Compiler(cls, db.dialect)
        where = compiler.where(filters)
        sql = f"SELECT COUNT(*) FROM {compiler.alias} WHERE {where.sql}"
        return int(db.execute(sql, where.params).rows[0][0])

    @classmethod
    def exists(cls, db: Database, **filters: Any) -> bool:
        """Tell whether any row matches every filter."""
        compiler = Compiler(cls, db.dialect)
        where = compiler.where(filters)
        sql = f"SELECT 1 FROM {compiler.alias} WHERE {where.sql} LIMIT 1"
        return bool(db.execute(sql, where.params).rows)

    @classmethod
    def page(
        cls,
        db: Database,
        *,
        size: int,
        cursor: str | None = None,
        order_by: Sequence[str] = (),
        related: Related = (),
        **filters: Any,
    ) -> Page:
        """Return one page of matching rows and the cursor of the next page.

        Paging is by keyset: the cursor carries the last row's ordering values,
        so rows inserted meanwhile never shift or repeat a page. The primary key
        is appended to the order to make it total.
        """
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise errors.ProgrammingError(
                f"page size must be a positive integer: {size!r}"
            )
        order = keyset_order(cls, order_by)
        compiler = Compiler(cls, db.dialect)
        where = compiler.where(filters)

        if cursor:
            values = decode_cursor(cls, order, cursor)
            columns = [cls.__meta__.column(name) for name, _ in order]
            bound = [
                c.to_db(v, db.dialect) for c, v in zip(columns, values, strict=True)
            ]
            after = compiler.after(order, bound)
            where = Fragment(
                f"{where.sql} AND {after.sql}", where.params + after.params
            )

        order_sql = compiler.order([("-" if d else "") + n for n, d in order])
        joins = _joins(cls, related)
        rows = cls._select(db, compiler, where, order_sql, size + 1, None, joins, False)
        if len(rows) <= size:
            return Page(rows)
        return Page(rows[:size], encode_cursor(order, rows[size - 1]))

    @classmethod
    def _select(
        cls: type[T],
        db: Database,
        compiler: Compiler,
        where: Fragment,
        order: str,
        limit: int | None,
        offset: int | None,
        joins: Joins,
        for_update: bool,
    ) -> list[T]:
        sql = [cls._select_head(compiler, joins), f"WHERE {where.sql}"]
        params = list(where.params)

        if order:
            sql.append(f"ORDER BY {order}")
        for word, number in (("LIMIT", limit), ("OFFSET", offset)):
            if number is not None:
                sql.append(f"{word} {_count(word, number)}")
        if for_update and db.dialect.name == "postgresql":
            sql.append(f"FOR UPDATE OF {compiler.alias}")

        result = db.execute(" ".join(sql), params)
        return [cls._load_joined(db, raw, joins) for raw in result.rows]

    @classmethod
    def _select_head(cls, compiler: Compiler, joins: Joins) -> str:
        """``SELECT ... FROM ... LEFT JOIN ...``, built once per statement shape."""
        dialect = compiler.dialect
        key = (cls, type(dialect), dialect.name, compiler.alias_name, joins)
        head = _SELECT_HEADS.get(key)
        if head is None:
            parts = [
                cls._join(compiler, name, only, index)
                for index, (name, only) in enumerate(joins)
            ]
            columns = ", ".join([cls._select_list(compiler)] + [j[1] for j in parts])
            table = compiler.q(cls.__meta__.name)
            head = " ".join(
                [f"SELECT {columns} FROM {table} AS {compiler.alias}"]
                + [j[0] for j in parts]
            )
            _SELECT_HEADS[key] = head
        return head

    @classmethod
    def _select_list(
        cls, compiler: Compiler, only: tuple[str, ...] | None = None
    ) -> str:
        names = only or cls.__meta__.columns
        return ", ".join(f"{compiler.alias}.{compiler.q(n)}" for n in names)

    @classmethod
    def _join(
        cls, compiler: Compiler, name: str, only: tuple[str, ...] | None, index: int
    ) -> tuple[str, str]:
        target = _target(cls.__meta__.column(name))
        joined = Compiler(
            target, compiler.dialect, alias=f"{compiler.alias_name}_j{index}"
        )
        key = joined.column(target.__meta__.primary_key.name)
        sql = (
            f"LEFT JOIN {compiler.q(target.__meta__.name)} AS {joined.alias}"
            f" ON {key} = {compiler.column(name)}"
        )
        return sql, target._select_list(joined, only)

    @classmethod
    def _load_joined(cls: type[T], db: Database, raw: Sequence[Any], joins: Joins) -> T:
        width, parts = _join_plan(cls, joins)
        dialect = db.dialect
        row: T = _loader(cls)(raw[:width], dialect)
        related = row.related
        for name, load, start, end in parts:
            part = raw[start:end]
            related[name] = load(part, dialect) if part[0] is not None else None
        return row

    @classmethod
    def load(
        cls: type[T],
        db: Database,
        values: Sequence[Any],
        only: tuple[str, ...] | None = None,
    ) -> T:
        """Build a row from the driver's values, in declaration order.

        :param only: the columns the values are of, when not all of them.
        """
        row: T = _loader(cls, only)(values, db.dialect)
        return row

    # -- writing ----------------------------------------------------------------------

    @classmethod
    def insert(cls: type[T], db: Database, **values: Any) -> T:
        """Insert a row and return it as stored, with its generated key.

        Columns not given take their default; a required column without one is
        refused with a ``ValidationError``.
        """
        stored = cls._stored(values)
        compiler = Compiler(cls, db.dialect)
        params = [
            cls.__meta__.columns[n].to_db(v, db.dialect) for n, v in stored.items()
        ]
        returning = ", ".join(compiler.q(n) for n in cls.__meta__.columns)
        sql = f"{cls._insert_sql(compiler, list(stored))} RETURNING {returning}"
        return cls.load(db, db.execute(sql, params).rows[0])

    @classmethod
    def insert_many(cls, db: Database, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert many rows that name the same columns; return how many.

        Every row passes the normalizers like :meth:`insert`; the statement is
        sent once with all the rows, which makes bulk loads much faster.
        """
        if not rows:
            return 0
        stored = [cls._stored(dict(row)) for row in rows]
        names = list(stored[0])
        if any(list(row) != names for row in stored):
            raise errors.ProgrammingError(
                "insert_many needs rows naming the same columns"
            )
        columns = [cls.__meta__.columns[n] for n in names]
        params = [[c.to_db(row[c.name], db.dialect) for c in columns] for row in stored]
        db.execute_many(cls._insert_sql(Compiler(cls, db.dialect), names), params)
        return len(stored)

    @classmethod
    def _stored(cls, values: dict[str, Any]) -> dict[str, Any]:
        """Fill defaults, normalize, and drop generated columns left empty."""
        meta = cls.__meta__
        for column in meta.columns.values():
            if column.name in values:
                continue
            if column.default is not MISSING:
                values[column.name] = column.default_value()
            elif not column.generated:
                values[column.name] = None
        normalized = cls.normalize(values)
        return {
            n: v
            for n, v in normalized.items()
            if not (v is None and meta.columns[n].generated)
        }

    @classmethod
    def _insert_sql(cls, compiler: Compiler, names: Sequence[str]) -> str:
        columns = ", ".join(compiler.q(name) for name in names)
        marks = ", ".join([compiler.placeholder] * len(names))
        return f"INSERT INTO {compiler.alias} ({columns}) VALUES ({marks})"

    @classmethod
    def update(
        cls: type[T],
        db: Database,
        key: Any,
        values: Mapping[str, Any],
        *,
        expected_version: int | None = None,
    ) -> T:
        """Change columns of the row with primary key ``key`` and return it.

        :param expected_version: the version the caller read; when another
            update came first, ``ConflictError`` is raised and nothing changes.
        :raises NotFound: when no row has that key.
        """
        meta = cls.__meta__
        compiler = Compiler(cls, db.dialect)
        assignments, params = cls._set_clause(compiler, cls._changes(db, key, values))
        if not assignments:
            raise errors.ProgrammingError(f"nothing to update in {meta.name}")

        where = cls._key_condition(compiler, key, expected_version)
        returning = ", ".join(compiler.q(n) for n in meta.columns)
        sql = (
            f"UPDATE {compiler.alias} SET {', '.join(assignments)}"
            f" WHERE {where.sql} RETURNING {returning}"
        )
        rows = db.execute(sql, params + where.params).rows
        if not rows:
            raise cls._missing_or_stale(db, key, expected_version)
        return cls.load(db, rows[0])

    @classmethod
    def _set_clause(
        cls, compiler: Compiler, changes: Mapping[str, Any]
    ) -> tuple[list[str], list[Any]]:
        """Return the ``SET`` assignments and their parameters; bump the version."""
        meta = cls.__meta__
        mark = compiler.placeholder
        assignments = [f"{compiler.q(n)} = {mark}" for n in changes]
        params = [
            meta.columns[n].to_db(v, compiler.dialect) for n, v in changes.items()
        ]
        if meta.version is not None:
            version = compiler.q(meta.version.name)
            assignments.append(f"{version} = {version} + 1")
        return assignments, params

    @classmethod
    def _changes(
        cls, db: Database, key: Any, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Normalize an update's values, re-checking columns that depend on them."""
        meta = cls.__meta__
        fixed = {meta.primary_key.name} | (
            {meta.version.name} if meta.version else set()
        )
        if fixed & set(values):
            raise errors.ProgrammingError(
                f"cannot set {sorted(fixed & set(values))} directly"
            )
        changes = dict(values)
        for column in meta.columns.values():
            if (
                isinstance(column, Timestamp)
                and column.auto_now
                and column.name not in changes
            ):
                changes[column.name] = utcnow()

        involved = meta.dependents(list(changes)) + [
            meta.columns[name] for name in changes if meta.columns[name].depends_on
        ]
        if not involved:
            return cls.normalize(changes)
        current = cls.get(db, key, for_update=True).to_dict()
        for column in meta.dependents(list(changes)):
            changes.setdefault(column.name, current[column.name])
        return cls.normalize(changes, context=current)

    @classmethod
    def update_where(
        cls, db: Database, values: Mapping[str, Any], **filters: Any
    ) -> int:
        """Change columns of every row matching the filters; return the count."""
        meta = cls.__meta__
        if meta.dependents(list(values)) or any(
            meta.column(n).depends_on for n in values
        ):
            raise errors.ProgrammingError(
                "update rows with dependent columns one by one"
            )
        compiler = Compiler(cls, db.dialect)
        assignments, params = cls._set_clause(compiler, cls.normalize(values))
        where = compiler.where(filters)
        sql = f"UPDATE {compiler.alias} SET {', '.join(assignments)} WHERE {where.sql}"
        return db.execute(sql, params + where.params).rowcount

    @classmethod
    def delete(
        cls, db: Database, key: Any, *, expected_version: int | None = None
    ) -> None:
        """Delete the row with primary key ``key``.

        :raises NotFound: when no row has that key.
        :raises ConflictError: when ``expected_version`` is no longer current.
        """
        compiler = Compiler(cls, db.dialect)
        where = cls._key_condition(compiler, key, expected_version)
        result = db.execute(
            f"DELETE FROM {compiler.alias} WHERE {where.sql}", where.params
        )
        if result.rowcount == 0:
            raise cls._missing_or_stale(db, key, expected_version)

    @classmethod
    def delete_where(cls, db: Database, **filters: Any) -> int:
        """Delete every row matching the filters; return the count."""
        compiler = Compiler(cls, db.dialect)
        where = compiler.where(filters)
        return db.execute(
            f"DELETE FROM {compiler.alias} WHERE {where.sql}", where.params
        ).rowcount

    @classmethod
    def _key_condition(
        cls, compiler: Compiler, key: Any, expected_version: int | None
    ) -> Fragment:
        meta = cls.__meta__
        filters: dict[str, Any] = {meta.primary_key.name: key}
        if expected_version is not None:
            if meta.version is None:
                raise errors.ProgrammingError(
                    f"table {meta.name} has no version column"
                )
            filters[meta.version.name] = expected_version
        return compiler.where(filters)

    @classmethod
    def _missing_or_stale(
        cls, db: Database, key: Any, expected_version: int | None
    ) -> errors.Error:
        current = cls.get_or_none(db, key)
        if current is None:
            return cls.NotFound(f"{cls.__meta__.name} {key!r} does not exist")
        version_column = cls.__meta__.version
        assert version_column is not None, "a stale version needs a version column"
        version = getattr(current, version_column.name)
        return errors.ConflictError(
            f"{cls.__meta__.name} {key!r} was changed by someone else: it is at version"
            f" {version}, not {expected_version}; read it again and retry"
        )


#: Per table and joins: the width of the table's own columns, then each joined
#: row's reference, loader and place among the values read.
_JOIN_PLANS: dict[tuple[type, Joins], tuple[int, list[tuple[Any, ...]]]] = {}


def _join_plan(table: type[Table], joins: Joins) -> tuple[int, list[tuple[Any, ...]]]:
    """Where each joined row's values are in a row read with ``joins``."""
    plan = _JOIN_PLANS.get((table, joins))
    if plan is None:
        width = start = len(table.__meta__.columns)
        parts = []
        for name, only in joins:
            target = _target(table.__meta__.columns[name])
            end = start + len(only or target.__meta__.columns)
            parts.append((name, _loader(target, only), start, end))
            start = end
        plan = _JOIN_PLANS[(table, joins)] = (width, parts)
    return plan


def _target(column: Column) -> type[Table]:
    """Return the table a reference column points at, or raise."""
    target = column.target_class if isinstance(column, Reference) else None
    if target is None:
        where = f"{column.table_name}.{column.name}"
        raise errors.ProgrammingError(f"{where} is not a reference to a declared table")
    return target


def _count(word: str, number: Any) -> int:
    if not isinstance(number, int) or isinstance(number, bool) or number < 0:
        raise errors.ProgrammingError(
            f"{word} must be a non-negative integer: {number!r}"
        )
    return number
