"""The integrators' documentation at ``/docs``, generated once from the contract.

:func:`read_catalogue` reads a Spyne application: every operation with its
input and output fields, their facets and descriptions, the faults it declares,
and every type those fields use. :func:`render_catalogue` turns the catalogue
into static HTML pages with sample envelopes (built from the types, so they
satisfy the schema) and ready-to-run PHP and zeep snippets. :func:`docs_app`
serves the pages. Every text shown goes through :func:`html.escape`, and the
pages need no JavaScript.
"""

from __future__ import annotations

import datetime as dt
import decimal
import html
import inspect
import json
import logging
import posixpath
import re
import re._parser as sre_parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from lxml import etree
from spyne import Boolean, Date, DateTime, Decimal, Integer, Unicode
from spyne.model.complex import Array, ComplexModelBase

from service.auth import PUBLIC_OPERATIONS

logger = logging.getLogger(__name__)

DOCS_PATH = "/docs"
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
#: Stands for the service's public address in rendered pages; replaced per request.
ADDRESS_PLACEHOLDER = "https://core.placeholder.invalid/soap"
#: Where sample timestamps are; samples are the same at every start.
SAMPLE_TIME = dt.datetime(2025, 1, 15, 9, 30, tzinfo=dt.UTC)
#: The headers every page is served with: no script may run, none is needed.
SECURITY_HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self';"
        " base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
]

Environ = dict[str, Any]
StartResponse = Callable[..., Any]


# -- the catalogue: what the contract says ----------------------------------------


@dataclass(frozen=True)
class Field:
    """One element of a type or message, with what an integrator must know of it.

    :param type_name: the XML schema type (``string``) or CORE type (``Account``).
    :param complex: whether ``type_name`` is a type with a page of its own.
    :param item: for a list, the element each item is wrapped in.
    """

    name: str
    spyne_type: Any
    type_name: str
    complex: bool
    required: bool
    facets: tuple[str, ...]
    doc: str
    item: str | None = None


@dataclass
class TypeInfo:
    """A named complex type and the operations that use it."""

    name: str
    doc: str
    fields: tuple[Field, ...]
    spyne_type: Any
    used_by: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FaultInfo:
    """A fault an operation declares: its code, when it happens, its detail."""

    name: str
    faultcode: str
    doc: str
    fields: tuple[Field, ...]
    spyne_type: Any


@dataclass(frozen=True)
class Operation:
    """One SOAP operation of the contract."""

    name: str
    doc: str
    public: bool
    inputs: tuple[Field, ...]
    outputs: tuple[Field, ...]
    faults: tuple[FaultInfo, ...]
    in_message: Any
    out_message: Any

    @property
    def summary(self) -> str:
        """The first paragraph of the operation's description, on one line."""
        return " ".join(self.doc.split("\n\n", 1)[0].split())


@dataclass(frozen=True)
class Group:
    """The operations of one Spyne service class."""

    name: str
    doc: str
    operations: tuple[Operation, ...]


@dataclass
class Catalogue:
    """Everything the documentation shows, read once from the application."""

    title: str
    tns: str
    groups: list[Group]
    operations: dict[str, Operation]
    types: dict[str, TypeInfo]
    faults: dict[str, FaultInfo]
    #: The path and query of the WSDL that the pages link to.
    wsdl: str = "/soap?wsdl"


def read_catalogue(application: Any) -> Catalogue:
    """Read the operations, types and faults of a Spyne application."""
    catalogue = Catalogue(application.name or "SOAP", application.tns, [], {}, {}, {})
    for service in application.interface.services:
        operations = tuple(
            _operation(catalogue, descriptor)
            for descriptor in service.public_methods.values()
        )
        catalogue.groups.append(
            Group(service.__name__, _clean(service.__doc__), operations)
        )
        catalogue.operations.update((op.name, op) for op in operations)
    catalogue.types = dict(sorted(catalogue.types.items()))
    return catalogue


def _operation(catalogue: Catalogue, descriptor: Any) -> Operation:
    inputs = _fields(descriptor.in_message)
    outputs = _fields(descriptor.out_message)
    for item in (*inputs, *outputs):
        _collect(catalogue, item.spyne_type, descriptor.name)
    faults = tuple(_fault(catalogue, fault) for fault in descriptor.faults or ())
    return Operation(
        name=descriptor.name,
        doc=_clean(descriptor.doc),
        public=descriptor.name in PUBLIC_OPERATIONS,
        inputs=inputs,
        outputs=outputs,
        faults=faults,
        in_message=descriptor.in_message,
        out_message=descriptor.out_message,
    )


def _fault(catalogue: Catalogue, cls: Any) -> FaultInfo:
    name = cls.get_type_name()
    if name not in catalogue.faults:
        catalogue.faults[name] = FaultInfo(
            name=name,
            faultcode=str(getattr(cls, "faultcode", "Server")),
            doc=_clean(cls.get_documentation()),
            fields=_fields(cls),
            spyne_type=cls,
        )
    return catalogue.faults[name]


def _collect(catalogue: Catalogue, cls: Any, operation: str) -> None:
    """Record ``cls`` and every type below it as used by ``operation``."""
    if _is_array(cls):
        (cls,) = cls._type_info.values()
    if not _is_complex(cls):
        return
    name = cls.get_type_name()
    info = catalogue.types.get(name)
    if info is None:
        root = _root(cls)
        info = TypeInfo(name, _clean(root.get_documentation()), _fields(root), root)
        catalogue.types[name] = info
    if operation in info.used_by:
        return
    info.used_by.append(operation)
    for item in info.fields:
        _collect(catalogue, item.spyne_type, operation)


