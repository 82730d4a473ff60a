"""Tests of the SOAP endpoint's defences against hostile and broken requests."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from lxml import etree

from service.hardening import (
    CORE_NS,
    DTD,
    ENVELOPE,
    LIMIT,
    SERVER,
    SOAP11_ENV,
    VERSION_MISMATCH,
    XML_SYNTAX,
    HardenedSoap11,
    HardeningMiddleware,
    Limits,
    RequestRefused,
    check_document,
    client_fault_detail,
    fault_envelope,
)

SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def envelope(body: str = "", header: str = "", namespace: str = SOAP11_ENV) -> bytes:
    """A request envelope with ``body`` (and ``header``) as inner XML."""
    head = f"<soap:Header>{header}</soap:Header>" if header else ""
    return (
        f'<soap:Envelope xmlns:soap="{namespace}" xmlns:c="{CORE_NS}">'
        f"{head}<soap:Body>{body}</soap:Body></soap:Envelope>"
    ).encode()


def nested(depth: int) -> bytes:
    """An envelope whose deepest element is at ``depth`` (the Envelope is 1)."""
    inner = depth - 2
    return envelope("<c:x>" * inner + "</c:x>" * inner)


def with_attributes(count: int) -> bytes:
    attributes = " ".join(f'a{i}="v"' for i in range(count))
    return envelope(f"<c:x {attributes}/>")


def with_children(count: int, padding: int = 0) -> bytes:
    return envelope("<c:x>" + f"<c:i>{'p' * padding}</c:i>" * count + "</c:x>")


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE soap:Envelope [<!ENTITY l0 "lol">'
    + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    + "]>"
).encode() + envelope("<c:x>&l9;</c:x>")
PARAMETER_LAUGHS = (
    "<!DOCTYPE soap:Envelope [<!ENTITY % l0 \"<!ENTITY y 'z'>\">"
    + "".join(f'<!ENTITY % l{i} "{f"&#37;l{i - 1};" * 10}">' for i in range(1, 10))
    + "%l9;]>"
).encode() + envelope()
XXE = b'<!DOCTYPE soap:Envelope [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + envelope(
    "<c:x>&x;</c:x>"
)
EXTERNAL_DTD = b'<!DOCTYPE soap:Envelope SYSTEM "http://127.0.0.1:9/core.dtd">'
EXTERNAL_DTD += envelope()
UNDECODABLE = envelope("<c:x>caf</c:x>").replace(b"caf", b"caf\xff")


def refusal(body: bytes, limits: Limits | None = None, **kwargs: Any) -> RequestRefused:
    with pytest.raises(RequestRefused) as caught:
        check_document(body, limits, **kwargs)
    return caught.value


def fault_code(element: etree._Element) -> etree.QName:
    """The ``faultcode`` of a fault element, with its prefix resolved."""
    text = element.findtext("faultcode")
    assert text is not None
    prefix, _, local = text.partition(":")
    return etree.QName(element.nsmap[prefix], local)


def parse_fault(body: bytes) -> etree._Element:
    """Parse a SOAP 1.1 fault response and return its ``Fault`` element."""
    root = etree.fromstring(body, etree.XMLParser(resolve_entities=False))
    assert root.tag == f"{{{SOAP11_ENV}}}Envelope"
    fault = root.find(f"{{{SOAP11_ENV}}}Body/{{{SOAP11_ENV}}}Fault")
    assert fault is not None
    return fault


def soap(code: str) -> etree.QName:
    return etree.QName(SOAP11_ENV, code)


# check_document


def test_a_valid_envelope_is_returned_parsed() -> None:
    root = check_document(envelope("<c:x a='1'>text</c:x>", header="<c:h/>"))

    assert root.tag == f"{{{SOAP11_ENV}}}Envelope"
    assert root.findtext(f"{{{SOAP11_ENV}}}Body/{{{CORE_NS}}}x") == "text"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b" \r\n\t",
        b"hello",
        envelope()[:-10],
        envelope() + b"<trailing/>",
        UNDECODABLE,
        b'<?xml version="1.0" encoding="UTF-16"?>' + envelope(),
        b'<?xml version="1.0" encoding="no-such-thing"?>' + envelope(),
        envelope("<c:x>&undeclared;</c:x>"),
    ],
    ids=[
        "empty",
        "blank",
        "text",
        "truncated",
        "two roots",
        "invalid utf-8",
        "encoding mismatch",
        "unknown encoding",
        "undeclared entity",
    ],
)
def test_what_is_not_xml_is_a_syntax_fault(body: bytes) -> None:
    refused = refusal(body)

    assert refused.faultcode == XML_SYNTAX
    assert refused.http_status == 500


@pytest.mark.parametrize("charset", ["utf-8", "no-such-charset", "punycode"])
def test_a_content_type_charset_that_cannot_decode_is_a_syntax_fault(
    charset: str,
) -> None:
    body = envelope("<c:x>caf</c:x>").replace(b"caf", b"caf\xe9")

    assert refusal(body, charset=charset).faultcode == XML_SYNTAX


def test_a_content_type_charset_decodes_an_undeclared_document() -> None:
    body = envelope("<c:x>café</c:x>").decode().encode("latin-1")

    root = check_document(body, charset="ISO-8859-1")

    assert root.findtext(f".//{{{CORE_NS}}}x") == "café"


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS,
        PARAMETER_LAUGHS,
        XXE,
        EXTERNAL_DTD,
        b"<!DOCTYPE soap:Envelope>" + envelope(),
        "<!DOCTYPE soap:Envelope>".encode("utf-16-le")
        + envelope().decode().encode("utf-16-le"),
    ],
    ids=["billion laughs", "parameter laughs", "xxe", "external", "bare", "utf-16"],
)
def test_a_dtd_is_refused(body: bytes) -> None:
    assert refusal(body).faultcode == DTD


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (envelope(namespace=SOAP12_ENV), VERSION_MISMATCH),
        (b"<Envelope><Body/></Envelope>", ENVELOPE),
        (f'<c:Envelope xmlns:c="{CORE_NS}"/>'.encode(), ENVELOPE),
        (f'<soap:Envelope xmlns:soap="{SOAP11_ENV}"/>'.encode(), ENVELOPE),
        (
            envelope().replace(b"</soap:Envelope>", b"<soap:Body/></soap:Envelope>"),
            ENVELOPE,
        ),
    ],
    ids=[
        "soap 1.2",
        "no namespace",
        "other namespace",
        "no body",
        "two bodies",
    ],
)
def test_only_a_soap11_envelope_with_one_body_is_accepted(
    body: bytes, code: str
) -> None:
    assert refusal(body).faultcode == code


def test_depth_is_refused_one_past_the_limit() -> None:
    check_document(nested(100))

    assert refusal(nested(101)).faultcode == LIMIT


def test_children_are_refused_one_past_the_limit() -> None:
    check_document(with_children(50_000))

    assert refusal(with_children(50_001)).faultcode == LIMIT


def test_attributes_are_refused_one_past_the_limit() -> None:
    check_document(with_attributes(500))

    assert refusal(with_attributes(501)).faultcode == LIMIT


def test_namespace_declarations_count_as_attributes() -> None:
    declarations = " ".join(f'xmlns:p{i}="urn:p{i}"' for i in range(3))

    check_document(envelope(f"<c:x {declarations}/>"), Limits(max_attributes=3))
    refused = refusal(
        envelope(f"<c:x a='1' {declarations}/>"), Limits(max_attributes=3)
    )

    assert refused.faultcode == LIMIT


@pytest.mark.parametrize(
    "body",
    [
        "<c:x>12345678901</c:x>",
        "<c:x><c:y/>12345678901</c:x>",
        "<c:x a='12345678901'/>",
    ],
    ids=["text", "tail", "attribute"],
)
def test_text_is_refused_one_past_the_limit(body: str) -> None:
    limits = Limits(max_text=10)
    check_document(envelope(body.replace("1", "", 1)), limits)

    assert refusal(envelope(body), limits).faultcode == LIMIT


def test_elements_are_refused_one_past_the_limit() -> None:
    limits = Limits(max_elements=12)  # Envelope, Body, x and nine children
    check_document(with_children(9), limits)

    assert refusal(with_children(10), limits).faultcode == LIMIT


def test_a_body_over_the_limit_is_refused_with_413() -> None:
    refused = refusal(envelope("<c:x/>"), Limits(max_body=50))

    assert (refused.faultcode, refused.http_status) == (LIMIT, 413)


def test_the_default_limits() -> None:
    assert Limits() == Limits(
        max_body=2 * 1024 * 1024,
        max_depth=100,
        max_attributes=500,
        max_children=50_000,
        max_text=1024 * 1024,
        max_elements=200_000,
    )


def spread_elements(count: int, per_parent: int) -> bytes:
    parents, rest = divmod(count, per_parent)
    children = ("<c:x>" + "<c:i/>" * per_parent + "</c:x>") * parents
    return envelope(children + "<c:x>" + "<c:i/>" * rest + "</c:x>")


def filled(start: str, unit: Callable[[int], str], end: str) -> bytes:
    """An envelope holding ``start``, as many ``unit(i)`` as 2 MiB allows, ``end``."""
    room = Limits().max_body - len(envelope(start + end))
    count = room // len(unit(0))
    return envelope(start + "".join(unit(i) for i in range(count)) + end)


@pytest.mark.parametrize(
    "body",
    [
        with_children(50_001, padding=30),
        filled("", lambda i: "<c:x>", ""),
        spread_elements(200_001, per_parent=40_000),
        filled("<c:x", lambda i: f' a{i:06}=""', "/>"),
        filled("<c:x", lambda i: f' xmlns:p{i:06}="u"', "/>"),
    ],
    ids=["wide", "deep", "many elements", "many attributes", "many namespaces"],
)
def test_the_largest_hostile_bodies_are_refused(body: bytes) -> None:
    # Each is close to the body limit; the parser must stop at the first excess.
    assert len(body) <= Limits().max_body

    assert refusal(body).faultcode == LIMIT


# fault envelopes


def test_a_fault_envelope_is_soap11_with_a_qualified_faultcode() -> None:
    body = fault_envelope(XML_SYNTAX, "not XML")

    fault = parse_fault(body)
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert fault_code(fault) == soap(XML_SYNTAX)
    assert fault.findtext("faultstring") == "not XML"
    assert fault.find("detail") is None
    assert fault.prefix == "soap"


def test_a_fault_envelope_carries_a_copy_of_the_detail() -> None:
    detail = client_fault_detail("limit", "too big")

    fault = parse_fault(fault_envelope(LIMIT, "too big", detail))

    assert detail.getparent() is None
    shown = fault.find(f"detail/{{{CORE_NS}}}ValidationFault")
    assert shown is not None
    assert [child.tag for child in shown] == [
        f"{{{CORE_NS}}}code",
        f"{{{CORE_NS}}}message",
    ]
    assert [child.text for child in shown] == ["limit", "too big"]


def test_a_fault_detail_takes_the_element_name() -> None:
    detail = client_fault_detail("dtd", "no", element_name="RequestFault")

    assert detail.tag == f"{{{CORE_NS}}}RequestFault"
    assert detail.prefix == "tns"


def test_a_faultstring_drops_characters_xml_cannot_carry() -> None:
    fault = parse_fault(fault_envelope(SERVER, "bad\x00byte\x1b"))

    assert fault.findtext("faultstring") == "bad\ufffdbyte\ufffd"


# the middleware


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def fault(self) -> etree._Element:
        assert self.headers["Content-Type"] == "text/xml; charset=utf-8"
        assert int(self.headers["Content-Length"]) == len(self.body)
        return parse_fault(self.body)


class ExplodingInput(io.RawIOBase):
    """A request body that fails the test if anybody reads it."""

    def readinto(self, buffer: Any) -> int:
        raise AssertionError("the request body must not be read")


class CountingInput(io.BytesIO):
    """A request body that remembers how many bytes were read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.consumed = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


