"""The CORE servers that the client tests call.

``server`` is the shared session fixture of ``tests/conftest.py``: a server
with demo data, once on SQLite and once on PostgreSQL. ``broken_server`` is a
server whose database is damaged on purpose, to provoke the faults that a
healthy server never answers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.servers import Server, start_server, stop_server


@dataclass
class BrokenServer:
    """A running server whose database fails in two known ways.

    Reading ``corrupt_account`` fails with an internal error (its stored time
    is not a time), and anything about contacts finds the database
    unavailable (their table is gone).
    """

    server: Server
    corrupt_account: str


@pytest.fixture(scope="session")
def broken_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokenServer]:
    """A CORE server on SQLite with demo data, then a damaged database."""
    folder = tmp_path_factory.mktemp("broken-server")
    path = folder / "core.db"
    running = start_server(f"sqlite:///{path}", folder / "server.log", "--demo")

    conn = sqlite3.connect(path)
    try:
        with conn:
            (number,) = conn.execute(
                "SELECT number FROM account ORDER BY id LIMIT 1"
            ).fetchone()
            conn.execute(
                "UPDATE account SET created_at = 'not a time' WHERE number = ?",
                (number,),
            )
            conn.execute("ALTER TABLE contact RENAME TO contact_gone")
    finally:
        conn.close()

    yield BrokenServer(running, number)
    stop_server(running)
