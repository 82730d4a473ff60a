"""The query API a table declaration gets: reads, writes, filters, pages, joins."""

from __future__ import annotations

import decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.db import (
    ConflictError,
    Database,
    ForeignKeyViolation,
    NotFoundError,
    ProgrammingError,
    UniqueViolation,
    ValidationError,
)

from .conftest import Customer, Order, make_customer


class TestInsertAndGet:
    def test_insert_returns_generated_key_and_defaults(self, db: Database) -> None:
        row = make_customer(db)
        assert isinstance(row.id, int) and row.id > 0
        assert row.version == 1
        assert row.tier == "standard"
        assert row.credit == decimal.Decimal("0.00")
        assert row.created_at is not None

    def test_a_loaded_row_converts_stored_values(self, db: Database) -> None:
        stored = make_customer(db, credit="12.50", settings={"a": [1]})
        (values,) = db.execute('SELECT * FROM "customer"').rows

        row = Customer.load(db, values)

        assert vars(row) == {**vars(stored), "related": {}}
        assert row.credit == decimal.Decimal("12.50") and row.settings == {"a": [1]}
        with pytest.raises(ProgrammingError, match="customer needs 13 values, not 12"):
            Customer.load(db, values[:-1])

    def test_keys_are_not_reused_after_delete(self, db: Database) -> None:
        first = make_customer(db, "C1")
        Customer.delete(db, first.id)
        assert make_customer(db, "C2").id > first.id

    def test_get_missing_raises_the_tables_not_found(self, db: Database) -> None:
        with pytest.raises(Customer.NotFound) as info:
            Customer.get(db, 999)
        assert isinstance(info.value, NotFoundError)
        assert "customer 999" in str(info.value)
        assert Customer.get_or_none(db, 999) is None

    def test_missing_required_value_is_refused_and_nothing_stored(
        self, db: Database
    ) -> None:
        with pytest.raises(ValidationError) as info:
            Customer.insert(db, code="C1")
        assert info.value.column == "name" and info.value.rule == "required"
        assert Customer.count(db) == 0

    def test_invalid_value_names_table_column_value_and_rule(
        self, db: Database
    ) -> None:
        with pytest.raises(ValidationError) as info:
            make_customer(db, tier="gold")
        message = str(info.value)
        assert "customer.tier" in message and "'gold'" in message and "enum" in message
        assert Customer.count(db) == 0

    def test_unknown_column_is_a_programming_error(self, db: Database) -> None:
        with pytest.raises(ProgrammingError):
            make_customer(db, colour="blue")

    def test_unique_violation_is_translated(self, db: Database) -> None:
        make_customer(db, "C1")
        with pytest.raises(UniqueViolation) as info:
            make_customer(db, "C1")
        assert info.value.__cause__ is not None
        assert Customer.count(db) == 1

    def test_composite_unique(self, db: Database) -> None:
        customer = make_customer(db)
        Order.insert(db, customer_id=customer.id, reference="R1", amount=1)
        with pytest.raises(UniqueViolation):
            Order.insert(db, customer_id=customer.id, reference="R1", amount=2)

    def test_foreign_key_violation_is_translated(self, db: Database) -> None:
        with pytest.raises(ForeignKeyViolation):
            Order.insert(db, customer_id=12345, reference="R1", amount=1)

    def test_referenced_row_cannot_be_deleted(self, db: Database) -> None:
        customer = make_customer(db)
        Order.insert(db, customer_id=customer.id, reference="R1", amount=1)
        with pytest.raises(ForeignKeyViolation):
            Customer.delete(db, customer.id)
        assert Customer.exists(db, id=customer.id)

    def test_cascade_delete(self, db: Database) -> None:
        customer = make_customer(db)
        parent = Order.insert(db, customer_id=customer.id, reference="P", amount=1)
        Order.insert(
            db, customer_id=customer.id, reference="K", amount=1, parent_id=parent.id
        )
        Order.delete(db, parent.id)
        assert Order.count(db) == 0