def call(
    app: WsgiApp,
    body: bytes = b"",
    *,
    method: str = "POST",
    path: str = "/soap",
    stream: Any = None,
    **environ: str,
) -> Response:
    """Call a WSGI application the way a server would."""
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_TYPE": "text/xml; charset=utf-8",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body) if stream is None else stream,
        **environ,
    }
    setup_testing_defaults(env)
    started: dict[str, Any] = {}

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Any:
        started.update(status=int(status.split()[0]), headers=dict(headers))
        return None

    result = app(env, start_response)
    try:
        data = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return Response(started["status"], started["headers"], data)


class Echo:
    """An inner application that answers with the body it got."""

    def __init__(self) -> None:
        self.environ: dict[str, Any] = {}

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> list[bytes]:
        self.environ = environ
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8")])
        return [body]


def raising_before_start(
    environ: dict[str, Any], start_response: Callable[..., Any]
) -> list[bytes]:
    raise ValueError("broken before answering")


def raising_mid_stream(
    environ: dict[str, Any], start_response: Callable[..., Any]
) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8")])
    yield b"<soap:Envelope"
    raise ValueError("broken while answering")


def never_starting(
    environ: dict[str, Any], start_response: Callable[..., Any]
) -> list[bytes]:
    return [b"no status"]


