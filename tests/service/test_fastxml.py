"""The fast response writer gives the document Spyne's own serializer gives.

Every operation answers, through Spyne's WSGI server, with sample values of its
response type (full, single-item, sparse, nil, dict-shaped and absent), once
with :class:`FastSoap11` and once with Spyne's :class:`Soap11`; the canonical
forms of both documents must be equal. A real CORE then answers the same read
requests with ``fast_xml`` on and off.
"""

from __future__ import annotations

from service import compat  # noqa: F401 - must run before any import of spyne

# isort: split

import base64
import dataclasses
import datetime as dt
import decimal
import gc
import io
import itertools
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from spyne import Application, ComplexModel, MethodContext, ServiceBase, rpc
from spyne.model import Array, ComplexModelBase
from spyne.model.primitive import Boolean, Date, DateTime, Decimal, Integer, Unicode
from spyne.protocol import ProtocolBase
from spyne.server import ServerBase
from spyne.server.wsgi import WsgiApplication

from api.core import Core
from api.db import connect
from api.demo import load
from api.setup import initialize
from service import models as m
from service.app import Settings, create_app
from service.fastxml import FastSoap11, escape_text
from service.faults import NotFoundFault
from service.hardening import HardenedSoap11
from service.operations import SERVICES
from service.types import TNS, Reply, snake

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
UTC = dt.UTC
VARIANTS = ("full", "single", "sparse", "nil", "dicts", "none")
OPERATIONS = sorted(name for service in SERVICES for name in service.public_methods)