class TestUpdateAndDelete:
    def test_update_bumps_version_and_auto_now(self, db: Database) -> None:
        row = make_customer(db)
        changed = Customer.update(db, row.id, {"name": "Renamed"}, expected_version=1)
        assert changed.name == "Renamed"
        assert changed.version == 2
        assert changed.updated_at > row.updated_at
        assert changed.created_at == row.created_at

    def test_stale_version_conflicts_and_changes_nothing(self, db: Database) -> None:
        row = make_customer(db)
        Customer.update(db, row.id, {"name": "First"}, expected_version=1)
        with pytest.raises(ConflictError) as info:
            Customer.update(db, row.id, {"name": "Second"}, expected_version=1)
        assert "version 2, not 1" in str(info.value)
        assert Customer.get(db, row.id).name == "First"

    def test_update_of_missing_row(self, db: Database) -> None:
        with pytest.raises(Customer.NotFound):
            Customer.update(db, 404, {"name": "x"})

    def test_update_validates_and_changes_nothing_on_refusal(
        self, db: Database
    ) -> None:
        row = make_customer(db)
        with pytest.raises(ValidationError):
            Customer.update(db, row.id, {"name": "ok", "rank": -5})
        assert Customer.get(db, row.id) == row

    def test_key_and_version_cannot_be_set(self, db: Database) -> None:
        row = make_customer(db)
        with pytest.raises(ProgrammingError):
            Customer.update(db, row.id, {"version": 9})
        with pytest.raises(ProgrammingError):
            Customer.update(db, row.id, {"id": 9})

    def test_update_where_counts_and_bumps_versions(self, db: Database) -> None:
        for code in ("C1", "C2", "C3"):
            make_customer(db, code, tier="premium" if code != "C3" else "standard")
        assert Customer.update_where(db, {"active": False}, tier="premium") == 2
        assert [c.version for c in Customer.find(db, order_by=["code"])] == [2, 2, 1]

    def test_delete_with_stale_version(self, db: Database) -> None:
        row = make_customer(db)
        Customer.update(db, row.id, {"name": "x"})
        with pytest.raises(ConflictError):
            Customer.delete(db, row.id, expected_version=1)
        Customer.delete(db, row.id, expected_version=2)
        with pytest.raises(Customer.NotFound):
            Customer.delete(db, row.id)

    def test_delete_where(self, db: Database) -> None:
        for code in ("C1", "C2"):
            make_customer(db, code)
        assert Customer.delete_where(db, code="C1") == 1
        assert [c.code for c in Customer.find(db)] == ["C2"]


@pytest.fixture
def many(db: Database) -> Database:
    """Ten customers C0..C9 with ranks 0..90 and a mix of tiers and notes."""
    for index in range(10):
        make_customer(
            db,
            f"C{index}",
            name=f"Customer {'Alpha' if index % 2 else 'Beta'} {index}",
            rank=index * 10,
            tier="premium" if index < 3 else "standard",
            notes=None if index % 3 else "has 100% uptime_promise",
        )
    return db


def codes(rows: list[Customer]) -> list[str]:
    return [row.code for row in rows]


