"""CORE's schema one version ahead, to test ``core migrate`` on a real database.

``python -m tests.deploy.next_schema --db URL migrate`` runs the real ``core``
command line with :func:`next_schema` in place of CORE's own schema: version 2,
whose migration adds a ``note`` column to the accounts with
:func:`api.db.add_column`, as an expand step of a rolling upgrade would. It
runs as a process of its own, so the redeclared accounts table never meets
the test session's tables.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from api import tables
from api.db import Migration, Schema, Text, add_column
from service import cli

#: What existing accounts get in the new column; new rows get it too by default.
FILL = "no note"


def next_schema() -> Schema:
    """CORE's tables with the accounts' note, and CORE's migrations plus one.

    The redeclared table replaces CORE's own in the table registry, so it is
    declared only here, in the process that runs the migration.
    """

    class NotedAccount(tables.Account):
        """An account with a free-text note: the accounts table of version 2."""

        __table__ = "account"
        note = Text(200, null=True, doc="A note about the account.")

    current = tables.SCHEMA
    return Schema(
        [
            NotedAccount if table is tables.Account else table
            for table in current.tables
        ],
        [
            *current.migrations,
            Migration(
                current.version + 1,
                "accounts get a note",
                add_column(NotedAccount, "note", fill=FILL),
            ),
        ],
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``core`` with the next schema."""
    cli.SCHEMA = next_schema()
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