def test_a_valid_request_reaches_the_application_unchanged() -> None:
    echo = Echo()
    body = envelope("<c:x>hello</c:x>")

    response = call(HardeningMiddleware(echo), body)

    assert (response.status, response.body) == (200, body)
    assert response.headers["Content-Length"] == str(len(body))
    assert echo.environ["CONTENT_LENGTH"] == str(len(body))


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/soap"), ("PUT", "/soap"), ("POST", "/health")]
)
def test_other_methods_and_paths_pass_untouched(method: str, path: str) -> None:
    echo = Echo()

    response = call(
        HardeningMiddleware(echo),
        method=method,
        path=path,
        stream=ExplodingInput(),
        CONTENT_LENGTH="",
    )

    assert response.status == 200
    assert isinstance(echo.environ["wsgi.input"], ExplodingInput)


def test_a_path_of_none_guards_every_path() -> None:
    response = call(HardeningMiddleware(Echo(), path=None), b"nope", path="/other")

    assert fault_code(response.fault()) == soap(XML_SYNTAX)


def test_an_announced_body_over_the_limit_is_refused_unread() -> None:
    app = HardeningMiddleware(Echo())

    response = call(
        app, stream=ExplodingInput(), CONTENT_LENGTH=str(2 * 1024 * 1024 + 1)
    )

    assert response.status == 413
    fault = response.fault()
    assert fault_code(fault) == soap(LIMIT)
    assert (
        fault.findtext(f"detail/{{{CORE_NS}}}ValidationFault/{{{CORE_NS}}}code")
        == "limit"
    )


