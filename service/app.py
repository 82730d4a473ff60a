"""The WSGI application: SOAP at ``/soap``, its WSDL, ``/docs``, ``/health``, logs.

:func:`create_app` builds everything once per worker process: the Spyne
application over CORE's operations, the WSDL (whose address follows the
configured public URL or the proxy's ``X-Forwarded-*`` headers, never the
first request's host), the integrators' pages at ``/docs``, the hostile-input
guard in front of Spyne, and a log line per request.
"""

from __future__ import annotations

import inspect
import logging
import math
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import quoteattr

from lxml import etree
from spyne import Application
from spyne import const as spyne_const
from spyne.server.wsgi import WsgiApplication

from api.core import Core
from service.auth import Authenticator, Throttle
from service.docs import DOCS_PATH, docs_app
from service.fastxml import FastSoap11
from service.faults import to_fault
from service.hardening import (
    HardenedSoap11,
    HardeningMiddleware,
    Limits,
    fault_envelope,
)
from service.operations import SERVICES
from service.types import TNS

logger = logging.getLogger(__name__)

SOAP_PATH = "/soap"
#: The address the WSDL is built with, replaced by the real one per request.
PLACEHOLDER = "http://core.placeholder.invalid/soap"
#: The address written into the checked-in contract.
CONTRACT_ADDRESS = "http://localhost:8000/soap"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
_HOST = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")

Environ = dict[str, Any]
StartResponse = Callable[..., Any]


