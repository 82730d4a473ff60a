"""Transactions, savepoints and concurrent writers on both backends."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from api.db import ConflictError, Database, UniqueViolation, ValidationError, connect

from .conftest import Customer, Order, make_customer


class Boom(Exception):
    """An error raised on purpose inside a transaction."""


class TestTransactions:
    def test_commit(self, db: Database) -> None:
        with db.transaction():
            make_customer(db, "C1")
            make_customer(db, "C2")
        assert Customer.count(db) == 2

    def test_error_rolls_everything_back(self, db: Database) -> None:
        with pytest.raises(Boom), db.transaction():
            make_customer(db, "C1")
            raise Boom
        assert Customer.count(db) == 0

    def test_failed_statement_leaves_no_half_written_change(self, db: Database) -> None:
        with pytest.raises(UniqueViolation), db.transaction():
            customer = make_customer(db, "C1")
            Order.insert(db, customer_id=customer.id, reference="R1", amount=1)
            make_customer(db, "C1")
        assert Customer.count(db) == 0
        assert Order.count(db) == 0

    def test_savepoint_undoes_only_the_inner_block(self, db: Database) -> None:
        with db.transaction():
            make_customer(db, "C1")
            with pytest.raises(UniqueViolation), db.transaction():
                make_customer(db, "C2")
                make_customer(db, "C1")
            make_customer(db, "C3")
        assert sorted(c.code for c in Customer.find(db)) == ["C1", "C3"]

    def test_nested_savepoints(self, db: Database) -> None:
        with db.transaction():
            make_customer(db, "C1")
            with db.transaction():
                make_customer(db, "C2")
                with pytest.raises(Boom), db.transaction():
                    make_customer(db, "C3")
                    raise Boom
            assert Customer.count(db) == 2
        assert Customer.count(db) == 2

    def test_outer_failure_undoes_committed_savepoints(self, db: Database) -> None:
        with pytest.raises(Boom), db.transaction():
            with db.transaction():
                make_customer(db, "C1")
            raise Boom
        assert Customer.count(db) == 0

    def test_validation_error_inside_transaction_rolls_back(self, db: Database) -> None:
        with pytest.raises(ValidationError), db.transaction():
            make_customer(db, "C1")
            make_customer(db, "C2", rank=-1)
        assert Customer.count(db) == 0

    def test_in_transaction_flag_is_per_thread(self, db: Database) -> None:
        seen: list[bool] = []
        with db.transaction():
            assert db.in_transaction
            thread = threading.Thread(target=lambda: seen.append(db.in_transaction))
            thread.start()
            thread.join()
        assert seen == [False]
        assert not db.in_transaction

    def test_uncommitted_rows_are_invisible_to_other_connections(
        self, db: Database, db_url: str
    ) -> None:
        other = connect(db_url)
        try:
            with db.transaction():
                make_customer(db, "C1")
                assert other_count(other) == 0
            assert other_count(other) == 1
        finally:
            other.close()


def other_count(other: Database) -> int:
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(Customer.count(other)))
    thread.start()
    thread.join()
    return result[0]


def race(workers: list[Callable[[], object]]) -> list[object]:
    """Run callables at the same moment in threads; return results or errors."""
    barrier = threading.Barrier(len(workers))
    results: list[object] = [None] * len(workers)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = workers[index]()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


class TestConcurrency:
    def test_two_connections_updating_one_version_exactly_one_wins(
        self, db: Database, db_url: str
    ) -> None:
        row = make_customer(db)
        first, second = connect(db_url), connect(db_url)
        try:
            results = race(
                [
                    lambda: update_in_transaction(first, row, "First"),
                    lambda: update_in_transaction(second, row, "Second"),
                ]
            )
        finally:
            first.close()
            second.close()
        winners = [r for r in results if isinstance(r, Customer)]
        losers = [r for r in results if isinstance(r, ConflictError)]
        assert len(winners) == 1 and len(losers) == 1, results
        stored = Customer.get(db, row.id)
        assert stored.version == 2
        assert stored.name == winners[0].name

    def test_many_writers_never_lose_an_increment(
        self, db: Database, db_url: str
    ) -> None:
        row = make_customer(db)
        handles = [connect(db_url) for _ in range(4)]
        try:
            results = race(
                [lambda h=h: increment_with_retry(h, row.id, 5) for h in handles]
            )
        finally:
            for handle in handles:
                handle.close()
        assert results == [5, 5, 5, 5]
        assert Customer.get(db, row.id).rank == 20


def update_in_transaction(db: Database, read: Customer, name: str) -> Customer:
    """Update the row as a client that read it earlier, at ``read.version``."""
    with db.transaction():
        Customer.get(db, read.id, for_update=False)
        return Customer.update(
            db, read.id, {"name": name}, expected_version=read.version
        )


def increment_with_retry(db: Database, key: int, times: int) -> int:
    done = 0
    while done < times:
        current = Customer.get(db, key)
        try:
            Customer.update(
                db, key, {"rank": current.rank + 1}, expected_version=current.version
            )
        except ConflictError:
            continue
        done += 1
    return done
