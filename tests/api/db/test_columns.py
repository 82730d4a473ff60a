"""The core column types: what each accepts, how it converts, what it refuses."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.db import (
    Boolean,
    Column,
    Database,
    Date,
    Decimal,
    Enum,
    Integer,
    Json,
    Text,
    Timestamp,
    ValidationError,
)
from api.db.dialects import SQLiteDialect

from .conftest import Customer, make_customer


def named(column: Column, name: str = "field") -> Column:
    column.name = name
    column.table_name = "thing"
    return column


def refused(column: Column, value: object) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        column.normalize(value)
    return info.value


class TestText:
    def test_trims_and_keeps_inner_spaces(self) -> None:
        assert named(Text(20)).normalize("  Acme  Hosting ") == "Acme  Hosting"

    def test_refuses_text_over_max_length(self) -> None:
        error = refused(named(Text(5)), "abcdef")
        assert error.rule == "max_length"
        assert error.field == "thing.field"
        assert "'abcdef'" in str(error)

    def test_counts_characters_not_bytes(self) -> None:
        assert named(Text(3)).normalize("日本語") == "日本語"

    def test_refuses_control_characters(self) -> None:
        assert refused(named(Text()), "a\x00b").rule == "control"
        assert refused(named(Text()), "line\nbreak").rule == "control"

    def test_multiline_allows_line_breaks_only(self) -> None:
        column = named(Text(multiline=True))
        assert column.normalize("one\ntwo\tthree") == "one\ntwo\tthree"
        assert refused(column, "bell\x07").rule == "control"

    def test_refuses_non_text(self) -> None:
        assert refused(named(Text()), 42).rule == "type"

    def test_required_and_nullable(self) -> None:
        assert refused(named(Text()), None).rule == "required"
        assert named(Text(null=True)).normalize(None) is None

    def test_min_length_and_pattern(self) -> None:
        column = named(Text(10, min_length=2, pattern=r"[A-Z]-\d+"))
        assert column.normalize("A-12") == "A-12"
        assert refused(column, "a-12").rule == "pattern"
        assert refused(named(Text(min_length=2)), "x").rule == "min_length"

    @given(st.text(max_size=50))
    def test_any_text_is_accepted_or_refused_cleanly(self, value: str) -> None:
        column = named(Text(30))
        try:
            result = column.normalize(value)
        except ValidationError as error:
            assert error.rule in {"control", "max_length"}
        else:
            assert len(result) <= 30
            assert column.normalize(result) == result


class TestInteger:
    def test_accepts_int_and_decimal_text(self) -> None:
        column = named(Integer())
        assert column.normalize(7) == 7
        assert column.normalize(" -12 ") == -12

    def test_refuses_bool_float_and_words(self) -> None:
        column = named(Integer())
        for value in (True, 1.5, "1.0", "ten", [1]):
            assert refused(column, value).rule == "type"

    def test_bounds(self) -> None:
        column = named(Integer(min_value=0, max_value=10))
        assert refused(column, -1).rule == "min_value"
        assert refused(column, 11).rule == "max_value"
        assert column.normalize(10) == 10

    def test_default_bounds_are_64_bit(self) -> None:
        column = named(Integer())
        assert column.normalize(2**63 - 1) == 2**63 - 1
        assert refused(column, 2**63).rule == "max_value"

    @given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
    def test_every_64_bit_integer_round_trips_through_text(self, value: int) -> None:
        assert named(Integer()).normalize(str(value)) == value


class TestDecimal:
    def test_quantizes_to_scale(self) -> None:
        column = named(Decimal(8, 2))
        assert column.normalize("12.5") == decimal.Decimal("12.50")
        assert str(column.normalize(3)) == "3.00"

    def test_refuses_floats(self) -> None:
        assert refused(named(Decimal()), 0.1).rule == "type"

    def test_refuses_extra_decimal_places_instead_of_rounding(self) -> None:
        assert refused(named(Decimal(8, 2)), "1.005").rule == "scale"

    def test_refuses_too_many_integer_digits(self) -> None:
        assert refused(named(Decimal(5, 2)), "1000.00").rule == "precision"

    def test_refuses_nan_and_infinity(self) -> None:
        for value in (decimal.Decimal("NaN"), decimal.Decimal("Infinity"), "NaN"):
            assert refused(named(Decimal()), value).rule == "type"

    def test_min_value(self) -> None:
        assert refused(named(Decimal(min_value=0)), "-0.01").rule == "min_value"

    @given(st.decimals(min_value=-(10**9), max_value=10**9, places=2))
    def test_every_two_place_amount_is_exact(self, value: decimal.Decimal) -> None:
        assert named(Decimal(12, 2)).normalize(str(value)) == value


class TestBoolean:
    @pytest.mark.parametrize("value", [True, 1, "1", "true", "TRUE", "yes", "on"])
    def test_true(self, value: object) -> None:
        assert named(Boolean()).normalize(value) is True

    @pytest.mark.parametrize("value", [False, 0, "0", "false", "no", "off"])
    def test_false(self, value: object) -> None:
        assert named(Boolean()).normalize(value) is False

    @pytest.mark.parametrize("value", [2, "maybe", 0.0, []])
    def test_refused(self, value: object) -> None:
        assert refused(named(Boolean()), value).rule == "type"


class TestEnum:
    def test_accepts_a_choice(self) -> None:
        assert named(Enum(["low", "high"])).normalize(" high ") == "high"

    def test_refusal_lists_the_choices(self) -> None:
        error = refused(named(Enum(["low", "high"])), "HIGH")
        assert error.rule == "enum"
        assert "low, high" in str(error)


class TestTimestamp:
    def test_converts_to_utc(self) -> None:
        plus_two = dt.timezone(dt.timedelta(hours=2))
        value = dt.datetime(2026, 1, 1, 12, 0, tzinfo=plus_two)
        result = named(Timestamp()).normalize(value)
        assert result == value
        assert result.tzinfo == dt.UTC
        assert result.hour == 10

    def test_reads_iso_text_with_zulu(self) -> None:
        result = named(Timestamp()).normalize("2026-03-01T08:30:00Z")
        assert result == dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC)

    def test_refuses_naive_times(self) -> None:
        assert refused(named(Timestamp()), dt.datetime(2026, 1, 1)).rule == "timezone"
        assert refused(named(Timestamp()), "2026-01-01T00:00:00").rule == "timezone"

    def test_refuses_garbage(self) -> None:
        assert refused(named(Timestamp()), "yesterday").rule == "type"
        assert refused(named(Timestamp()), 1700000000).rule == "type"

    @pytest.mark.parametrize(
        ("stored", "expected"),
        [
            ("2026-03-01 08:30:00.250000", dt.datetime(2026, 3, 1, 8, 30, 0, 250000)),
            ("2026-03-01 08:30:00", dt.datetime(2026, 3, 1, 8, 30)),
            ("2026-03-01T10:30:00+02:00", dt.datetime(2026, 3, 1, 8, 30)),
        ],
        ids=["as written", "no fraction", "own offset"],
    )
    def test_reads_sqlite_text_as_utc(self, stored: str, expected: dt.datetime) -> None:
        column = named(Timestamp())
        dialect = SQLiteDialect("sqlite:///unused.db")

        result = column.from_db(stored, dialect)

        assert result == expected.replace(tzinfo=dt.UTC)
        assert result.utcoffset() == dt.timedelta(0)
        assert column.from_db(column.to_db(result, dialect), dialect) == result


class TestDate:
    def test_accepts_dates_and_iso_text(self) -> None:
        assert named(Date()).normalize("2026-02-28") == dt.date(2026, 2, 28)

    def test_refuses_datetimes_and_impossible_dates(self) -> None:
        assert refused(named(Date()), dt.datetime(2026, 1, 1)).rule == "type"
        assert refused(named(Date()), "2026-02-30").rule == "type"


class TestJson:
    def test_round_trips_documents(self) -> None:
        assert named(Json()).normalize({"b": [1, "x"], "a": None}) == {
            "a": None,
            "b": [1, "x"],
        }

    def test_refuses_what_json_cannot_hold(self) -> None:
        assert refused(named(Json()), {"when": dt.date.today()}).rule == "type"


class TestStorage:
    """Every type reads back identically on both backends."""

    def test_values_round_trip(self, db: Database) -> None:
        noon = dt.datetime(2026, 6, 1, 12, 0, 0, 123456, tzinfo=dt.UTC)
        row = make_customer(
            db,
            name="Zoë 日本 🚀",
            credit="12345678.90",
            active=False,
            since="2024-02-29",
            rank=1000,
            notes="two\nlines",
            settings={"quota": [1, 2], "label": "é"},
            created_at=noon,
        )
        loaded = Customer.get(db, row.id)
        assert loaded == row
        assert loaded.name == "Zoë 日本 🚀"
        assert loaded.credit == decimal.Decimal("12345678.90")
        assert loaded.active is False
        assert loaded.since == dt.date(2024, 2, 29)
        assert loaded.settings == {"quota": [1, 2], "label": "é"}
        assert loaded.created_at == noon
        assert loaded.created_at.tzinfo == dt.UTC

    def test_money_sums_stay_exact(self, db: Database) -> None:
        for index in range(10):
            make_customer(db, f"C{index}", credit="0.10")
        total = sum(c.credit for c in Customer.find(db))
        assert total == decimal.Decimal("1.00")
        assert Customer.count(db, credit__ge="0.10") == 10

    def test_timestamp_comparisons_use_utc(self, db: Database) -> None:
        early = dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.UTC)
        make_customer(db, "C1", created_at=early)
        make_customer(db, "C2", created_at=early + dt.timedelta(hours=2))
        tokyo = dt.timezone(dt.timedelta(hours=9))
        threshold = dt.datetime(2026, 1, 1, 10, 0, tzinfo=tokyo)
        assert [c.code for c in Customer.find(db, created_at__gt=threshold)] == ["C2"]
