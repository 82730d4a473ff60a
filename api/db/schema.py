"""Schema generation from declarations, the schema-version table and migrations.

A :class:`Schema` names the tables of an application and the numbered
migrations that brought older databases to the current shape. A new database
gets every table as declared today and is stamped with the latest version; an
existing one is upgraded by running, in order, each migration it has not had.
Opening a database whose version differs from the code's is refused by
:meth:`Schema.check` with a message that says what to run.
"""

from __future__ import annotations

import decimal
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from api.db import errors
from api.db.columns import MISSING, Reference, sql_literal, utcnow
from api.db.database import Database

if TYPE_CHECKING:
    from api.db.dialects import Dialect
    from api.db.table import Table

logger = logging.getLogger(__name__)

VERSION_TABLE = "core_schema_version"


def column_sql(
    table: type[Table], name: str, dialect: Dialect, *, reference: bool = True
) -> str:
    """Return the definition of one column for ``CREATE`` or ``ALTER TABLE``.

    :param reference: whether to include the column's ``REFERENCES`` clause.
    """
    column = table.__meta__.column(name)
    quoted = dialect.quote(name)
    parts = [quoted, column.sql_type(dialect)]
    if column.primary_key:
        parts.append("PRIMARY KEY")
        if column.generated and dialect.name == "sqlite":
            parts.append("AUTOINCREMENT")
    elif not column.null:
        parts.append("NOT NULL")
    if column.unique and not column.primary_key:
        parts.append("UNIQUE")
    parts += [f"CHECK ({check})" for check in column.checks(quoted, dialect)]
    if isinstance(column, Reference) and reference:
        parts.append(_references(column, dialect))
    return " ".join(parts)


def _references(column: Reference, dialect: Dialect) -> str:
    target = dialect.quote(column.target_table)
    return f"REFERENCES {target} ({_target_key(column)}) ON DELETE {column.on_delete}"


def foreign_key_sql(table: type[Table], name: str, dialect: Dialect) -> str:
    """Return an ``ALTER TABLE`` that adds a reference created out of order."""
    column = table.__meta__.column(name)
    assert isinstance(column, Reference)
    quoted = dialect.quote(table.__meta__.name)
    return (
        f"ALTER TABLE {quoted} ADD FOREIGN KEY ({dialect.quote(name)})"
        f" {_references(column, dialect)}"
    )


def _target_key(column: Reference) -> str:
    if isinstance(column.target, str):
        return '"id"'
    return '"' + column.target.__meta__.primary_key.name + '"'


def create_table_sql(
    table: type[Table], dialect: Dialect, later: frozenset[str] = frozenset()
) -> list[str]:
    """Return ``CREATE TABLE`` and ``CREATE INDEX`` statements for ``table``.

    :param later: reference columns whose constraint is added afterwards,
        because their target table does not exist yet.
    """
    meta = table.__meta__
    q = dialect.quote
    lines = [
        column_sql(table, name, dialect, reference=name not in later)
        for name in meta.columns
    ]
    lines += [f"UNIQUE ({', '.join(q(n) for n in group)})" for group in meta.unique]
    statements = [f"CREATE TABLE {q(meta.name)} (\n  " + ",\n  ".join(lines) + "\n)"]

    indexed = list(meta.indexes)
    indexed += [(c.name,) for c in meta.columns.values() if c.index or _needs_index(c)]
    for group in dict.fromkeys(indexed):
        index = q(f"ix_{meta.name}_{'_'.join(group)}"[:63])
        columns = ", ".join(q(n) for n in group)
        statements.append(f"CREATE INDEX {index} ON {q(meta.name)} ({columns})")
    return statements


def _needs_index(column: object) -> bool:
    """References are indexed: joins and restricted deletes look them up."""
    return isinstance(column, Reference) and not getattr(column, "unique", False)


@dataclass(frozen=True)
class Migration:
    """One numbered step that upgrades a database by one schema version.

    :param version: the schema version the database has after this step.
    :param description: what the step changes, in a few words.
    :param apply: does the change, inside the migration's transaction.
    """

    version: int
    description: str
    apply: Callable[[Database], None]


def add_column(
    table: type[Table], name: str, fill: Any = MISSING
) -> Callable[[Database], None]:
    """Return a migration step that adds a declared column to an existing table.

    :param fill: the value existing rows get; by default the column's own
        constant default. A required column needs one or the other.
    """
    column = table.__meta__.column(name)
    value = column.default if fill is MISSING else fill
    if value is MISSING or callable(value):
        if not column.null:
            raise errors.ProgrammingError(
                f"adding required column {name!r} needs a fill value"
            )
        value = None

    def apply(db: Database) -> None:
        definition = column_sql(table, name, db.dialect)
        literal = _literal(column.to_db(column.normalize(value), db.dialect))
        db.execute(
            f"ALTER TABLE {db.dialect.quote(table.__meta__.name)} ADD COLUMN"
            f" {definition} DEFAULT {literal}"
        )

    return apply