@dataclass
class Settings:
    """How the service runs; each has a ``CORE_*`` environment variable.

    :param public_url: the address clients reach ``/soap`` at, behind a proxy.
    :param max_body: the largest request body read, in bytes.
    :param fast_xml: write successful responses with :mod:`service.fastxml`
        instead of Spyne's serializer; ``CORE_FAST_XML=0`` turns it off.
    """

    public_url: str | None = None
    max_body: int = 2 * 1024 * 1024
    fast_xml: bool = True

    @classmethod
    def from_environ(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read the settings from their ``CORE_*`` environment variables."""
        env = os.environ if environ is None else environ
        return cls(
            public_url=env.get("CORE_PUBLIC_URL") or None,
            max_body=int(env.get("CORE_MAX_BODY", cls.max_body)),
            fast_xml=env.get("CORE_FAST_XML", "1").strip() != "0",
        )


class CoreApplication(Application):
    """Spyne application that turns every error of an operation into a CORE fault."""

    def call_wrapper(self, ctx: Any) -> Any:
        try:
            return super().call_wrapper(ctx)
        except Exception as error:
            if hasattr(error, "faultcode"):
                raise
            raise to_fault(error) from error


def build_application(
    core: Core, throttle: Throttle | None = None, *, fast_xml: bool = True
) -> Application:
    """Return the Spyne application of CORE's operations, authenticating each call.

    :param fast_xml: write successful responses with :class:`FastSoap11`;
        ``False`` leaves every response to Spyne's own serializer.
    """
    app = CoreApplication(
        SERVICES,
        tns=TNS,
        name="Core",
        in_protocol=HardenedSoap11(validator="lxml"),
        out_protocol=FastSoap11() if fast_xml else HardenedSoap11(),
    )
    authenticate = Authenticator(core, throttle or Throttle())
    app.event_manager.add_listener("method_call", authenticate)
    _quiet_spyne()
    return app


def _quiet_spyne() -> None:
    """Spyne logs each client fault with a traceback and raw requests on errors.

    Its debug output, thousands of records per response, is cut at the root.
    """
    logging.getLogger("spyne").setLevel(logging.INFO)
    for name in (
        "spyne.application.client",
        "spyne.protocol.soap.soap11.invalid",
        "spyne.protocol.xml.invalid",
        "spyne.protocol.xml",
    ):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def wsdl_document(app: Application, address: str = PLACEHOLDER) -> bytes:
    """Return the WSDL of ``app`` with ``address`` as the service's location."""
    soap = WsgiApplication(app)
    soap.doc.wsdl11.build_interface_document(PLACEHOLDER)
    document = stable_order(soap.doc.wsdl11.get_interface_document())
    return document.replace(PLACEHOLDER.encode(), _escape(address).encode())


_ORDER = {"simpleType": 0, "complexType": 1, "element": 2, "message": 3}


def stable_order(document: bytes) -> bytes:
    """Sort the schema's types and the messages by name.

    Spyne emits them in an order that varies from process to process; sorted,
    and with docstrings dedented alike, every worker on every Python serves the
    same bytes and the checked-in contract can be compared with what is served.
    """
    root = etree.fromstring(document)
    _clean_documentation(root)
    containers = [root, *root.iterfind(f"{{{WSDL_NS}}}types/{{{XSD_NS}}}schema")]
    for container in containers:
        movable = [c for c in container if etree.QName(c).localname in _ORDER]
        for child in movable:
            container.remove(child)
        movable.sort(
            key=lambda c: (_ORDER[etree.QName(c).localname], c.get("name", ""))
        )
        anchor = _insertion_point(container)
        for offset, child in enumerate(movable):
            container.insert(anchor + offset, child)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _clean_documentation(root: Any) -> None:
    """Dedent docstrings the same way whatever Python compiled them.

    Python 3.13 strips the common indentation of docstrings itself; older
    versions keep it. Cleaning them here keeps the contract byte-identical.
    """
    for tag in (f"{{{WSDL_NS}}}documentation", f"{{{XSD_NS}}}documentation"):
        for element in root.iter(tag):
            if element.text:
                element.text = inspect.cleandoc(element.text)


def _insertion_point(container: Any) -> int:
    """Keep imports and the types section ahead of the sorted children."""
    leading = ("import", "types", "documentation")
    return sum(1 for child in container if etree.QName(child).localname in leading)


def _escape(address: str) -> str:
    return quoteattr(address)[1:-1]


class Router:
    """Sends each request where it belongs and logs it once."""

    def __init__(
        self,
        core: Core,
        settings: Settings,
        soap: Any,
        wsdl: bytes,
        docs: Any = None,
    ) -> None:
        self.core = core
        self.settings = settings
        self.soap = soap
        self.wsdl = wsdl
        self.docs = docs

    def __call__(
        self, environ: Environ, start_response: StartResponse
    ) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = _request_id(environ)
        status_seen: list[str] = []

        def start(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            status_seen.append(status)
            headers = [*headers, ("X-Request-Id", request_id)]
            return start_response(status, headers, *exc)

        body = self.route(environ, start)
        self.log(environ, request_id, status_seen, started)
        return body

    def route(self, environ: Environ, start: StartResponse) -> Iterable[bytes]:
        """Answer one request."""
        path = environ.get("PATH_INFO", "") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/health":
            return self.health(start)
        if self.docs is not None and _under(path, DOCS_PATH):
            return self.serve_docs(environ, start)
        if path != SOAP_PATH:
            return _fault(start, "404 Not Found", "Client", f"no service at {path}")
        if method == "GET" and "wsdl" in environ.get("QUERY_STRING", "").lower():
            return self.serve_wsdl(environ, start)
        if method != "POST":
            return _fault(
                start,
                "405 Method Not Allowed",
                "Client",
                "use POST for SOAP calls and GET ?wsdl for the contract",
            )
        return list(self.soap(environ, start))

    def health(self, start: StartResponse) -> list[bytes]:
        """200 when the database answers, 503 when it does not."""
        healthy = self.core.db.ping()
        status = "200 OK" if healthy else "503 Service Unavailable"
        body = b'{"status": "ok"}' if healthy else b'{"status": "database unavailable"}'
        start(
            status,
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    def serve_docs(self, environ: Environ, start: StartResponse) -> list[bytes]:
        """The integrators' pages, naming the address the caller should use."""
        environ["core.address"] = self.address(environ)
        return list(self.docs(environ, start))

    def serve_wsdl(self, environ: Environ, start: StartResponse) -> list[bytes]:
        """The contract, with the address the caller should use."""
        document = self.wsdl.replace(
            PLACEHOLDER.encode(), _escape(self.address(environ)).encode()
        )
        start(
            "200 OK",
            [
                ("Content-Type", "text/xml; charset=utf-8"),
                ("Content-Length", str(len(document))),
            ],
        )
        return [document]

    def address(self, environ: Environ) -> str:
        """The public address of ``/soap``: configured, forwarded, or requested."""
        if self.settings.public_url:
            return self.settings.public_url
        scheme = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip()
        host = environ.get("HTTP_X_FORWARDED_HOST", "").split(",")[0].strip()
        scheme = (
            scheme
            if scheme in ("http", "https")
            else environ.get("wsgi.url_scheme", "http")
        )
        host = host or environ.get("HTTP_HOST", "")
        if not _HOST.fullmatch(host):
            name = environ.get("SERVER_NAME", "localhost")
            host = f"{name}:{environ.get('SERVER_PORT', '80')}"
        prefix = environ.get("SCRIPT_NAME", "")
        return f"{scheme}://{host}{prefix}{SOAP_PATH}"

    def log(
        self, environ: Environ, request_id: str, status: list[str], started: float
    ) -> None:
        """One line per request: id, user, operation, status, duration."""
        logger.info(
            "request %s user=%s operation=%s status=%s duration_ms=%.1f",
            request_id,
            environ.get("core.user", "-"),
            environ.get("core.operation", environ.get("PATH_INFO", "-")),
            status[0].split(" ")[0] if status else "-",
            (time.perf_counter() - started) * 1000,
        )


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _request_id(environ: Environ) -> str:
    given = environ.get("HTTP_X_REQUEST_ID", "")
    if re.fullmatch(r"[A-Za-z0-9._-]{1,64}", given):
        return given
    return uuid.uuid4().hex[:16]


def _fault(start: StartResponse, status: str, code: str, message: str) -> list[bytes]:
    body = fault_envelope(code, message)
    start(
        status,
        [
            ("Content-Type", "text/xml; charset=utf-8"),
            ("Content-Length", str(len(body))),
        ],
    )
    return [body]


def create_app(core: Core, settings: Settings | None = None) -> Router:
    """Return CORE's WSGI application over an opened CORE."""
    settings = settings or Settings.from_environ()
    _no_forced_collections()
    app = build_application(core, fast_xml=settings.fast_xml)
    soap = WsgiApplication(app, max_content_length=settings.max_body)
    soap.doc.wsdl11.build_interface_document(PLACEHOLDER)
    guarded = HardeningMiddleware(soap, Limits(max_body=settings.max_body))
    wsdl = stable_order(soap.doc.wsdl11.get_interface_document())
    docs = docs_app(app, wsdl_url_path=f"{SOAP_PATH}?wsdl", title="CORE")
    return Router(core, settings, guarded, wsdl, docs)


def _no_forced_collections() -> None:
    """Stop Spyne from running a full ``gc.collect()`` in a request every second.

    Spyne does it when a call ends, so that the file objects of a request are
    freed soon; CORE keeps none open past a call, and a full collection of a
    worker's heap stalls the request that happens to pay for it by several
    milliseconds. Python's own generational collector still runs.
    """
    spyne_const.MIN_GC_INTERVAL = math.inf


def contract() -> bytes:
    """The checked-in form of the contract: the WSDL at the default address."""
    app = build_application(_NoCore())  # type: ignore[arg-type]
    document = etree.fromstring(wsdl_document(app, CONTRACT_ADDRESS))
    document.addprevious(etree.Comment(CONTRACT_NOTE))
    return etree.tostring(
        document.getroottree(),
        xml_declaration=True,
        encoding="UTF-8",
        pretty_print=True,
    )


CONTRACT_NOTE = (
    " Generated by `core wsdl` from the service's code (service/models.py,"
    " service/operations.py, service/faults.py and the table declarations in"
    " api/tables.py); edit those and regenerate, never this file. "
)


class _NoCore:
    """Stands in for CORE when only the contract is needed."""

    clock = staticmethod(time.time)


def write_contract(path: str) -> None:
    """Write :func:`contract` to ``path``."""
    with open(path, "wb") as output:
        output.write(contract())