class TestFilters:
    def test_comparisons(self, many: Database) -> None:
        assert codes(Customer.find(many, rank__lt=20, order_by=["code"])) == [
            "C0",
            "C1",
        ]
        assert codes(Customer.find(many, rank__ge=80, order_by=["code"])) == [
            "C8",
            "C9",
        ]
        assert Customer.count(many, rank__gt=0, rank__le=30) == 3
        assert Customer.count(many, tier__ne="premium") == 7

    def test_in_and_not_in(self, many: Database) -> None:
        found = Customer.find(many, code__in=["C1", "C4", "nope"], order_by=["code"])
        assert codes(found) == ["C1", "C4"]
        assert Customer.count(many, code__in=[]) == 0
        assert Customer.count(many, code__not_in=["C1"]) == 9
        assert Customer.count(many, code__not_in=[]) == 10

    def test_null_tests(self, many: Database) -> None:
        assert Customer.count(many, notes__isnull=True) == 6
        assert Customer.count(many, notes__isnull=False) == 4
        assert Customer.count(many, notes=None) == 6

    def test_contains_is_case_insensitive_and_literal(self, many: Database) -> None:
        assert Customer.count(many, name__contains="alpha") == 5
        assert Customer.count(many, notes__contains="100%") == 4
        assert Customer.count(many, notes__contains="0%_") == 0
        assert Customer.count(many, notes__contains="_promise") == 4
        assert Customer.count(many, name__contains="%") == 0

    def test_contains_folds_non_ascii(self, db: Database) -> None:
        make_customer(db, "C1", name="Ärzte Zoë")
        assert Customer.count(db, name__contains="zoë") == 1

    def test_startswith_is_exact(self, many: Database) -> None:
        assert Customer.count(many, name__startswith="Customer Alpha") == 5
        assert Customer.count(many, name__startswith="customer") == 0

    def test_filter_values_are_normalized(self, many: Database) -> None:
        assert Customer.count(many, rank="30") == 1
        with pytest.raises(ValidationError) as info:
            Customer.count(many, tier="gold")
        assert info.value.rule == "enum"

    def test_unknown_column_or_operator(self, many: Database) -> None:
        with pytest.raises(ProgrammingError):
            Customer.find(many, colour="red")
        with pytest.raises(ProgrammingError):
            Customer.find(many, rank__between=(1, 2))

    def test_ordering_limit_offset(self, many: Database) -> None:
        found = Customer.find(many, order_by=["-rank"], limit=3, offset=1)
        assert codes(found) == ["C8", "C7", "C6"]
        with pytest.raises(ProgrammingError):
            Customer.find(many, limit=-1)

    def test_first_and_exists(self, many: Database) -> None:
        first = Customer.first(many, order_by=["-rank"], tier="premium")
        assert first is not None and first.code == "C2"
        assert Customer.exists(many, code="C9")
        assert not Customer.exists(many, code="C99")


class TestInjection:
    """Hostile values are data, never SQL."""

    HOSTILE = [
        "'; DROP TABLE customer; --",
        "' OR '1'='1",
        '" OR ""="',
        "%' OR 1=1 --",
        "\\'; DELETE FROM customer; --",
        "Robert'); DROP TABLE purchase;--",
    ]

    @pytest.mark.parametrize("value", HOSTILE)
    def test_values_are_stored_verbatim(self, db: Database, value: str) -> None:
        row = make_customer(db, "C1", name=value[:80])
        assert Customer.get(db, row.id).name == value[:80]
        assert Customer.count(db, name=value[:80]) == 1
        assert Customer.count(db, name__contains=value[:40]) == 1
        assert Customer.count(db, code=value[:12]) == 0
        assert Order.count(db) == 0

    @pytest.mark.parametrize(
        "key",
        ['name"; DROP TABLE customer; --', "name OR 1=1", "code__in); --", "1=1"],
    )
    def test_hostile_identifiers_are_refused(self, many: Database, key: str) -> None:
        with pytest.raises(ProgrammingError):
            Customer.find(many, **{key: "x"})
        with pytest.raises(ProgrammingError):
            Customer.find(many, order_by=[key])
        assert Customer.count(many) == 10

    @settings(
        max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.text(max_size=60))
    def test_any_search_text_is_harmless(self, many: Database, text: str) -> None:
        try:
            found = Customer.count(many, name__contains=text)
        except ValidationError:
            return
        assert 0 <= found <= 10
        assert Customer.count(many) == 10