def _literal(value: Any) -> str:
    """Render a normalized declaration constant as an SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, decimal.Decimal)):
        return str(value)
    return sql_literal(str(value))


def create_table(table: type[Table]) -> Callable[[Database], None]:
    """Return a migration step that creates a declared table with its indexes."""

    def apply(db: Database) -> None:
        for statement in create_table_sql(table, db.dialect):
            db.execute(statement)

    return apply


class Schema:
    """The tables of an application and the migrations of its history.

    :param tables: every table, in an order where references come after their
        targets.
    :param migrations: the steps from version 1 on; version 1 is the creation
        of the first tables and has no step of its own.
    """

    def __init__(
        self, tables: Sequence[type[Table]], migrations: Sequence[Migration] = ()
    ):
        self.tables = list(tables)
        self.migrations = sorted(migrations, key=lambda m: m.version)
        expected = list(range(2, len(self.migrations) + 2))
        if [m.version for m in self.migrations] != expected:
            raise errors.ProgrammingError(f"migrations must be numbered {expected}")

    @property
    def version(self) -> int:
        """The schema version this code expects."""
        return len(self.migrations) + 1

    def statements(self, dialect: Dialect) -> list[str]:
        """Return every statement that creates the schema in ``dialect``.

        A reference to a table declared later (two tables that refer to each
        other) gets its constraint once both exist; SQLite needs no such care.
        """
        created: set[str] = set()
        statements: list[str] = []
        constraints: list[str] = []
        for table in self.tables:
            created.add(table.__meta__.name)
            later = frozenset(self._forward_references(table, created, dialect))
            statements += create_table_sql(table, dialect, later)
            constraints += [foreign_key_sql(table, n, dialect) for n in sorted(later)]
        return statements + constraints

    def _forward_references(
        self, table: type[Table], created: set[str], dialect: Dialect
    ) -> list[str]:
        if dialect.name == "sqlite":
            return []
        return [
            column.name
            for column in table.__meta__.columns.values()
            if isinstance(column, Reference) and column.target_table not in created
        ]

    def installed_version(self, db: Database) -> int | None:
        """Return the database's schema version, or ``None`` for an empty database."""
        if not self._has_version_table(db):
            return None
        rows = db.execute(f"SELECT MAX(version) FROM {VERSION_TABLE}").rows
        return int(rows[0][0]) if rows and rows[0][0] is not None else None

    def _has_version_table(self, db: Database) -> bool:
        if db.dialect.name == "sqlite":
            sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        else:
            sql = "SELECT 1 FROM information_schema.tables WHERE table_name = %s"
            sql += " AND table_schema = current_schema()"
        return bool(db.execute(sql, (VERSION_TABLE,)).rows)

    def create(self, db: Database) -> None:
        """Create every table in an empty database and stamp the current version."""
        with db.transaction():
            if self.installed_version(db) is not None:
                raise errors.SchemaVersionError("the database already has a schema")
            self._create_version_table(db)
            for statement in self.statements(db.dialect):
                db.execute(statement)
            self._stamp(db, self.version, "created")
        logger.info("created schema version %s", self.version)

    def _create_version_table(self, db: Database) -> None:
        db.execute(
            f"CREATE TABLE {VERSION_TABLE} (version INTEGER PRIMARY KEY,"
            " description TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )

    def _stamp(self, db: Database, version: int, description: str) -> None:
        p = db.dialect.placeholder
        db.execute(
            f"INSERT INTO {VERSION_TABLE} (version, description, applied_at)"
            f" VALUES ({p}, {p}, {p})",
            (version, description, utcnow().isoformat()),
        )

    def migrate(self, db: Database) -> list[int]:
        """Bring the database to the current version; return the versions applied.

        An empty database is created; each migration runs in its own
        transaction together with its version stamp, so a failed step leaves
        the database at the previous version.
        """
        installed = self.installed_version(db)
        if installed is None:
            self.create(db)
            return [self.version]
        self._refuse_newer(installed)
        applied = []
        for migration in self.migrations:
            if migration.version <= installed:
                continue
            with db.transaction():
                migration.apply(db)
                self._stamp(db, migration.version, migration.description)
            logger.info(
                "schema upgraded to version %s: %s",
                migration.version,
                migration.description,
            )
            applied.append(migration.version)
        return applied

    def check(self, db: Database) -> None:
        """Refuse a database whose schema version is not the code's own.

        :raises SchemaVersionError: with a message naming the command that fixes it.
        """
        installed = self.installed_version(db)
        if installed is None:
            raise errors.SchemaVersionError(
                "the database has no CORE schema yet: run `core init` to create it"
            )
        self._refuse_newer(installed)
        if installed < self.version:
            raise errors.SchemaVersionError(
                f"the database schema is version {installed} but this code needs"
                f" version {self.version}: run `core migrate` to upgrade it"
            )

    def _refuse_newer(self, installed: int) -> None:
        if installed > self.version:
            raise errors.SchemaVersionError(
                f"the database schema is version {installed}, newer than this code's"
                f" version {self.version}: upgrade CORE before using this database"
            )

    def describe(self) -> list[dict[str, object]]:
        """Return every table's declaration as plain data."""
        return [table.__meta__.describe() for table in self.tables]
