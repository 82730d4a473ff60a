"""Defences of the SOAP endpoint against hostile, oversized or broken requests.

Spyne parses requests safely enough (no entity expansion, no network access), but a
few inputs still escape its fault handling or cost more than they should. This
module closes those gaps in two places:

* :class:`HardeningMiddleware` sits in front of Spyne's WSGI application. It bounds
  the body before reading it, checks the document with :func:`check_document`
  against :class:`Limits`, and turns anything that still goes wrong inside the
  application into a ``soap:Server`` fault with an incident id, never a traceback.
* :class:`HardenedSoap11` is the input protocol to give Spyne. It refuses DTDs, a
  charset it cannot decode, and it never resolves SOAP-encoding multi-refs
  (``href="#id"``), whose loops crash Spyne.

Every refusal is a SOAP 1.1 fault; the HTTP status is 413 for a body that is too
large and 500 for every other fault, as SOAP 1.1 over HTTP asks.
"""

from __future__ import annotations

import codecs
import copy
import io
import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import IO, TYPE_CHECKING, Any

from lxml import etree
from spyne.model.fault import Fault
from spyne.protocol.soap import Soap11

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
#: CORE's contract namespace (``service.types.TNS``, not imported to stay light).
CORE_NS = "urn:core:v1"

XML_SYNTAX = "Client.XmlSyntax"
DTD = "Client.Dtd"
LIMIT = "Client.Limit"
ENVELOPE = "Client.Envelope"
VERSION_MISMATCH = "VersionMismatch"
SERVER = "Server"

MIB = 1024 * 1024

# The business codes put in the detail of each client fault.
_DETAIL_CODES = {
    XML_SYNTAX: "xml_syntax",
    DTD: "dtd",
    LIMIT: "limit",
    ENVELOPE: "envelope",
}
# Charsets a Content-Type may name; Spyne decodes the body with Python's codec.
_CHARSETS = frozenset(
    {
        "ascii",
        "cp1252",
        "iso8859-1",
        "iso8859-15",
        "utf-16",
        "utf-16-be",
        "utf-16-le",
        "utf-8",
    }
)
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DECLARED_ENCODING = re.compile(r"\ufeff?<\?xml\s[^>]*\bencoding\s*=")
_DOCTYPE = "<!DOCTYPE"
_NO_DTD = "DTDs and entity declarations are not allowed in SOAP messages"
_READ_BLOCK = 64 * 1024
#: The WSGI environ key under which the guard hands its parsed Envelope on, so
#: that :class:`HardenedSoap11` does not parse the same bytes a second time.
PARSED_ENVELOPE = "core.parsed_envelope"
_XML_CONTENT_TYPE = "text/xml; charset=utf-8"
_TOO_LARGE = 413

_Response = tuple[str, list[tuple[str, str]], list[bytes]]


@dataclass(frozen=True)
class Limits:
    """Bounds on one request; each is refused at one past its value."""

    #: Bytes of the HTTP request body.
    max_body: int = 2 * MIB
    #: Nesting depth of elements; the Envelope is at depth 1.
    max_depth: int = 100
    #: Attributes and namespace declarations on one element.
    max_attributes: int = 500
    #: Child elements of one element.
    max_children: int = 50_000
    #: Characters of one text run or attribute value.
    max_text: int = 1 * MIB
    #: Elements in the whole document.
    max_elements: int = 200_000


class RequestRefused(Exception):
    """A request refused before Spyne sees it, with the fault to answer.

    :param faultcode: the fault code without prefix, such as ``Client.Limit``.
    :param message: the fault string: what was refused and why.
    :param http_status: the HTTP status of the answer.
    """

    def __init__(self, faultcode: str, message: str, http_status: int = 500) -> None:
        super().__init__(faultcode, message, http_status)
        self.faultcode = faultcode
        self.message = message
        self.http_status = http_status

    def __str__(self) -> str:
        return f"{self.faultcode}: {self.message}"

    def envelope(self) -> bytes:
        """The fault envelope that answers the refused request."""
        code = _DETAIL_CODES.get(self.faultcode)
        detail = None if code is None else client_fault_detail(code, self.message)
        return fault_envelope(self.faultcode, self.message, detail)