class TestPaging:
    def collect(self, db: Database, size: int, **options: Any) -> list[str]:
        seen: list[str] = []
        cursor = None
        while True:
            page = Customer.page(db, size=size, cursor=cursor, **options)
            assert len(page.items) <= size
            seen += codes(page.items)
            cursor = page.next_cursor
            if cursor is None:
                return seen

    def test_pages_cover_every_row_once_in_order(self, many: Database) -> None:
        assert self.collect(many, 3, order_by=["-rank"]) == [
            f"C{i}" for i in range(9, -1, -1)
        ]
        assert self.collect(many, 10) == [f"C{i}" for i in range(10)]

    def test_last_page_has_no_cursor(self, many: Database) -> None:
        page = Customer.page(many, size=10)
        assert len(page.items) == 10 and page.next_cursor is None

    def test_ties_are_broken_by_key(self, many: Database) -> None:
        assert sorted(self.collect(many, 4, order_by=["tier"])) == sorted(
            f"C{i}" for i in range(10)
        )

    def test_filters_apply_to_every_page(self, many: Database) -> None:
        assert self.collect(many, 2, tier="premium") == ["C0", "C1", "C2"]

    def test_stable_while_rows_are_inserted(self, many: Database) -> None:
        first = Customer.page(many, size=4, order_by=["rank"])
        assert codes(first.items) == ["C0", "C1", "C2", "C3"]
        make_customer(many, "N1", rank=5)
        make_customer(many, "N2", rank=95)
        second = Customer.page(
            many, size=4, order_by=["rank"], cursor=first.next_cursor
        )
        assert codes(second.items) == ["C4", "C5", "C6", "C7"]

    def test_stable_on_timestamps_while_rows_are_inserted(self, many: Database) -> None:
        first = Customer.page(many, size=5, order_by=["-created_at"])
        make_customer(many, "NEW")
        rest = Customer.page(
            many, size=50, order_by=["-created_at"], cursor=first.next_cursor
        )
        seen = codes(first.items) + codes(rest.items)
        assert "NEW" not in seen
        assert sorted(seen) == sorted(f"C{i}" for i in range(10))

    @pytest.mark.parametrize("cursor", ["garbage", "e30", "WyJ4IiwgW11d", "%%%"])
    def test_foreign_or_broken_cursor_is_refused(
        self, many: Database, cursor: str
    ) -> None:
        with pytest.raises(ValidationError) as info:
            Customer.page(many, size=2, cursor=cursor)
        assert info.value.rule == "cursor"

    def test_cursor_of_another_order_is_refused(self, many: Database) -> None:
        cursor = Customer.page(many, size=2, order_by=["rank"]).next_cursor
        with pytest.raises(ValidationError):
            Customer.page(many, size=2, order_by=["-rank"], cursor=cursor)

    def test_bad_size(self, many: Database) -> None:
        with pytest.raises(ProgrammingError):
            Customer.page(many, size=0)

    def test_nullable_order_column_is_refused(self, many: Database) -> None:
        with pytest.raises(ProgrammingError):
            Customer.page(many, size=2, order_by=["notes"])