@pytest.mark.parametrize(
    "environ",
    [
        {"CONTENT_LENGTH": ""},
        {"CONTENT_LENGTH": "many"},
        {"HTTP_TRANSFER_ENCODING": "chunked"},
    ],
    ids=["missing", "invalid", "chunked"],
)
def test_an_unannounced_body_is_read_one_byte_past_the_limit(
    environ: dict[str, str],
) -> None:
    stream = CountingInput(b"x" * 5000)

    response = call(
        HardeningMiddleware(Echo(), Limits(max_body=1000)), stream=stream, **environ
    )

    assert response.status == 413
    assert stream.consumed == 1001
    assert fault_code(response.fault()) == soap(LIMIT)


def test_a_chunked_body_is_passed_on_with_its_length() -> None:
    echo = Echo()
    body = envelope("<c:x/>")

    response = call(
        HardeningMiddleware(echo),
        stream=io.BytesIO(body),
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )

    assert response.body == body
    assert echo.environ["CONTENT_LENGTH"] == str(len(body))
    assert "HTTP_TRANSFER_ENCODING" not in echo.environ


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"", XML_SYNTAX),
        (UNDECODABLE, XML_SYNTAX),
        (BILLION_LAUGHS, DTD),
        (XXE, DTD),
        (envelope(namespace=SOAP12_ENV), VERSION_MISMATCH),
        (b"<html/>", ENVELOPE),
        (nested(101), LIMIT),
        (with_children(50_001, padding=30), LIMIT),
        (with_attributes(501), LIMIT),
    ],
    ids=[
        "empty",
        "undecodable",
        "billion laughs",
        "xxe",
        "soap 1.2",
        "html",
        "deep",
        "wide",
        "attributes",
    ],
)
def test_refused_requests_get_a_fault_and_never_reach_the_application(
    body: bytes, code: str
) -> None:
    echo = Echo()

    response = call(HardeningMiddleware(echo), body)

    assert response.status == 500
    assert fault_code(response.fault()) == soap(code)
    assert echo.environ == {}