TEXTS = [
    "Müller & Söhne <GmbH>",
    "é 日本 🚀",
    "<&>\"'",
    "a ]]> b",
    "line\r\nnext\ttab",
    "",
    "plain",
]
INTEGERS = [0, 42, -7, 2**53 + 1]
DECIMALS = [decimal.Decimal(text) for text in ("0.10", "99999999.99", "-0.01", "0")]
DATETIMES = [
    dt.datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC),
    dt.datetime(2026, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
    dt.datetime(2026, 1, 1, tzinfo=UTC),
    dt.datetime(2026, 6, 1, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
]


class Samples:
    """Sample values of CORE's types; each kind cycles through its list."""

    def __init__(self) -> None:
        self.texts = itertools.cycle(TEXTS)
        self.integers = itertools.cycle(INTEGERS)
        self.decimals = itertools.cycle(DECIMALS)
        self.datetimes = itertools.cycle(DATETIMES)
        self.booleans = itertools.cycle([True, False])

    def result(self, message: type, variant: str) -> Any:
        """What an operation whose response is ``message`` returns."""
        (field,) = message._type_info.values()
        if variant == "none":
            return None
        if field.Attributes.max_occurs > 1:
            return [None] if variant == "nil" else self.many(field, variant)
        if variant == "nil" and not issubclass(field, ComplexModelBase):
            return None
        return self.value(field, variant)

    def value(self, cls: type, variant: str) -> Any:
        if issubclass(cls, Array):
            return self.many(next(iter(cls._type_info.values())), variant)
        if issubclass(cls, ComplexModelBase):
            return self.record(cls, variant)
        return self.simple(cls)

    def record(self, cls: type, variant: str) -> Any:
        values = {
            name: self.field(field, variant) for name, field in cls._type_info.items()
        }
        return values if variant == "dicts" else (cls.__orig__ or cls)(**values)

    def field(self, cls: type, variant: str) -> Any:
        optional = cls.Attributes.min_occurs == 0
        if variant == "nil" or (variant == "sparse" and optional):
            return None
        if cls.Attributes.max_occurs > 1:
            return self.many(cls, variant)
        return self.value(cls, variant)

    def many(self, item: type, variant: str) -> list[Any]:
        count = {"full": 2, "dicts": 2, "single": 1}.get(variant, 0)
        return [self.value(item, variant) for _ in range(count)]

    def simple(self, cls: type) -> Any:
        kinds: list[tuple[type, Callable[[], Any]]] = [
            (Boolean, lambda: next(self.booleans)),
            (Integer, lambda: next(self.integers)),
            (Decimal, lambda: next(self.decimals)),
            (Date, lambda: next(self.datetimes).date()),
            (DateTime, lambda: next(self.datetimes)),
            (Unicode, lambda: next(self.texts)),
        ]
        for kind, make in kinds:
            if issubclass(cls, kind):
                return make()
        raise AssertionError(f"no sample for {cls!r}")


class StubApplication(Application):  # type: ignore[misc]
    """CORE's operations, each answering with the value put in ``answers``."""

    def __init__(self, out_protocol: Any, services: list[Any] = SERVICES) -> None:
        super().__init__(
            services,
            tns=TNS,
            name="Core",
            in_protocol=HardenedSoap11(),
            out_protocol=out_protocol,
        )
        self.answers: dict[str, Any] = {}

    def call_wrapper(self, ctx: Any) -> Any:
        answer = self.answers[ctx.descriptor.name]
        if isinstance(answer, Exception):
            raise answer
        return answer() if callable(answer) else answer


@dataclass
class Response:
    status: str
    headers: dict[str, str]
    body: bytes


def envelope(content: str) -> bytes:
    return (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:tns="{TNS}">'
        f"<soap:Body>{content}</soap:Body></soap:Envelope>"
    ).encode()


def post(app: Any, body: bytes, authorization: str | None = None) -> Response:
    """Call a WSGI application with a SOAP request, as a server would."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/soap",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "text/xml; charset=utf-8",
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "localhost:8000",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
    }
    if authorization is not None:
        environ["HTTP_AUTHORIZATION"] = authorization
    started: list[tuple[str, list[tuple[str, str]]]] = []
    chunks = app(environ, lambda status, headers, *_: started.append((status, headers)))
    body = b"".join(chunks)
    status, headers = started[0]
    return Response(status, dict(headers), body)


def canonical(document: bytes) -> bytes:
    """The C14N form of a document: its infoset, written one way."""
    return bytes(etree.tostring(etree.fromstring(document), method="c14n"))


def assert_same(fast: Response, spyne: Response) -> None:
    assert fast.status == spyne.status
    assert fast.headers.get("Content-Type") == spyne.headers.get("Content-Type")
    assert canonical(fast.body) == canonical(spyne.body)


@dataclass
class Pair:
    """The same stub application with the fast writer and with Spyne's."""

    fast: StubApplication
    spyne: StubApplication
    fast_wsgi: WsgiApplication
    spyne_wsgi: WsgiApplication

    def answer(self, operation: str, value: Any) -> None:
        self.fast.answers[operation] = value
        self.spyne.answers[operation] = value

    def call(self, operation: str) -> tuple[Response, Response]:
        body = envelope(f"<tns:{operation}/>")
        return post(self.fast_wsgi, body), post(self.spyne_wsgi, body)


def make_pair(services: list[Any] = SERVICES) -> Pair:
    fast = StubApplication(FastSoap11(), services)
    spyne = StubApplication(HardenedSoap11(), services)
    return Pair(fast, spyne, WsgiApplication(fast), WsgiApplication(spyne))


@pytest.fixture(scope="module")
def pair() -> Pair:
    return make_pair()


@pytest.fixture
def fallbacks(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    """The responses the fast writer left to Spyne since the test began."""
    caplog.set_level(logging.DEBUG, logger="service.fastxml")

    def found() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "service.fastxml"]

    return found


def descriptor(app: Application, operation: str) -> Any:
    (found,) = app.interface.service_method_map[f"{{{TNS}}}{operation}"]
    return found


class TestEveryOperation:
    def test_the_operations_are_the_applications(self, pair: Pair) -> None:
        methods = pair.fast.interface.service_method_map.values()
        assert {d.name for ds in methods for d in ds} == set(OPERATIONS)

    @pytest.mark.parametrize("operation", OPERATIONS)
    def test_every_response_type_is_compiled(self, pair: Pair, operation: str) -> None:
        message = descriptor(pair.fast, operation).out_message
        assert pair.fast.out_protocol.writer_for(message) is not None

    @pytest.mark.parametrize("variant", VARIANTS)
    @pytest.mark.parametrize("operation", OPERATIONS)
    def test_same_document_as_spyne(
        self,
        pair: Pair,
        fallbacks: Callable[[], list[str]],
        operation: str,
        variant: str,
    ) -> None:
        message = descriptor(pair.fast, operation).out_message
        pair.answer(operation, Samples().result(message, variant))

        fast, spyne = pair.call(operation)

        assert spyne.status.startswith("200"), spyne.body
        assert_same(fast, spyne)
        assert fallbacks() == []

    @pytest.mark.parametrize("operation", ["searchTickets", "getHistory", "ping"])
    def test_byte_for_byte(self, pair: Pair, operation: str) -> None:
        # The promise is the infoset; equal bytes show nothing else differs.
        message = descriptor(pair.fast, operation).out_message
        for variant in VARIANTS:
            pair.answer(operation, Samples().result(message, variant))
            fast, spyne = pair.call(operation)
            assert fast.body == spyne.body


def ticket(**changes: Any) -> m.Ticket:
    """A complete ticket with its comments, changed as asked."""
    values = Samples().record(m.Ticket, "dicts")
    return m.Ticket(**{**values, **changes})


class TestDeferredToSpyne:
    def test_a_fault(self, pair: Pair, fallbacks: Callable[[], list[str]]) -> None:
        pair.answer("getTicket", NotFoundFault("no ticket 'T-1'", code="not_found"))

        fast, spyne = pair.call("getTicket")

        assert fast.status.startswith("500")
        assert_same(fast, spyne)
        assert fallbacks() == []  # never attempted: faults are Spyne's

    @pytest.mark.parametrize(
        "changes",
        [
            {"version": True},
            {"version": decimal.Decimal("3")},
            {"createdAt": dt.date(2026, 3, 2)},
            {"comments": ()},
            {"subject": "x" * 10_000},
        ],
        ids=["bool-integer", "decimal-integer", "date-datetime", "tuple", "long"],
    )
    def test_unusual_values_written_as_spyne_writes_them(
        self, pair: Pair, fallbacks: Callable[[], list[str]], changes: Any
    ) -> None:
        pair.answer("getTicket", ticket(**changes))

        fast, spyne = pair.call("getTicket")

        assert spyne.status.startswith("200")
        assert_same(fast, spyne)
        assert fallbacks() == []

    def test_a_float_price(
        self, pair: Pair, fallbacks: Callable[[], list[str]]
    ) -> None:
        server = Samples().record(m.Server, "full")
        server.monthlyPrice = 12.5
        pair.answer("getServer", server)

        fast, spyne = pair.call("getServer")

        assert_same(fast, spyne)
        assert fallbacks() == []

    @pytest.mark.parametrize(
        "changes",
        [
            {"number": 5},
            {"subject": b"bytes"},
            {"comments": iter([])},
        ],
        ids=["integer-text", "bytes-text", "iterator"],
    )
    def test_unknown_values_go_to_spyne(
        self, pair: Pair, fallbacks: Callable[[], list[str]], changes: Any
    ) -> None:
        pair.answer("getTicket", lambda: ticket(**changes))

        fast, spyne = pair.call("getTicket")

        assert (fast.status, fast.body) == (spyne.status, spyne.body)
        assert len(fallbacks()) == 1

    @pytest.mark.parametrize("text", ["bell \x07", "nul \x00", "lone \ud800", "\ufffe"])
    def test_text_xml_cannot_carry_goes_to_spyne(
        self, pair: Pair, fallbacks: Callable[[], list[str]], text: str
    ) -> None:
        # Inputs refuse such text; should one reach a response, the answer is
        # whatever Spyne makes of lxml's refusal.
        pair.answer("getTicket", ticket(subject=text))

        fast, spyne = pair.call("getTicket")

        assert (fast.status, fast.body) == (spyne.status, spyne.body)
        assert len(fallbacks()) == 1

    def test_a_document_listener_gets_spyne_document(self) -> None:
        def mark(ctx: Any) -> None:
            ctx.out_document.set("marked", "yes")

        protocol = FastSoap11()
        app = StubApplication(protocol)
        app.answers["ping"] = Samples().result(
            descriptor(app, "ping").out_message, "full"
        )
        protocol.event_manager.add_listener("after_serialize", mark)

        response = post(WsgiApplication(app), envelope("<tns:ping/>"))

        assert etree.fromstring(response.body).get("marked") == "yes"

    def test_another_charset(self, pair: Pair) -> None:
        value = ticket()
        results = []
        for app in (pair.fast, pair.spyne):
            ctx = _context(app, "getTicket", [value])
            app.out_protocol.serialize(ctx, ProtocolBase.RESPONSE)
            app.out_protocol.create_out_string(ctx, "ISO-8859-1")
            results.append(b"".join(ctx.out_string))
        assert canonical(results[0]) == canonical(results[1])
        assert results[0].startswith(b"<?xml version='1.0' encoding='ISO-8859-1'?>")


class Base(ComplexModel):
    __namespace__ = TNS
    _type_info = [
        ("code", Unicode(min_occurs=1, default="fallback")),
        ("label", Unicode(default="unused")),
        ("day", Date),
    ]


class Child(Base):
    _type_info = [
        ("count", Integer(min_occurs=1, default=3)),
        ("tags", Array(Unicode)),
        ("sizes", Integer(max_occurs="unbounded")),
    ]


class Elsewhere(ComplexModel):
    __namespace__ = "urn:elsewhere"
    _type_info = [("note", Unicode)]


class ExtraService(ServiceBase):  # type: ignore[misc]
    @rpc(_returns=Child)
    def child(ctx):  # type: ignore[no-untyped-def]
        """A type with a base, defaults, a date and arrays of simple values."""

    @rpc(_returns=Array(Child))
    def children(ctx):  # type: ignore[no-untyped-def]
        """An array of them."""

    @rpc(_returns=Elsewhere)
    def elsewhere(ctx):  # type: ignore[no-untyped-def]
        """A type of another namespace, which Spyne writes itself."""


@pytest.fixture(scope="module")
def extra() -> Pair:
    return make_pair([ExtraService])


class TestOtherTypes:
    @pytest.mark.parametrize(
        "value",
        [
            Child(code=None, day=dt.date(2026, 3, 2), tags=["a<b", ""], sizes=[1, 2]),
            Child(code="x", label="y", count=0, tags=[], sizes=[]),
            Child(),
            None,
        ],
        ids=["defaults", "set", "empty", "none"],
    )
    def test_bases_defaults_and_simple_arrays(
        self, extra: Pair, fallbacks: Callable[[], list[str]], value: Any
    ) -> None:
        for operation, answer in (("child", value), ("children", [value, value])):
            extra.answer(operation, answer)
            fast, spyne = extra.call(operation)
            assert fast.body == spyne.body
        assert fallbacks() == []

    def test_another_namespace_is_left_to_spyne(self, extra: Pair) -> None:
        message = descriptor(extra.fast, "elsewhere").out_message
        assert extra.fast.out_protocol.writer_for(message) is None

        extra.answer("elsewhere", Elsewhere(note="n"))
        fast, spyne = extra.call("elsewhere")

        assert fast.body == spyne.body
        assert b"urn:elsewhere" in fast.body


def _context(app: Application, operation: str, out_object: Any) -> Any:
    ctx = MethodContext(ServerBase(app), MethodContext.SERVER)
    ctx.descriptor = descriptor(app, operation)
    ctx.out_object = out_object
    return ctx


@given(st.text())
def test_text_escaped_as_lxml_escapes_it(text: str) -> None:
    element = etree.Element("a")
    try:
        element.text = text
        expected = etree.tostring(element, encoding="unicode")
    except (ValueError, UnicodeError):
        with pytest.raises(ValueError):
            escape_text(text)
        return
    assert f"<a>{escape_text(text)}</a>" == expected


class Clock:
    """A clock that ticks by odd microseconds until frozen."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        self.frozen = False

    def __call__(self) -> dt.datetime:
        if not self.frozen:
            self.now += dt.timedelta(seconds=61, microseconds=123457)
        return self.now


PASSWORD = "demo password 1"


def basic(username: str, password: str = PASSWORD) -> str:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return f"Basic {token}"


@pytest.fixture
def demo(db_url: str) -> Iterator[Core]:
    """CORE on a new database with a few demo accounts, its clock then frozen."""
    db = connect(db_url)
    initialize(db, "admin password 1")
    clock = Clock()
    core = Core(db, clock)
    load(core, PASSWORD, accounts=4)
    clock.frozen = True
    yield core
    core.close()


def operation(name: str, **fields: object) -> bytes:
    """The request body of a call of ``name`` with these parameters."""
    content = "".join(
        f"<tns:{key}>{value}</tns:{key}>" for key, value in fields.items()
    )
    return envelope(f"<tns:{name}>{content}</tns:{name}>")


def read_requests(core: Core) -> list[tuple[str | None, bytes]]:
    """Read requests over the demo data, as ``(authorization, body)``."""
    agent = core.as_user("alice")
    numbers = [t.number for t in agent.tickets.search(page_size=100).items]
    commented = next(n for n in numbers if agent.tickets.get(n).comments)
    account = agent.accounts.search(page_size=1).items[0].number
    server = agent.servers.search(page_size=1).items[0].number
    contact = agent.contacts.list(account)[0].id
    alice, carl = basic("alice"), basic("carl")
    admin = basic("admin", "admin password 1")
    return [
        (None, operation("ping")),
        (alice, operation("whoAmI")),
        (alice, operation("searchTickets", pageSize=100)),
        (carl, operation("searchTickets")),
        (alice, operation("getTicket", ticketNumber=commented)),
        (alice, operation("searchAccounts", pageSize=100)),
        (alice, operation("getAccount", accountNumber=account)),
        (alice, operation("listContacts", accountNumber=account)),
        (alice, operation("getContact", contactId=contact)),
        (alice, operation("searchServers", pageSize=100)),
        (alice, operation("getServer", serverNumber=server)),
        (admin, operation("searchUsers")),
        (alice, operation("getHistory", entityType="ticket", key=commented)),
        (alice, operation("getTicket", ticketNumber="T-999999")),
        (basic("alice", "wrong password"), operation("whoAmI")),
    ]


def test_core_answers_alike_with_fast_xml_on_and_off(
    demo: Core, fallbacks: Callable[[], list[str]]
) -> None:
    fast = create_app(demo, Settings(fast_xml=True))
    spyne = create_app(demo, Settings(fast_xml=False))

    for authorization, body in read_requests(demo):
        answers = [post(app, body, authorization) for app in (fast, spyne)]
        assert_same(*answers)
        assert answers[0].body == answers[1].body
    assert fallbacks() == []


def test_a_call_never_pays_for_a_full_collection(
    demo: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(demo, Settings())
    collections: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda *args: collections.append(1) or 0)

    (authorization, body), *_ = read_requests(demo)
    post(app, body, authorization)
    time.sleep(1.1)  # Spyne collects when a second has passed since it last did
    post(app, body, authorization)

    assert collections == []


@pytest.mark.parametrize(
    ("value", "expected"), [(None, True), ("1", True), ("0", False), (" 0 ", False)]
)
def test_fast_xml_setting(value: str | None, expected: bool) -> None:
    environ = {} if value is None else {"CORE_FAST_XML": value}
    assert Settings.from_environ(environ).fast_xml is expected


def as_record(value: Any, form: str = "dicts") -> Any:
    """A Spyne sample value as a business record: snake_case dicts and lists,
    or dataclasses like the business API's own (``form="dataclasses"``)."""
    if isinstance(value, list):
        return [as_record(item, form) for item in value]
    if isinstance(value, ComplexModelBase):
        value = {name: getattr(value, name) for name in type(value)._type_info}
    if isinstance(value, dict):
        fields = {snake(name): as_record(item, form) for name, item in value.items()}
        if form == "dicts":
            return fields
        record = dataclasses.make_dataclass("Record", list(fields))
        return record(**fields)
    return value


def reply_model(message: type) -> type:
    """The type an operation's :class:`Reply` names: the record's or each item's."""
    (field,) = message._type_info.values()
    return field.__orig__ or field


def answers_a_record(model: type) -> bool:
    """Whether an operation's answer is a record rather than a simple value."""
    return issubclass(model, ComplexModelBase) and not issubclass(model, Array)


#: The operations that answer records, which a :class:`Reply` carries.
RECORD_OPERATIONS = sorted(
    name
    for service in SERVICES
    for name, method in service.public_methods.items()
    if answers_a_record(reply_model(method.out_message))
)


class TestReplies:
    def test_only_simple_answers_are_left_out(self) -> None:
        assert sorted(set(OPERATIONS) - set(RECORD_OPERATIONS)) == ["removeContact"]

    @pytest.mark.parametrize("form", ("dicts", "dataclasses"))
    @pytest.mark.parametrize("variant", ("full", "single", "sparse", "nil", "dicts"))
    @pytest.mark.parametrize("operation", RECORD_OPERATIONS)
    def test_records_written_as_spyne_writes_their_objects(
        self,
        pair: Pair,
        operation: str,
        variant: str,
        form: str,
        fallbacks: Callable[[], list[str]],
    ) -> None:
        message = descriptor(pair.fast, operation).out_message
        sample = Samples().result(message, variant)
        answer = Reply(reply_model(message), as_record(sample, form))
        pair.fast.answers[operation] = answer
        pair.spyne.answers[operation] = answer.to_model()

        fast, spyne = pair.call(operation)
        assert fast.body == spyne.body
        # A list holding no record is not a business answer: Spyne writes it.
        expected = 1 if sample == [None] else 0
        assert len(fallbacks()) == expected

    def test_an_unknown_record_goes_to_spyne(
        self, pair: Pair, fallbacks: Callable[[], list[str]]
    ) -> None:
        record = type("Odd", (), {"subject": "odd", "number": "T-1"})()
        answer = Reply(m.Ticket, record)
        pair.fast.answers["getTicket"] = answer
        pair.spyne.answers["getTicket"] = answer.to_model()

        fast, spyne = pair.call("getTicket")
        assert fast.body == spyne.body
        assert len(fallbacks()) == 1