def _fields(cls: Any) -> tuple[Field, ...]:
    return tuple(_field(name, spyne_type) for name, spyne_type in _members(cls))


def _members(cls: Any) -> list[tuple[str, Any]]:
    """The fields of a complex type, its base types' first."""
    if not _is_complex(cls):
        return []
    return list(cls.get_flat_type_info(cls).items())


def _field(name: str, cls: Any) -> Field:
    attributes = cls.Attributes
    item = None
    target = cls
    if _is_array(cls):
        ((item, target),) = cls._type_info.items()
    complex_ = _is_complex(target)
    return Field(
        name=name,
        spyne_type=cls,
        type_name=target.get_type_name() if complex_ else _xsd_name(target),
        complex=complex_,
        required=(attributes.min_occurs or 0) >= 1,
        facets=facets(cls),
        doc=_clean(cls.get_documentation()),
        item=item,
    )


def _is_array(cls: Any) -> bool:
    is_list = isinstance(cls, type) and issubclass(cls, Array)
    return is_list and len(getattr(cls, "_type_info", {})) == 1


def _is_complex(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, ComplexModelBase)


def _root(cls: Any) -> Any:
    """The class ``cls`` was customized from, for its name and documentation."""
    while getattr(cls, "__orig__", None) not in (None, cls):
        cls = cls.__orig__
    return cls


def _xsd_name(cls: Any) -> str:
    return str(_root(cls).get_type_name())


def _many(max_occurs: Any) -> bool:
    return max_occurs is not None and (max_occurs == "unbounded" or max_occurs > 1)


def _clean(text: str | None) -> str:
    return inspect.cleandoc(text or "").strip()


# -- facets: the rules of a value, in words -----------------------------------------


def facets(cls: Any) -> tuple[str, ...]:
    """Describe the schema facets of a field's type in short phrases."""
    if _is_array(cls):
        ((item, _target),) = cls._type_info.items()
        return (f"a list of <{item}> elements",)
    attributes = cls.Attributes
    found = []
    if _many(attributes.max_occurs):
        found.append("repeated: one element per item")
    values = getattr(attributes, "values", None)
    if values:
        found.append("one of: " + ", ".join(str(value) for value in values))
    found += _length_facets(cls)
    pattern = getattr(attributes, "pattern", None)
    if pattern:
        found.append(f"matches the pattern {pattern}")
    found += _range_facets(attributes)
    found += _digit_facets(attributes)
    return tuple(found)


def _length_facets(cls: Any) -> list[str]:
    if not _is_text(cls):
        return []
    low = _limit(cls.Attributes, "min_len") or 0
    high = _limit(cls.Attributes, "max_len")
    if low and high is not None:
        return [f"{low} to {high} characters"]
    if high is not None:
        return [f"at most {high} characters"]
    return [f"at least {low} characters"] if low else []


def _is_text(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, Unicode)


def _range_facets(attributes: Any) -> list[str]:
    words = {"ge": "at least", "gt": "more than", "le": "at most", "lt": "less than"}
    limits = {name: _limit(attributes, name) for name in words}
    return [
        f"{words[name]} {limit}" for name, limit in limits.items() if limit is not None
    ]


def _digit_facets(attributes: Any) -> list[str]:
    total = _limit(attributes, "total_digits")
    fraction = _limit(attributes, "fraction_digits")
    found = []
    if total is not None:
        found.append(f"at most {total} digits")
    if fraction is not None:
        found.append(f"at most {fraction} after the decimal point")
    return found