def test_a_charset_mismatch_is_refused() -> None:
    body = envelope("<c:x>caf</c:x>").replace(b"caf", b"caf\xe9")

    response = call(
        HardeningMiddleware(Echo()), body, CONTENT_TYPE='text/xml; charset="UTF-8"'
    )

    assert fault_code(response.fault()) == soap(XML_SYNTAX)


@pytest.mark.parametrize(
    "inner",
    [raising_before_start, raising_mid_stream, never_starting],
    ids=["before start_response", "mid-stream", "no start_response"],
)
def test_an_application_failure_becomes_a_server_fault_with_an_incident(
    inner: WsgiApp, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="service.hardening"):
        response = call(HardeningMiddleware(inner), envelope())

    assert response.status == 500
    fault = response.fault()
    assert fault_code(fault) == soap(SERVER)
    found = re.fullmatch(
        r"internal error \(incident ([0-9a-f]{32})\)",
        fault.findtext("faultstring") or "",
    )
    assert found is not None
    assert b"Traceback" not in response.body
    record = caplog.records[-1]
    assert found.group(1) in record.getMessage()
    assert record.exc_info is not None


def test_a_failure_to_read_the_body_becomes_a_server_fault() -> None:
    class Disconnected(io.RawIOBase):
        def readinto(self, buffer: Any) -> int:
            raise OSError("connection reset by peer")

    response = call(HardeningMiddleware(Echo()), envelope(), stream=Disconnected())

    assert response.status == 500
    assert fault_code(response.fault()) == soap(SERVER)


def test_the_application_answer_is_closed() -> None:
    closed: list[bool] = []

    class Answer(list[bytes]):
        def close(self) -> None:
            closed.append(True)

    def inner(environ: dict[str, Any], start_response: Callable[..., Any]) -> Answer:
        start_response("200 OK", [("Content-Length", "2")])
        return Answer([b"ok"])

    assert call(HardeningMiddleware(inner), envelope()).body == b"ok"
    assert closed == [True]


# Spyne with the hardened protocol