def fault_envelope(
    faultcode: str, faultstring: str, detail: etree._Element | None = None
) -> bytes:
    """Serialize a SOAP 1.1 fault envelope, UTF-8 with an XML declaration.

    :param faultcode: the code without prefix (``Client.XmlSyntax``); it is
        qualified with the envelope's ``soap`` prefix.
    :param faultstring: the human-readable explanation.
    :param detail: an element to put in ``detail``; it is copied, not moved.
    """
    envelope = etree.Element(f"{{{SOAP11_ENV}}}Envelope", nsmap={"soap": SOAP11_ENV})
    body = etree.SubElement(envelope, f"{{{SOAP11_ENV}}}Body")
    fault = etree.SubElement(body, f"{{{SOAP11_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = f"soap:{faultcode}"
    etree.SubElement(fault, "faultstring").text = _xml_text(faultstring)

    if detail is not None:
        etree.SubElement(fault, "detail").append(copy.deepcopy(detail))
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


def client_fault_detail(
    code: str, message: str, element_name: str = "ValidationFault"
) -> etree._Element:
    """Build a fault detail in CORE's namespace holding ``code`` and ``message``."""
    element = etree.Element(f"{{{CORE_NS}}}{element_name}", nsmap={"tns": CORE_NS})
    etree.SubElement(element, f"{{{CORE_NS}}}code").text = _xml_text(code)
    etree.SubElement(element, f"{{{CORE_NS}}}message").text = _xml_text(message)
    return element


def _xml_text(text: str) -> str:
    """Replace the characters that XML 1.0 cannot carry."""
    return _NOT_XML_CHAR.sub("\ufffd", text)


def check_document(
    body: bytes, limits: Limits | None = None, charset: str | None = None
) -> etree._Element:
    """Parse a request body safely and return its SOAP 1.1 Envelope element.

    The parser stops at the first excess, so no input costs more than one pass.

    :param charset: the charset named by the request's Content-Type, if any.
    :raises RequestRefused: the body is too large, empty, not XML, declares a DTD,
        exceeds a limit, or is not a SOAP 1.1 envelope with a Body.
    """
    limits = limits or Limits()
    if len(body) > limits.max_body:
        raise _too_large(limits.max_body, len(body))
    if not body.strip():
        raise RequestRefused(XML_SYNTAX, "the request body is empty")

    root = _parse(_parser_input(body, charset), limits)
    _check_body(root)
    return root


def _too_large(max_body: int, size: int | None = None) -> RequestRefused:
    what = "the request body" if size is None else f"the request body of {size} bytes"
    message = f"{what} exceeds the limit of {max_body} bytes"
    return RequestRefused(LIMIT, message, _TOO_LARGE)


def _charset_problem(charset: str) -> str | None:
    """Say why ``charset`` cannot be used to decode a request, or return ``None``."""
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return f"unknown charset in the Content-Type: {charset!r}"
    if name not in _CHARSETS:
        return f"unsupported charset in the Content-Type: {charset!r}"
    return None


def _parser_input(body: bytes, charset: str | None) -> bytes:
    """The bytes to parse, decoded with the HTTP charset first as Spyne does."""
    if charset is None:
        return body
    problem = _charset_problem(charset)
    if problem is not None:
        raise RequestRefused(XML_SYNTAX, problem)

    try:
        text = body.decode(charset)
    except UnicodeDecodeError as exc:
        message = f"the request body is not valid {charset}: byte {exc.start}"
        raise RequestRefused(XML_SYNTAX, message) from exc

    # Like Spyne, let an encoding declared in the document win over the header.
    return body if _DECLARED_ENCODING.match(text) else text.encode("utf-8")


def _parse(body: bytes, limits: Limits) -> etree._Element:
    """Parse ``body`` event by event, refusing at the first excess."""
    events = etree.iterparse(
        io.BytesIO(body),
        events=("start-ns", "start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    walker = _LimitWalker(limits)
    try:
        for event, item in events:
            if event == "start":
                walker.start(item)
            elif event == "end":
                walker.end(item)
            else:  # a namespace declaration of the next element
                walker.namespaces += 1
    except etree.XMLSyntaxError as exc:
        raise _syntax_refusal(body, walker.elements, exc) from exc
    return events.root


def _syntax_refusal(
    body: bytes, elements: int, exc: etree.XMLSyntaxError
) -> RequestRefused:
    # libxml2 may give up inside a DTD (entity amplification, say) before the
    # root element shows whether there was one.
    if elements == 0 and _mentions_doctype(body):
        return RequestRefused(DTD, _NO_DTD)

    # libxml2 has limits of its own (a nesting depth of 256, say); newer
    # releases stop there before the events that would reach ours are read.
    if _hit_parser_limit(exc):
        return RequestRefused(LIMIT, f"the request exceeds a parser limit: {exc}")
    return RequestRefused(XML_SYNTAX, f"the request is not well-formed XML: {exc}")


def _hit_parser_limit(exc: etree.XMLSyntaxError) -> bool:
    # The exception's own code, not its error log: lxml's log keeps earlier
    # documents' errors too.
    return bool(exc.code == etree.ErrorTypes.ERR_RESOURCE_LIMIT)


def _mentions_doctype(body: bytes) -> bool:
    encodings = ("ascii", "utf-16-le", "utf-16-be")
    return any(_DOCTYPE.encode(encoding) in body for encoding in encodings)


def _check_root(root: etree._Element) -> None:
    """Refuse a DTD and any root other than a SOAP 1.1 Envelope."""
    if _has_dtd(root):
        raise RequestRefused(DTD, _NO_DTD)

    if root.tag == f"{{{SOAP12_ENV}}}Envelope":
        raise RequestRefused(
            VERSION_MISMATCH, "SOAP 1.2 envelopes are not supported; use SOAP 1.1"
        )
    if root.tag != f"{{{SOAP11_ENV}}}Envelope":
        raise RequestRefused(
            ENVELOPE, f"the root element is not a SOAP 1.1 Envelope: {root.tag!r}"
        )


def _has_dtd(root: etree._Element) -> bool:
    docinfo = root.getroottree().docinfo
    return bool(docinfo.doctype) or docinfo.internalDTD is not None


def _check_body(root: etree._Element) -> None:
    bodies = len(root.findall(f"{{{SOAP11_ENV}}}Body"))
    if bodies != 1:
        raise RequestRefused(
            ENVELOPE, f"the Envelope must hold exactly one Body, not {bodies}"
        )


class _LimitWalker:
    """Follow the parser's events and refuse at the first count over a limit.

    It runs for every element, so the common path makes as few calls as it can.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.elements = 0
        self.children = [0]  # child elements seen so far, per open element
        self.namespaces = 0  # declarations seen for the element about to start
        self.closed: etree._Element | None = None  # its tail is still being read

    def start(self, element: etree._Element) -> None:
        """Count an element that begins, with its attributes."""
        limits, children = self.limits, self.children
        self._check_tail()

        self.elements += 1
        if self.elements == 1:
            _check_root(element)
        if self.elements > limits.max_elements:
            raise _over(limits.max_elements, "elements in all")
        if len(children) > limits.max_depth:
            raise _over(limits.max_depth, "levels of nesting")

        children[-1] += 1
        if children[-1] > limits.max_children:
            raise _over(limits.max_children, "child elements")
        children.append(0)

        attributes = element.attrib
        if len(attributes) + self.namespaces > limits.max_attributes:
            raise _over(limits.max_attributes, "attributes on one element")
        self.namespaces = 0
        for value in attributes.values():
            self._check_text(value)

    def end(self, element: etree._Element) -> None:
        """Check the text of an element that ends."""
        self._check_tail()
        self.children.pop()
        self._check_text(element.text)
        self.closed = element

    def _check_tail(self) -> None:
        # An element's tail is complete once the parser reports the next event.
        if self.closed is not None:
            self._check_text(self.closed.tail)
            self.closed = None

    def _check_text(self, text: str | None) -> None:
        if text is not None and len(text) > self.limits.max_text:
            raise _over(self.limits.max_text, "characters in one text")


def _over(limit: int, what: str) -> RequestRefused:
    return RequestRefused(LIMIT, f"the request has more than {limit} {what}")


class HardeningMiddleware:
    """WSGI middleware that checks SOAP requests before Spyne gets them.

    A ``POST`` on ``path`` is bounded and checked with :func:`check_document`; a
    refusal is answered with a fault and never reaches the application. Whatever
    the application then raises, before or while producing its answer, becomes a
    ``soap:Server`` fault naming an incident id that is also logged. Other methods
    and paths go to the application untouched, so Spyne still serves the WSDL.

    :param app: the Spyne WSGI application.
    :param limits: the limits to enforce; :class:`Limits` defaults when ``None``.
    :param path: the ``PATH_INFO`` to guard (a trailing slash does not matter), or
        ``None`` to guard every path.
    """

    def __init__(
        self,
        app: WSGIApplication,
        limits: Limits | None = None,
        path: str | None = "/soap",
    ) -> None:
        self.app = app
        self.limits = limits or Limits()
        self.path = None if path is None else path.rstrip("/")

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if not self._guards(environ):
            return self.app(environ, start_response)

        try:
            status, headers, chunks = self._handle(environ)
        except Exception:  # noqa: BLE001 - the safety net: the caller gets a fault
            status, headers, chunks = _incident()
        start_response(status, headers)
        return chunks

    def _guards(self, environ: WSGIEnvironment) -> bool:
        if environ.get("REQUEST_METHOD", "GET").upper() != "POST":
            return False
        return (
            self.path is None or environ.get("PATH_INFO", "").rstrip("/") == self.path
        )

    def _handle(self, environ: WSGIEnvironment) -> _Response:
        try:
            body = read_body(environ, self.limits.max_body)
            charset = _charset(environ.get("CONTENT_TYPE"))
            envelope = check_document(body, self.limits, charset)
        except RequestRefused as refusal:
            logger.warning(
                "refused a SOAP request from %s: %s",
                environ.get("REMOTE_ADDR"),
                refusal,
            )
            return _fault_response(refusal.http_status, refusal.envelope())

        inner = _with_body(environ, body)
        inner[PARSED_ENVELOPE] = envelope
        return _run(self.app, inner)


def read_body(environ: WSGIEnvironment, max_body: int) -> bytes:
    """Read the request body, refusing it unread if it announces too many bytes.

    Without a usable ``CONTENT_LENGTH`` (missing, invalid or chunked), at most
    ``max_body + 1`` bytes are read.

    :raises RequestRefused: with HTTP 413 when the body exceeds ``max_body``.
    """
    length = _content_length(environ)
    if length is not None and length > max_body:
        raise _too_large(max_body, length)

    body = _read(environ["wsgi.input"], max_body + 1 if length is None else length)
    if len(body) > max_body:
        raise _too_large(max_body)
    return body


def _content_length(environ: WSGIEnvironment) -> int | None:
    """The announced body length, or ``None`` when it cannot be trusted."""
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    return length if length >= 0 else None


def _read(stream: IO[bytes], size: int) -> bytes:
    """Read up to ``size`` bytes, stopping early at the end of the stream."""
    buffer = bytearray()
    while len(buffer) < size:
        chunk = stream.read(min(_READ_BLOCK, size - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    return bytes(buffer)


def _charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, if any."""
    for parameter in (content_type or "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"') or None
    return None


def _with_body(environ: WSGIEnvironment, body: bytes) -> WSGIEnvironment:
    """A copy of ``environ`` whose input is the body already read."""
    environ = {**environ, "wsgi.input": io.BytesIO(body)}
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    return environ


def _run(app: WSGIApplication, environ: WSGIEnvironment) -> _Response:
    """Call ``app`` and collect its whole answer, so a late failure is still caught."""
    started: list[tuple[str, list[tuple[str, str]]]] = []
    chunks: list[bytes] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Any:
        started[:] = [(status, list(headers))]
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()

    if not started:
        raise RuntimeError("the application returned without calling start_response")
    status, headers = started[0]
    return status, _with_length(headers, chunks), chunks


def _with_length(
    headers: list[tuple[str, str]], chunks: list[bytes]
) -> list[tuple[str, str]]:
    if any(name.lower() == "content-length" for name, _ in headers):
        return headers
    return [*headers, ("Content-Length", str(sum(map(len, chunks))))]


def _incident() -> _Response:
    """Log the exception being handled and answer a fault naming its incident id."""
    incident = uuid.uuid4().hex
    logger.exception("unhandled error in the SOAP application (incident %s)", incident)
    return _fault_response(
        500, fault_envelope(SERVER, f"internal error (incident {incident})")
    )


def _fault_response(status: int, envelope: bytes) -> _Response:
    headers = [
        ("Content-Type", _XML_CONTENT_TYPE),
        ("Content-Length", str(len(envelope))),
    ]
    return f"{status} {HTTPStatus(status).phrase}", headers, [envelope]


class HardenedSoap11(Soap11):  # type: ignore[misc]
    """SOAP 1.1 input protocol that refuses DTDs and ignores multi-ref ``href`` links.

    Use it as the Spyne application's ``in_protocol``, for instance
    ``HardenedSoap11(validator="lxml")``. A DTD, an unusable charset or bytes the
    charset cannot decode become client faults instead of exceptions that escape
    Spyne; an ``href="#id"`` is left as it is instead of being resolved.
    """

    def create_in_document(self, ctx: Any, charset: str | None = None) -> None:
        """Parse the request as :class:`Soap11` does, then apply the refusals.

        A request that :class:`HardeningMiddleware` has already parsed is not
        parsed again: its Envelope is taken from the WSGI environ. The guard's
        parser drops comments and processing instructions as Spyne's does.
        """
        envelope = _parsed_envelope(ctx)
        if envelope is not None:
            ctx.in_document = (envelope, {})
            return

        problem = None if charset is None else _charset_problem(charset)
        if problem is not None:
            raise Fault(XML_SYNTAX, problem)
        try:
            super().create_in_document(ctx, charset)
        except UnicodeError as exc:
            raise Fault(XML_SYNTAX, f"the request body is not valid {charset}") from exc

        root, _ids = ctx.in_document
        if _has_dtd(root):
            raise Fault(DTD, _NO_DTD)

        # An empty id map makes Spyne skip its multi-ref (href) resolution.
        ctx.in_document = (root, {})


def _parsed_envelope(ctx: Any) -> etree._Element | None:
    """The Envelope the guard parsed for this request, taken once, if any.

    The guard parses POST requests only; one without a Content-Type (or a
    multipart one) still goes through Spyne's own checks, which answer it as
    they always have.
    """
    environ = getattr(ctx.transport, "req_env", None)
    if not isinstance(environ, dict):
        return None
    envelope: etree._Element | None = environ.pop(PARSED_ENVELOPE, None)
    if envelope is None:
        return None
    content_type = environ.get("CONTENT_TYPE") or ""
    if not content_type or content_type.lower().startswith("multipart/"):
        return None
    return envelope