class TestJoins:
    def test_filter_through_a_reference(self, many: Database) -> None:
        for code in ("C1", "C2"):
            customer = Customer.first(many, code=code)
            assert customer is not None
            Order.insert(many, customer_id=customer.id, reference=f"R-{code}", amount=5)
        found = Order.find(many, customer_id__code="C2")
        assert [o.reference for o in found] == ["R-C2"]
        assert Order.count(many, customer_id__name__contains="alpha") == 1
        assert Order.count(many, customer_id__tier__in=["premium"]) == 2

    def test_related_rows_are_joined_in_one_query(self, many: Database) -> None:
        customers = Customer.find(many, order_by=["code"])
        for customer in customers:
            Order.insert(many, customer_id=customer.id, reference="R", amount=1)
        before = many.statement_count
        orders = Order.find(many, related=["customer_id", "parent_id"], order_by=["id"])
        assert many.statement_count - before == 1
        assert [o.related["customer_id"] for o in orders] == customers
        assert all(o.related["parent_id"] is None for o in orders)

    def test_related_page(self, many: Database) -> None:
        customer = Customer.first(many, code="C3")
        assert customer is not None
        Order.insert(many, customer_id=customer.id, reference="R", amount=1)
        page = Order.page(many, size=5, related=["customer_id"])
        assert page.items[0].related["customer_id"].code == "C3"

    def test_related_columns_read_only_those(self, many: Database) -> None:
        customer = Customer.first(many, code="C2")
        assert customer is not None
        first = Order.insert(many, customer_id=customer.id, reference="R1", amount=1)
        Order.insert(
            many, customer_id=customer.id, reference="R2", amount=2, parent_id=first.id
        )
        related = {"customer_id": ["code", "credit", "created_at"], "parent_id": []}

        orders = Order.find(many, related=related, order_by=["id"])

        joined = orders[0].related["customer_id"]
        assert joined is not None
        assert (joined.id, joined.code) == (customer.id, "C2")
        assert (joined.credit, joined.created_at) == (
            customer.credit,
            customer.created_at,
        )
        with pytest.raises(AttributeError, match=r"customer\.name was not loaded"):
            joined.name
        assert orders[0].related["parent_id"] is None
        parent = orders[1].related["parent_id"]
        assert parent is not None and parent.id == first.id
        page = Order.page(many, size=1, related={"customer_id": ["tier"]})
        assert page.items[0].related["customer_id"].tier == customer.tier

    def test_related_columns_must_be_declared(self, many: Database) -> None:
        with pytest.raises(ProgrammingError, match="no column 'nickname'"):
            Order.find(many, related={"customer_id": ["nickname"]})
        with pytest.raises(ProgrammingError, match="list of column names"):
            Order.find(many, related={"customer_id": "code"})
        with pytest.raises(ProgrammingError, match="not a reference"):
            Order.find(many, related={"reference": ["code"]})

    def test_cannot_join_a_plain_column(self, many: Database) -> None:
        with pytest.raises(ProgrammingError):
            Order.find(many, related=["reference"])
        with pytest.raises(ProgrammingError):
            Order.find(many, reference__customer="x")


class TestInsertMany:
    def test_bulk_rows_are_normalized_and_stored(self, db: Database) -> None:
        rows = [
            {"code": f"B{i}", "name": f" Bulk {i} ", "credit": "1.5"} for i in range(50)
        ]
        assert Customer.insert_many(db, rows) == 50
        stored = Customer.find(db, order_by=["id"])
        assert len(stored) == 50 and stored[0].name == "Bulk 0"
        assert stored[0].credit == decimal.Decimal("1.50") and stored[0].version == 1

    def test_a_bad_row_stores_nothing(self, db: Database) -> None:
        rows = [
            {"code": "B1", "name": "ok"},
            {"code": "B2", "name": "ok", "tier": "gold"},
        ]
        with pytest.raises(ValidationError):
            Customer.insert_many(db, rows)
        duplicate = [{"code": "B1", "name": "ok"}, {"code": "B1", "name": "again"}]
        with pytest.raises(UniqueViolation):
            Customer.insert_many(db, duplicate)
        assert Customer.count(db) == 0

    def test_rows_may_leave_defaults_out(self, db: Database) -> None:
        rows = [{"code": "B1", "name": "ok"}, {"code": "B2", "name": "ok", "rank": 3}]
        assert Customer.insert_many(db, rows) == 2
        assert [c.rank for c in Customer.find(db, order_by=["code"])] == [0, 3]
        assert Customer.insert_many(db, []) == 0

    def test_generated_keys_cannot_be_mixed(self, db: Database) -> None:
        with pytest.raises(ProgrammingError):
            Customer.insert_many(
                db, [{"code": "B1", "name": "a", "id": 7}, {"code": "B2", "name": "b"}]
            )