@pytest.fixture(scope="module")
def make_spyne() -> Callable[[Any], WsgiApp]:
    """Build a one-operation Spyne WSGI application with a given input protocol."""
    # Imported here: ``service.hardening`` has loaded the compatibility fixes first.
    from spyne import Application, ServiceBase, Unicode, rpc
    from spyne.protocol.soap import Soap11
    from spyne.server.wsgi import WsgiApplication

    class EchoService(ServiceBase):
        @rpc(Unicode, _returns=Unicode)
        def echo(ctx: Any, text: str | None) -> str | None:
            return text

    def make(in_protocol: Any) -> WsgiApp:
        app = Application(
            [EchoService], tns=CORE_NS, in_protocol=in_protocol, out_protocol=Soap11()
        )
        return WsgiApplication(app)

    return make


@pytest.fixture(scope="module")
def spyne_app(make_spyne: Callable[[Any], WsgiApp]) -> WsgiApp:
    """The Spyne application with the hardened input protocol."""
    return make_spyne(HardenedSoap11(validator="lxml"))


def echo_request(text: str) -> bytes:
    return envelope(f"<c:echo><c:text>{text}</c:text></c:echo>")


def test_spyne_answers_a_valid_request(spyne_app: WsgiApp) -> None:
    response = call(spyne_app, echo_request("hello"))

    assert response.status == 200
    assert (
        etree.fromstring(response.body).findtext(f".//{{{CORE_NS}}}echoResult")
        == "hello"
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'<!DOCTYPE soap:Envelope [<!ENTITY a "A">]>' + echo_request("x&a;y"), DTD),
        (echo_request("caf").replace(b"caf", b"caf\xe9"), XML_SYNTAX),
    ],
    ids=["dtd", "undecodable"],
)
def test_spyne_refuses_with_a_fault_instead_of_an_exception(
    spyne_app: WsgiApp, body: bytes, code: str
) -> None:
    response = call(spyne_app, body)

    assert response.status == 500
    assert fault_code(parse_fault(response.body)) == soap(code)


def test_spyne_does_not_resolve_multi_ref_loops(
    make_spyne: Callable[[Any], WsgiApp], spyne_app: WsgiApp
) -> None:
    from spyne.protocol.soap import Soap11

    loop = '<c:x id="r1"><c:y href="#r1"/></c:x>'
    body = envelope(f'<c:echo><c:text href="#r1"/></c:echo>{loop}')

    with pytest.raises(RecursionError):  # what the plain protocol does
        call(make_spyne(Soap11(validator="lxml")), body)
    response = call(spyne_app, body)

    assert response.status == 500
    assert "SchemaValidationError" in fault_code(parse_fault(response.body)).localname


def test_the_middleware_in_front_of_spyne(spyne_app: WsgiApp) -> None:
    app = HardeningMiddleware(spyne_app)

    assert call(app, echo_request("hello")).status == 200
    assert fault_code(call(app, BILLION_LAUGHS).fault()) == soap(DTD)
    assert call(app, method="GET", QUERY_STRING="wsdl").status == 200


def test_spyne_reuses_the_envelope_the_guard_parsed(
    spyne_app: WsgiApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spyne.protocol.soap import soap11

    parsed = []
    parse = soap11._parse_xml_string
    monkeypatch.setattr(
        soap11,
        "_parse_xml_string",
        lambda *args: parsed.append(1) or parse(*args),
    )
    app = HardeningMiddleware(spyne_app)
    text = "caf\u00e9 <&> \U0001f600"
    request = envelope(
        "<c:echo><!-- a comment --><c:text>"
        + text.replace("&", "&amp;").replace("<", "&lt;")
        + "<?pi ignored?><![CDATA[ and more]]></c:text></c:echo>"
    )

    response = call(app, request)

    assert parsed == []
    result = etree.fromstring(response.body).findtext(f".//{{{CORE_NS}}}echoResult")
    assert result == text + " and more"
    # Without the guard in front, Spyne parses the request itself, alike.
    assert (
        etree.fromstring(call(spyne_app, request).body).findtext(
            f".//{{{CORE_NS}}}echoResult"
        )
        == result
    )
    assert parsed == [1]