def _limit(attributes: Any, name: str) -> decimal.Decimal | None:
    """A facet's value when it is set to a finite number, else ``None``."""
    value = getattr(attributes, name, None)
    if value is None or isinstance(value, bool):
        return None
    try:
        number = decimal.Decimal(value)
    except (decimal.InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


# -- samples: plausible values that satisfy the schema ------------------------------

#: Plausible values by field name; used when they satisfy the field's facets.
#: Keys name nothing in demo data, so a sample request changes nothing there.
HINTS: dict[str, Any] = {
    "accountNumber": "A-123456",
    "serverNumber": "S-234567",
    "ticketNumber": "T-345678",
    "contactId": 123456,
    "id": 123456,
    "username": "jdoe",
    "displayName": "Jane Doe",
    "email": "jane.doe@example.com",
    "password": "correct-horse-battery",
    "manager": "alice",
    "assignee": "alice",
    "author": "alice",
    "actor": "alice",
    "openedBy": "alice",
    "phone": "+1 415 555 2671",
    "street": "1 Market Street",
    "city": "San Francisco",
    "postalCode": "94103",
    "country": "US",
    "operatingSystem": "Debian 12",
    "monthlyPrice": decimal.Decimal("39.90"),
    "hostname": "web1.example.com",
    "primaryIp": "192.0.2.10",
    "subject": "Server unreachable over SSH",
    "description": "Since 09:00 UTC the server does not answer on port 22.",
    "body": "We are looking into it.",
    "resolution": "Restarted the SSH daemon; the server answers again.",
    "requestId": "9b2f6c1e-7d4a-4c57-8a61-0e5f7b2d9c43",
    "expectedVersion": 1,
    "version": 1,
    "schemaVersion": 1,
    "pageSize": 50,
    "text": "example",
    "key": "jdoe",
    "action": "updated",
    "field": "name",
    "old": "Example Ltd",
    "new": "Example Limited",
    "serviceVersion": "1.0.0",
    "nextCursor": "eyJpZCI6IDEyMzQ1Nn0",
    "code": "not_found",
    "message": "account 'A-123456' does not exist",
    "rule": "primary_contact_required",
    "incidentId": "3c9a1f2b7e604d18",
}
#: Plausible values for a field of one type, ahead of :data:`HINTS`.
TYPE_HINTS: dict[tuple[str, str], Any] = {
    ("Account", "number"): "A-123456",
    ("Account", "name"): "Example Ltd",
    ("AccountInput", "name"): "Example Ltd",
    ("AccountChanges", "name"): "Example Limited",
    ("Server", "number"): "S-234567",
    ("Ticket", "number"): "T-345678",
    ("HistoryEntry", "key"): "A-123456",
    ("HistoryEntry", "action"): "created",
    ("UserInput", "role"): "customer",
    ("UserChanges", "role"): "customer",
}
#: Optional request fields left out of samples: no plausible value exists.
LEFT_OUT_OF_REQUESTS = frozenset({"cursor"})
#: How deep samples follow optional complex fields, against recursive types.
MAX_DEPTH = 6


def sample(cls: Any, name: str = "", owner: str = "", depth: int = 0) -> Any:
    """Return a plausible value of ``cls`` for the field ``name`` of ``owner``.

    Complex values are dicts in field order, lists stand for repeated elements.
    """
    if _is_complex(cls):
        return sample_fields(cls, depth=depth + 1)
    hint = TYPE_HINTS.get((owner, name), HINTS.get(name))
    if hint is not None and fits(cls, hint):
        return hint
    return _generic(cls, name)


def sample_fields(cls: Any, *, request: bool = False, depth: int = 0) -> dict[str, Any]:
    """Return a sample of every field of ``cls`` (of each repeated one, one item)."""
    owner = _root(cls).get_type_name()
    values: dict[str, Any] = {}
    for name, member in _members(cls):
        required = (member.Attributes.min_occurs or 0) >= 1
        left_out = (request and name in LEFT_OUT_OF_REQUESTS) or depth > MAX_DEPTH
        if left_out and not required:
            continue
        value = sample(member, name, owner, depth)
        values[name] = [value] if _many(member.Attributes.max_occurs) else value
    return values


def fits(cls: Any, value: Any) -> bool:
    """Whether ``value`` satisfies the facets of ``cls``."""
    attributes = cls.Attributes
    values = getattr(attributes, "values", None)
    if values and value not in values:
        return False
    if issubclass(cls, Unicode):
        return isinstance(value, str) and _text_fits(attributes, value)
    if issubclass(cls, Boolean):
        return isinstance(value, bool)
    if not issubclass(cls, Decimal) or isinstance(value, bool):
        return False

    # Spyne's Integer is a Decimal: both take the same range and digit facets.
    kinds = int if issubclass(cls, Integer) else (int, decimal.Decimal)
    if not isinstance(value, kinds):
        return False
    return _number_fits(attributes, decimal.Decimal(value))


def _text_fits(attributes: Any, value: str) -> bool:
    low = _limit(attributes, "min_len") or 0
    high = _limit(attributes, "max_len")
    if len(value) < low or (high is not None and len(value) > high):
        return False
    pattern = attributes.pattern
    return not pattern or re.fullmatch(pattern, value) is not None


def _number_fits(attributes: Any, number: decimal.Decimal) -> bool:
    low, above = _limit(attributes, "ge"), _limit(attributes, "gt")
    high, below = _limit(attributes, "le"), _limit(attributes, "lt")
    if (low is not None and number < low) or (above is not None and number <= above):
        return False
    if (high is not None and number > high) or (below is not None and number >= below):
        return False

    _sign, digits, exponent = number.as_tuple()
    total = _limit(attributes, "total_digits")
    places = _limit(attributes, "fraction_digits")
    if total is not None and len(digits) > total:
        return False
    return places is None or max(0, -int(exponent)) <= places


def _generic(cls: Any, name: str) -> Any:
    """A value made from the type and its facets alone."""
    values = getattr(cls.Attributes, "values", None)
    if values:
        return sorted(values)[0] if isinstance(values, (set, frozenset)) else values[0]
    if issubclass(cls, Boolean):
        return True
    if issubclass(cls, DateTime):
        return SAMPLE_TIME
    if issubclass(cls, Date):
        return SAMPLE_TIME.date()
    if issubclass(cls, Integer):
        return _integer(cls.Attributes)
    if issubclass(cls, Decimal):
        return _decimal(cls.Attributes)
    return _text(cls, name)


def _integer(attributes: Any) -> int:
    value = 1
    for name, step in (("ge", 0), ("gt", 1), ("le", 0), ("lt", -1)):
        limit = _limit(attributes, name)
        if limit is None:
            continue
        bound = int(limit) + step
        value = max(value, bound) if name in ("ge", "gt") else min(value, bound)
    return value


def _decimal(attributes: Any) -> decimal.Decimal:
    total = _limit(attributes, "total_digits")
    fraction = _limit(attributes, "fraction_digits")
    places = 2 if fraction is None else int(fraction)
    whole = 2 if total is None else int(total) - places
    digits = "12"[: max(whole, 0)] or "0"
    text = digits + ("." + "50".ljust(places, "0")[:places] if places else "")
    low = _limit(attributes, "ge")
    value = decimal.Decimal(text)
    return value if low is None else max(value, low)


def _text(cls: Any, name: str) -> str:
    attributes = cls.Attributes
    if getattr(attributes, "pattern", None):
        return text_for_pattern(attributes.pattern)
    words = re.sub(r"(?<!^)([A-Z])", r" \1", name).lower() if name else "text"
    text = f"Example {words}"
    low = int(_limit(attributes, "min_len") or 0)
    high = _limit(attributes, "max_len")
    return text.ljust(low, "x")[: max(len(text) if high is None else int(high), low)]


def text_for_pattern(pattern: str) -> str:
    """Return a short text that ``pattern`` matches in full.

    :raises ValueError: when the pattern uses what the generator cannot follow.
    """
    text = "".join(_emit(sre_parse.parse(pattern)))
    if re.fullmatch(pattern, text) is None:
        raise ValueError(f"cannot make a sample for the pattern {pattern!r}")
    return text


_CATEGORIES = {"CATEGORY_DIGIT": "0", "CATEGORY_SPACE": " ", "CATEGORY_WORD": "a"}


def _emit(items: Iterable[tuple[Any, Any]]) -> Iterator[str]:
    for opcode, argument in items:
        name = str(opcode)
        if name == "LITERAL":
            yield chr(argument)
        elif name == "IN":
            yield _first_in(argument)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, body = argument
            for _ in range(max(low, min(high, 3))):
                yield from _emit(body)
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            yield from _emit(argument[-1])
        elif name == "BRANCH":
            yield from _emit(argument[1][0])
        elif name == "ANY":
            yield "a"
        elif name != "AT":
            raise ValueError(f"cannot make a sample for the regular expression {name}")


def _first_in(choices: list[tuple[Any, Any]]) -> str:
    opcode, argument = choices[0]
    name = str(opcode)
    if name == "LITERAL":
        return chr(argument)
    if name == "RANGE":
        return chr(argument[0])
    if name == "CATEGORY":
        return _CATEGORIES.get(str(argument), "a")
    raise ValueError(f"cannot make a sample for the character class {name}")


# -- sample envelopes ---------------------------------------------------------------


def xml_text(value: Any) -> str:
    """The lexical form of a sample value in XML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def sample_element(
    cls: Any, tag: str, values: dict[str, Any], namespace: str | None = None
) -> etree._Element:
    """Build the element ``tag`` of the complex type ``cls`` holding ``values``.

    :param namespace: the element's own namespace, by default the type's; its
        children are in the type's namespace (the schema qualifies them).
    """
    inner = cls.get_namespace()
    element = etree.Element(f"{{{namespace or inner}}}{tag}")
    members = dict(_members(cls))
    for name, value in values.items():
        member = members[name]
        for item in value if isinstance(value, list) else [value]:
            if _is_complex(member):
                element.append(sample_element(member, name, item, inner))
            else:
                etree.SubElement(element, f"{{{inner}}}{name}").text = xml_text(item)
    return element


def envelope(payload: etree._Element, tns: str) -> str:
    """Wrap ``payload`` in a SOAP 1.1 envelope, indented for reading."""
    nsmap = {"soap": SOAP11_ENV, "tns": tns}
    root = etree.Element(f"{{{SOAP11_ENV}}}Envelope", nsmap=nsmap)
    etree.SubElement(root, f"{{{SOAP11_ENV}}}Body").append(payload)
    etree.indent(root, space="  ")
    return str(etree.tostring(root, encoding="unicode"))


def request_values(operation: Operation) -> dict[str, Any]:
    """The sample arguments of ``operation``, by part name."""
    return sample_fields(operation.in_message, request=True)


def request_envelope(operation: Operation, tns: str) -> str:
    """A sample request of ``operation``."""
    message = operation.in_message
    payload = sample_element(
        message, message.get_type_name(), request_values(operation)
    )
    return envelope(payload, tns)


def response_envelope(operation: Operation, tns: str) -> str:
    """A sample answer of ``operation``."""
    message = operation.out_message
    values = sample_fields(message)
    return envelope(sample_element(message, message.get_type_name(), values), tns)


def fault_envelope(fault: FaultInfo, tns: str) -> str:
    """A sample fault answer, with the fault's detail element."""
    root = etree.Element(f"{{{SOAP11_ENV}}}Fault")
    etree.SubElement(root, "faultcode").text = f"soap:{fault.faultcode}"
    etree.SubElement(root, "faultstring").text = HINTS["message"]
    detail = etree.SubElement(root, "detail")
    values = sample_fields(fault.spyne_type)
    detail.append(sample_element(fault.spyne_type, fault.name, values))
    return envelope(root, tns)


# -- snippets -----------------------------------------------------------------------


def php_literal(value: Any, indent: int = 0) -> str:
    """A PHP expression for a sample value."""
    pad = " " * indent
    if isinstance(value, dict):
        lines = [
            f"{pad}    {php_literal(key)} => {php_literal(item, indent + 4)},"
            for key, item in value.items()
        ]
        return "[\n" + "\n".join(lines) + f"\n{pad}]" if lines else "[]"
    if isinstance(value, list):
        lines = [f"{pad}    {php_literal(item, indent + 4)}," for item in value]
        return "[\n" + "\n".join(lines) + f"\n{pad}]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value is None:
        return "null"
    text = xml_text(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def python_literal(value: Any, indent: int = 0) -> str:
    """A Python expression for a sample value, as zeep takes it."""
    pad = " " * indent
    if isinstance(value, dict):
        lines = [
            f"{pad}    {json.dumps(key)}: {python_literal(item, indent + 4)},"
            for key, item in value.items()
        ]
        return "{\n" + "\n".join(lines) + f"\n{pad}}}" if lines else "{}"
    if isinstance(value, list):
        lines = [f"{pad}    {python_literal(item, indent + 4)}," for item in value]
        return "[\n" + "\n".join(lines) + f"\n{pad}]"
    if isinstance(value, bool | int) or value is None:
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return f'Decimal("{value}")'
    if isinstance(value, dt.datetime):
        return f'datetime.fromisoformat("{value.isoformat()}")'
    if isinstance(value, dt.date):
        return f'date.fromisoformat("{value.isoformat()}")'
    return json.dumps(value)


def php_snippet(operation: Operation, address: str) -> str:
    """A PHP script calling ``operation`` through CORE's PHP client."""
    arguments = [
        f"        {php_literal(value, 8)}, // {name}"
        for name, value in request_values(operation).items()
    ]
    call = f"$core->{operation.name}(" + (
        "\n" + "\n".join(arguments) + "\n    )" if arguments else ")"
    )
    return PHP_TEMPLATE.format(wsdl=f"{address}?wsdl", call=call)


PHP_TEMPLATE = """<?php
// CORE_USER and CORE_PASSWORD hold your CORE user name and password.
require 'clients/php/autoload.php';

use Core\\Client\\CoreClient;
use Core\\Client\\Exception\\CoreException;

$core = new CoreClient(
    '{wsdl}',
    (string) getenv('CORE_USER'),
    (string) getenv('CORE_PASSWORD'),
);

try {{
    $result = {call};
    print_r($result);
}} catch (CoreException $error) {{
    echo 'fault ', $error->faultCode(), ': ', $error->getMessage(), PHP_EOL;
}}
"""


def zeep_snippet(operation: Operation, address: str) -> str:
    """A Python script calling ``operation`` with zeep."""
    values = request_values(operation)
    arguments = [
        f"        {name}={python_literal(value, 8)}," for name, value in values.items()
    ]
    call = f"client.service.{operation.name}(" + (
        "\n" + "\n".join(arguments) + "\n    )" if arguments else ")"
    )
    return ZEEP_TEMPLATE.format(
        imports=_python_imports(values), wsdl=f"{address}?wsdl", call=call
    )


def _python_imports(values: Any) -> str:
    found = set()
    for value in _leaves(values):
        if isinstance(value, decimal.Decimal):
            found.add("from decimal import Decimal\n")
        elif isinstance(value, dt.datetime):
            found.add("from datetime import datetime\n")
        elif isinstance(value, dt.date):
            found.add("from datetime import date\n")
    return "".join(sorted(found))


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


ZEEP_TEMPLATE = """import os
{imports}
import requests
import zeep
from zeep.exceptions import Fault
from zeep.transports import Transport

# CORE_USER and CORE_PASSWORD hold your CORE user name and password.
session = requests.Session()
session.auth = (os.environ["CORE_USER"], os.environ["CORE_PASSWORD"])
client = zeep.Client(
    "{wsdl}", transport=Transport(session=session)
)

try:
    result = {call}
except Fault as fault:
    print("fault", fault.code, fault.message)
else:
    print(result)
"""


# -- HTML ---------------------------------------------------------------------------


def esc(text: Any) -> str:
    """Escape any text for HTML, quotes included."""
    return html.escape(str(text), quote=True)


def prose(text: str) -> str:
    """Docstring text as HTML paragraphs; ````literal```` becomes code."""
    paragraphs = [part for part in re.split(r"\n\s*\n", text.strip()) if part]
    return "".join(
        "<p>"
        + re.sub(r"``(.+?)``", r"<code>\1</code>", esc(" ".join(part.split())))
        + "</p>"
        for part in paragraphs
    )


def href(page: str, target: str, fragment: str = "") -> str:
    """A relative link from ``page`` to ``target`` (both paths from the root)."""
    path, _, query = target.partition("?")
    start = posixpath.dirname(page.strip("/")) or "."
    folder, name = posixpath.split(path.strip("/"))

    # Relative to the target's folder: a page may share its name with a folder.
    link = posixpath.join(posixpath.relpath(folder or ".", start), name)
    link = link.removeprefix("./")
    link += f"?{query}" if query else ""
    link += f"#{quote(fragment, safe='')}" if fragment else ""
    return esc(link)


def operation_path(name: str) -> str:
    """The path of an operation's page."""
    return f"{DOCS_PATH}/operations/{quote(name, safe='')}"


def type_path(name: str) -> str:
    """The path of a type's page."""
    return f"{DOCS_PATH}/types/{quote(name, safe='')}"


FAULTS_PATH = f"{DOCS_PATH}/faults"

STYLE = """
:root{color-scheme:light dark;--fg:#1c2330;--muted:#5a6472;--bg:#fff;
--line:#d8dde4;--code:#f3f5f8;--accent:#0a58a8;--head:#f7f8fa}
@media (prefers-color-scheme:dark){:root{--fg:#e4e8ee;--muted:#a2abb8;
--bg:#12161c;--line:#2b323c;--code:#1a2029;--accent:#74b4ff;--head:#171c23}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg);
-webkit-text-size-adjust:100%;text-size-adjust:100%}
header{background:var(--head);border-bottom:1px solid var(--line)}
header nav,main,footer{max-width:66rem;margin:0 auto;padding:0 1rem}
header nav{display:flex;flex-wrap:wrap;gap:.2rem 1.2rem;padding:.7rem 1rem}
header nav a:first-child{font-weight:700;margin-right:auto}
main{padding-bottom:2rem}
footer{color:var(--muted);font-size:.85rem;padding-bottom:2rem}
a{color:var(--accent);text-decoration-thickness:1px;text-underline-offset:2px}
h1{font-size:1.9rem;line-height:1.2;margin:1.4rem 0 .6rem;overflow-wrap:anywhere}
h2{font-size:1.35rem;margin:2rem 0 .6rem;padding-top:.4rem;
border-top:1px solid var(--line)}
h3{font-size:1.1rem;margin:1.4rem 0 .4rem}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,
"Liberation Mono",monospace;font-size:.88em}
code{background:var(--code);padding:.05em .3em;border-radius:4px}
pre{background:var(--code);border:1px solid var(--line);border-radius:6px;
padding:.8rem 1rem;overflow-x:auto;line-height:1.45}
pre code{background:none;padding:0}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}
th,td{text-align:left;vertical-align:top;padding:.45rem .6rem;
border-bottom:1px solid var(--line)}
th{font-size:.85rem;color:var(--muted);font-weight:600}
td{overflow-wrap:break-word}
td p{margin:0}
td p+p{margin-top:.4rem}
@media (min-width:40.01rem){table.stack td:nth-child(-n+2){white-space:nowrap}}
.muted{color:var(--muted)}
.crumbs{color:var(--muted);font-size:.9rem;margin-top:1rem}
.toc{display:flex;flex-wrap:wrap;gap:.3rem 1rem;padding:0;list-style:none}
.badge{display:inline-block;font-size:.75rem;border:1px solid var(--line);
border-radius:999px;padding:0 .5rem;color:var(--muted);white-space:nowrap}
.req{color:var(--fg);border-color:var(--fg)}
ul.rules{margin:0;padding-left:1.1rem}
@media (max-width:40rem){
body{font-size:15px}
h1{font-size:1.5rem}
table.stack thead{display:none}
table.stack tr{display:block;border-bottom:1px solid var(--line);padding:.4rem 0}
table.stack td{display:block;border:0;padding:.15rem 0}
table.stack td[data-label]::before{content:attr(data-label) ": ";
color:var(--muted);font-size:.85rem}
table.stack td:first-child{font-weight:600}
table.stack td:first-child::before{content:none}
table.stack td p:first-child{display:inline}
pre{font-size:.8em;padding:.6rem}
}
"""


def page(path: str, title: str, body: str, catalogue: Catalogue) -> bytes:
    """A complete HTML page at ``path``."""
    name = esc(catalogue.title)
    document = (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · {name} SOAP API</title>"
        f"<style>{STYLE}</style></head><body>"
        f'<header><nav><a href="{href(path, DOCS_PATH)}">{name} SOAP API</a>'
        f'<a href="{href(path, DOCS_PATH, "operations")}">Operations</a>'
        f'<a href="{href(path, DOCS_PATH, "types")}">Types</a>'
        f'<a href="{href(path, FAULTS_PATH)}">Faults</a>'
        f'<a href="{href(path, catalogue.wsdl)}">WSDL</a>'
        f"</nav></header><main>{body}</main>"
        "<footer>Generated from the service's own definition at start-up.</footer>"
        "</body></html>\n"
    )
    return document.encode("utf-8")


def crumbs(path: str, section: tuple[str, str] | None = None) -> str:
    """The trail back to the index, and to one of its sections."""
    trail = f'<a href="{href(path, DOCS_PATH)}">Documentation</a>'
    if section:
        anchor, title = section
        trail += f' &rsaquo; <a href="{href(path, DOCS_PATH, anchor)}">{esc(title)}</a>'
    return f'<p class="crumbs">{trail}</p>'


def code_block(text: str, label: str = "") -> str:
    """A preformatted, escaped block of code."""
    aria = f' aria-label="{esc(label)}"' if label else ""
    return f"<pre{aria}><code>{esc(text)}</code></pre>"


def type_cell(path: str, item: Field) -> str:
    """A field's type, linked to its page when it has one."""
    name = esc(item.type_name)
    shown = (
        f'<a href="{href(path, type_path(item.type_name))}"><code>{name}</code></a>'
        if item.complex
        else f"<code>{name}</code>"
    )
    return f"list of {shown}" if item.item else shown


def fields_table(path: str, fields: Iterable[Field], empty: str) -> str:
    """The table of fields: name, type, whether required, rules, description."""
    rows = [
        f'<tr id="field-{esc(item.name)}">'
        f'<td data-label="Field"><code>{esc(item.name)}</code></td>'
        f'<td data-label="Type">{type_cell(path, item)}</td>'
        f'<td data-label="Required">{_required_badge(item)}</td>'
        f'<td data-label="Rules">{_rules(item)}</td>'
        f'<td data-label="Description">{prose(item.doc) or "—"}</td></tr>'
        for item in fields
    ]
    if not rows:
        return f'<p class="muted">{esc(empty)}</p>'
    return (
        '<table class="stack"><thead><tr><th>Field</th><th>Type</th>'
        "<th>Required</th><th>Rules</th><th>Description</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _required_badge(item: Field) -> str:
    if item.required:
        return '<span class="badge req">required</span>'
    return '<span class="badge">optional</span>'


def _rules(item: Field) -> str:
    if not item.facets:
        return "—"
    rules = "".join(f"<li>{esc(rule)}</li>" for rule in item.facets)
    return f'<ul class="rules">{rules}</ul>'


def faults_table(path: str, faults: Iterable[FaultInfo]) -> str:
    """The faults an operation declares, with when each happens."""
    rows = [
        f'<tr><td data-label="Fault"><a href="{href(path, FAULTS_PATH, fault.name)}">'
        f"<code>{esc(fault.name)}</code></a></td>"
        f'<td data-label="Fault code"><code>{esc(fault.faultcode)}</code></td>'
        f'<td data-label="When">{prose(fault.doc) or "—"}</td></tr>'
        for fault in faults
    ]
    if not rows:
        return '<p class="muted">It declares no faults.</p>'
    return (
        '<table class="stack"><thead><tr><th>Fault</th><th>Fault code</th>'
        f"<th>When</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def render_operation(catalogue: Catalogue, operation: Operation) -> bytes:
    """The page of one operation."""
    path = operation_path(operation.name)
    soap_path = catalogue.wsdl.partition("?")[0]
    auth = (
        "No authentication needed."
        if operation.public
        else "Authenticate with HTTP Basic or a WS-Security UsernameToken."
    )
    headers = (
        f"POST {soap_path} HTTP/1.1\nContent-Type: text/xml; charset=utf-8\n"
        f'SOAPAction: "{operation.name}"'
    )
    if not operation.public:
        headers += "\nAuthorization: Basic <base64 of user:password>"
    body = (
        crumbs(path, ("operations", "Operations"))
        + f"<h1>{esc(operation.name)}</h1>{prose(operation.doc)}"
        f'<p class="muted">{esc(auth)}</p>'
        '<ul class="toc"><li><a href="#input">Input</a></li>'
        '<li><a href="#output">Output</a></li><li><a href="#faults">Faults</a></li>'
        '<li><a href="#request">Sample request</a></li>'
        '<li><a href="#response">Sample response</a></li>'
        '<li><a href="#php">PHP</a></li><li><a href="#zeep">Python (zeep)</a></li></ul>'
        '<h2 id="input">Input</h2>'
        + fields_table(path, operation.inputs, "It takes no input.")
        + '<h2 id="output">Output</h2>'
        + fields_table(path, operation.outputs, "It returns nothing.")
        + '<h2 id="faults">Faults</h2>'
        + faults_table(path, operation.faults)
        + '<h2 id="request">Sample request</h2>'
        + code_block(headers, "HTTP headers")
        + code_block(request_envelope(operation, catalogue.tns), "request envelope")
        + '<h2 id="response">Sample response</h2>'
        + code_block(response_envelope(operation, catalogue.tns), "response envelope")
        + '<h2 id="php">PHP</h2>'
        + "<p>With CORE's PHP client, from the root of a checkout:</p>"
        + code_block(php_snippet(operation, ADDRESS_PLACEHOLDER), "PHP")
        + '<h2 id="zeep">Python (zeep)</h2>'
        + code_block(zeep_snippet(operation, ADDRESS_PLACEHOLDER), "Python")
    )
    return page(path, operation.name, body, catalogue)


def render_type(catalogue: Catalogue, info: TypeInfo) -> bytes:
    """The page of one type: its fields, the operations using it, a sample."""
    path = type_path(info.name)
    users = "".join(
        f'<li><a href="{href(path, operation_path(name))}"><code>{esc(name)}</code>'
        "</a></li>"
        for name in info.used_by
    )
    element = sample_element(info.spyne_type, info.name, sample_fields(info.spyne_type))
    etree.indent(element, space="  ")
    xml = etree.tostring(element, encoding="unicode")
    body = (
        crumbs(path, ("types", "Types")) + f"<h1>{esc(info.name)}</h1>{prose(info.doc)}"
        '<h2 id="fields">Fields</h2>'
        + fields_table(path, info.fields, "It has no fields.")
        + f'<h2 id="used-by">Used by</h2><ul>{users}</ul>'
        + '<h2 id="sample">Sample</h2>'
        + code_block(xml, "sample")
    )
    return page(path, info.name, body, catalogue)


def render_faults(catalogue: Catalogue) -> bytes:
    """The page of every fault: codes, when they happen, their detail."""
    path = FAULTS_PATH
    rows = "".join(
        f'<tr id="{esc(fault.name)}"><td data-label="Fault"><code>{esc(fault.name)}'
        f'</code></td><td data-label="Fault code"><code>{esc(fault.faultcode)}</code>'
        f'</td><td data-label="When">{prose(fault.doc) or "—"}</td></tr>'
        for fault in catalogue.faults.values()
    )
    details = "".join(
        f"<h3>Detail of {esc(', '.join(names))}</h3>"
        + fields_table(path, fields, "No detail.")
        for fields, names in _detail_shapes(catalogue)
    )
    first = next(iter(catalogue.faults.values()), None)
    sample_xml = (
        code_block(fault_envelope(first, catalogue.tns), "fault") if first else ""
    )
    body = (
        crumbs(path)
        + "<h1>Faults</h1><p>Every refusal is a SOAP fault: its <code>faultcode</code>"
        " says what kind, its detail element (named after the fault) says what"
        " exactly.</p>"
        '<table class="stack"><thead><tr><th>Fault</th><th>Fault code</th>'
        f"<th>When</th></tr></thead><tbody>{rows}</tbody></table>"
        f'<h2 id="detail">Detail</h2>{details}'
        f'<h2 id="sample">Sample fault</h2>{sample_xml}'
    )
    return page(path, "Faults", body, catalogue)


def _detail_shapes(catalogue: Catalogue) -> list[tuple[tuple[Field, ...], list[str]]]:
    shapes: dict[tuple[str, ...], tuple[tuple[Field, ...], list[str]]] = {}
    for fault in catalogue.faults.values():
        key = tuple(item.name for item in fault.fields)
        shapes.setdefault(key, (fault.fields, []))[1].append(fault.name)
    return list(shapes.values())


def render_index(catalogue: Catalogue) -> bytes:
    """The entry page: getting started, then every operation, type and fault."""
    path = DOCS_PATH
    wsdl = catalogue.wsdl
    groups = "".join(_group_section(path, group) for group in catalogue.groups)
    types = "".join(
        f'<tr><td data-label="Type"><a href="{href(path, type_path(name))}">'
        f"<code>{esc(name)}</code></a></td>"
        f'<td data-label="What it is">{prose(info.doc) or "—"}</td></tr>'
        for name, info in catalogue.types.items()
    )
    first = next(iter(catalogue.operations.values()), None)
    setup = _setup_snippets(first) if first else ""
    body = (
        f"<h1>{esc(catalogue.title)} SOAP API</h1>"
        f"<p>{esc(catalogue.title)}'s business API as a SOAP 1.1 service. The"
        f' contract is the <a href="{href(path, wsdl)}">WSDL</a>; point PHP\'s'
        " <code>SoapClient</code>, zeep or SoapUI at it.</p>"
        '<h2 id="start">Getting started</h2><ul>'
        f"<li>Endpoint: <code>{esc(ADDRESS_PLACEHOLDER)}</code></li>"
        f"<li>Contract: <code>{esc(ADDRESS_PLACEHOLDER)}?wsdl</code></li>"
        "<li>Authentication: HTTP Basic, or a WS-Security UsernameToken with a"
        " plain-text password.</li>"
        f'<li>Errors: SOAP faults with a typed detail, see <a href="'
        f'{href(path, FAULTS_PATH)}">Faults</a>.</li></ul>'
        f"{setup}"
        f'<h2 id="operations">Operations</h2>{groups}'
        '<h2 id="types">Types</h2><table class="stack"><thead><tr><th>Type</th>'
        f"<th>What it is</th></tr></thead><tbody>{types}</tbody></table>"
        f'<h2 id="faults">Faults</h2>' + faults_table(path, catalogue.faults.values())
    )
    return page(path, "Documentation", body, catalogue)


def _group_section(path: str, group: Group) -> str:
    rows = "".join(
        f'<tr id="op-{esc(op.name)}"><td data-label="Operation">'
        f'<a href="{href(path, operation_path(op.name))}"><code>{esc(op.name)}'
        f'</code></a></td><td data-label="What it does">{esc(op.summary)}</td></tr>'
        for op in group.operations
    )
    title = group.name.removesuffix("Service") or group.name
    return (
        f'<h3 id="group-{esc(group.name)}">{esc(title)}</h3>{prose(group.doc)}'
        '<table class="stack"><thead><tr><th>Operation</th><th>What it does</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _setup_snippets(operation: Operation) -> str:
    return (
        f"<h3>PHP</h3><p>Each operation is a method of <code>CoreClient</code>; for"
        f" example <code>{esc(operation.name)}</code>:</p>"
        + code_block(php_snippet(operation, ADDRESS_PLACEHOLDER), "PHP")
        + "<h3>Python (zeep)</h3>"
        + code_block(zeep_snippet(operation, ADDRESS_PLACEHOLDER), "Python")
    )


def render_catalogue(
    application: Any, wsdl_url_path: str = "/soap?wsdl", title: str | None = None
) -> dict[str, bytes]:
    """Render every page of the documentation, by path.

    Pages name the service's address as :data:`ADDRESS_PLACEHOLDER`;
    :class:`DocsApp` puts the caller's address in its place.

    :param title: the service's name in titles; the application's by default.
    """
    catalogue = read_catalogue(application)
    catalogue.wsdl = wsdl_url_path
    catalogue.title = title or catalogue.title
    pages = {DOCS_PATH: render_index(catalogue), FAULTS_PATH: render_faults(catalogue)}
    for operation in catalogue.operations.values():
        pages[operation_path(operation.name)] = render_operation(catalogue, operation)
    for info in catalogue.types.values():
        pages[type_path(info.name)] = render_type(catalogue, info)
    logger.info("rendered %d documentation pages", len(pages))
    return pages


# -- serving ------------------------------------------------------------------------

_HOST = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


class DocsApp:
    """WSGI application serving the rendered pages under ``/docs``.

    :param pages: the pages by path, from :func:`render_catalogue`.
    :param soap_path: the path of the SOAP endpoint, for the address shown.
    """

    def __init__(self, pages: dict[str, bytes], soap_path: str = "/soap") -> None:
        self.pages = pages
        self.soap_path = soap_path
        self.placeholder = esc(ADDRESS_PLACEHOLDER).encode()

    def __call__(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            return self.answer(
                start_response, "405 Method Not Allowed", b"", [("Allow", "GET, HEAD")]
            )
        if path == f"{DOCS_PATH}/":
            location = environ.get("SCRIPT_NAME", "") + DOCS_PATH
            return self.answer(
                start_response, "301 Moved Permanently", b"", [("Location", location)]
            )
        document = self.pages.get(path)
        if document is None:
            return self.answer(start_response, "404 Not Found", self.missing(environ))
        address = esc(self.address(environ)).encode()
        body = document.replace(self.placeholder, address)
        return self.answer(start_response, "200 OK", body, head=method == "HEAD")

    def answer(
        self,
        start_response: StartResponse,
        status: str,
        body: bytes,
        extra: list[tuple[str, str]] | None = None,
        *,
        head: bool = False,
    ) -> list[bytes]:
        """Send ``body`` as HTML with the security headers."""
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-cache"),
            *SECURITY_HEADERS,
            *(extra or []),
        ]
        start_response(status, headers)
        return [] if head else [body]

    def missing(self, environ: Environ) -> bytes:
        """A short page for a path with no documentation."""
        index = esc(environ.get("SCRIPT_NAME", "") + DOCS_PATH)
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            "<title>Not found</title></head><body><p>No documentation page here."
            f' <a href="{index}">See the index</a>.</p></body></html>'
        ).encode()

    def address(self, environ: Environ) -> str:
        """The service's public address: as the router found it, or as requested."""
        known = environ.get("core.address")
        if known:
            return str(known)
        host = environ.get("HTTP_HOST", "")
        if not _HOST.fullmatch(host):
            host = f"{environ.get('SERVER_NAME', 'localhost')}:"
            host += str(environ.get("SERVER_PORT", "80"))
        scheme = environ.get("wsgi.url_scheme", "http")
        return f"{scheme}://{host}{environ.get('SCRIPT_NAME', '')}{self.soap_path}"


def docs_app(
    application: Any, wsdl_url_path: str = "/soap?wsdl", title: str | None = None
) -> DocsApp:
    """Render the documentation of ``application`` once; return its WSGI app."""
    pages = render_catalogue(application, wsdl_url_path, title)
    return DocsApp(pages, wsdl_url_path.partition("?")[0])
