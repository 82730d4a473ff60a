"""The integrators' documentation at ``/docs``: complete, valid, runnable, safe."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast
from wsgiref.util import setup_testing_defaults

import pytest
import requests
from lxml import etree, html
from spyne import Application, Decimal, Fault, Integer, ServiceBase, Unicode, rpc
from spyne.protocol.soap import Soap11

import service.app
from api.core import Core
from service import docs
from service.app import build_application
from service.types import CoreModel
from tests.docs.support import ids, links, resolve

from .conftest import ADMIN_PASSWORD, ROOT, Server

CONTRACT = ROOT / "wsdl" / "core.wsdl"
NS = {
    "wsdl": "http://schemas.xmlsoap.org/wsdl/",
    "xs": "http://www.w3.org/2001/XMLSchema",
    "soap": docs.SOAP11_ENV,
}
#: Faults that answer a well-formed, schema-valid request: the business said no.
BUSINESS_FAULTS = {"Client.NotFound", "Client.Conflict", "Client.BusinessRule"}
APPLICATION = build_application(cast(Core, None))
CATALOGUE = docs.read_catalogue(APPLICATION)
OPERATIONS = list(CATALOGUE.operations)


@pytest.fixture(scope="module")
def pages() -> dict[str, bytes]:
    return docs.render_catalogue(APPLICATION, title="CORE")


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    """The XML schema inside the checked-in WSDL."""
    root = etree.parse(str(CONTRACT)).getroot()
    element = root.find("wsdl:types/xs:schema", NS)
    return etree.XMLSchema(etree.fromstring(etree.tostring(element)))


def payload(envelope: str) -> etree._Element:
    """The element inside a sample envelope's Body."""
    body = etree.fromstring(envelope).find("soap:Body", NS)
    (element,) = list(body)
    return element


def tree(document: bytes) -> Any:
    return html.fromstring(document)


def text_of(document: bytes) -> str:
    return " ".join(tree(document).text_content().split())


def fault_code(envelope: bytes) -> str | None:
    """The fault code of an answer without its prefix, or None for a result."""
    fault = etree.fromstring(envelope).find("soap:Body/soap:Fault", NS)
    if fault is None:
        return None
    return str(fault.findtext("faultcode")).split(":")[-1]


# -- what the pages hold ------------------------------------------------------------


def contract_types() -> set[str]:
    """The contract's record types: no messages, lists or faults."""
    root = etree.parse(str(CONTRACT)).getroot()
    names = {t.get("name") for t in root.iterfind(".//xs:complexType", NS)}
    messages = set(OPERATIONS) | {f"{name}Response" for name in OPERATIONS}
    return {
        str(name)
        for name in names - messages
        if not str(name).endswith(("Array", "Fault"))
    }


def test_every_operation_type_and_fault_has_a_page(pages: dict[str, bytes]) -> None:
    declared = etree.parse(str(CONTRACT)).getroot()
    operations = {
        o.get("name") for o in declared.iterfind("wsdl:portType/wsdl:operation", NS)
    }
    assert operations == set(OPERATIONS)
    for name in operations:
        assert f"/docs/operations/{name}" in pages
    for name in contract_types():
        assert f"/docs/types/{name}" in pages, name
    faults = text_of(pages["/docs/faults"])
    for name in ("ValidationFault", "NotFoundFault", "InternalFault"):
        assert name in faults


def test_index_links_every_operation_and_type(pages: dict[str, bytes]) -> None:
    index = links(pages["/docs"])
    for name in OPERATIONS:
        assert f"docs/operations/{name}" in index
    for name in contract_types():
        assert f"docs/types/{name}" in index
    assert "soap?wsdl" in index


def field_row(document: bytes, name: str) -> dict[str, str]:
    row = tree(document).get_element_by_id(f"field-{name}")
    return {
        cell.get("data-label"): " ".join(cell.text_content().split())
        for cell in row.iterfind("td")
    }


def test_operation_page_documents_input_output_faults_and_samples(
    pages: dict[str, bytes],
) -> None:
    page = pages["/docs/operations/createAccount"]
    text = text_of(page)
    assert "Create a prospect account and return it with its new number." in text
    account = field_row(page, "account")
    assert account["Type"] == "AccountInput" and account["Required"] == "required"
    request_id = field_row(page, "requestId")
    assert request_id["Required"] == "optional"
    assert request_id["Rules"] == "at most 100 characters"
    assert "a retry with it returns the first result" in request_id["Description"]
    assert "../types/AccountInput" in links(page)
    for code in ("Client.Validation", "Client.NotFound", "Server.Internal"):
        assert code in text
    assert "The caller's role does not allow the operation." in text
    for anchor in ("input", "output", "faults", "request", "response", "php", "zeep"):
        assert anchor in ids(page)


def test_type_page_shows_facets_and_field_documentation(
    pages: dict[str, bytes],
) -> None:
    account_input = pages["/docs/types/AccountInput"]
    name = field_row(account_input, "name")
    assert name["Rules"] == "1 to 120 characters"
    assert name["Description"] == "The customer's name."
    assert field_row(account_input, "slaTier")["Rules"] == "one of: standard, premium"
    price = field_row(pages["/docs/types/Server"], "monthlyPrice")["Rules"]
    assert "at most 10 digits" in price and "at most 2 after the decimal point" in price
    username = field_row(pages["/docs/types/User"], "username")["Rules"]
    assert "matches the pattern [a-z0-9][a-z0-9._-]*" in username
    comments = field_row(pages["/docs/types/Ticket"], "comments")
    assert comments["Type"] == "list of Comment"
    assert comments["Rules"] == "a list of <Comment> elements"
    assert "../operations/createAccount" in links(account_input)


def test_pages_link_only_to_pages_and_anchors_that_exist(
    pages: dict[str, bytes],
) -> None:
    base = "http://core.test"
    for path, document in pages.items():
        for link in links(document):
            url, fragment = resolve(base + path, link)
            target = url.removeprefix(base)
            if target == "/soap?wsdl":
                continue
            assert target in pages, f"{path} links to missing {link}"
            assert not fragment or fragment in ids(pages[target]), (path, link)


def test_pages_run_no_script(pages: dict[str, bytes]) -> None:
    for path, document in pages.items():
        assert b"<script" not in document.lower(), path
        assert tree(document).xpath("//@*[starts-with(name(), 'on')]") == [], path


# -- samples ------------------------------------------------------------------------


@pytest.mark.parametrize("name", OPERATIONS)
def test_sample_envelopes_are_valid_against_the_contract(
    schema: etree.XMLSchema, name: str
) -> None:
    operation = CATALOGUE.operations[name]
    for envelope in (
        docs.request_envelope(operation, CATALOGUE.tns),
        docs.response_envelope(operation, CATALOGUE.tns),
    ):
        element = payload(envelope)
        assert schema.validate(element), schema.error_log.last_error


def test_type_and_fault_samples_are_valid(schema: etree.XMLSchema) -> None:
    for name, info in CATALOGUE.types.items():
        values = docs.sample_fields(info.spyne_type)
        element = docs.sample_element(info.spyne_type, name, values)
        assert schema.validate(element), (name, schema.error_log.last_error)
    for fault in CATALOGUE.faults.values():
        detail = payload(docs.fault_envelope(fault, CATALOGUE.tns)).find("detail")
        assert schema.validate(detail[0]), (fault.name, schema.error_log.last_error)


def test_samples_follow_facets_and_use_utc() -> None:
    assert docs.sample(Unicode(values=["b", "a"])) == "b"
    assert docs.sample(Unicode(max_len=3), "username") == "Exa"
    assert docs.sample(Unicode(min_len=20), "x").startswith("Example x")
    assert docs.sample(Integer(ge=10, le=20)) == 10
    assert docs.sample(Integer(le=-5)) == -5
    money = docs.sample(Decimal(total_digits=5, fraction_digits=3), "price")
    assert str(money) == "12.500"
    assert str(docs.sample(Decimal(total_digits=2, fraction_digits=2))) == "0.50"
    assert docs.xml_text(docs.SAMPLE_TIME) == "2025-01-15T09:30:00Z"


@pytest.mark.parametrize(
    "pattern",
    [r"[a-z0-9][a-z0-9._-]*", r"A-\d{6}", r"(ab|cd)+x?", r"[A-Z]{2}\s\w+", r"."],
)
def test_text_for_pattern_matches_it(pattern: str) -> None:
    assert re.fullmatch(pattern, docs.text_for_pattern(pattern))


def test_text_for_pattern_refuses_what_it_cannot_follow() -> None:
    with pytest.raises(ValueError, match="cannot make a sample"):
        docs.text_for_pattern(r"[^a]")


def test_snippets_use_the_clients_and_the_sample_values() -> None:
    operation = CATALOGUE.operations["updateServer"]
    php = docs.php_snippet(operation, "https://core.example.com/soap")
    assert "require 'clients/php/autoload.php';" in php
    assert "new CoreClient(\n    'https://core.example.com/soap?wsdl'," in php
    assert "$core->updateServer(\n        'S-234567', // serverNumber" in php
    assert "'monthlyPrice' => '39.90'," in php
    python = docs.zeep_snippet(operation, "https://core.example.com/soap")
    assert "from decimal import Decimal" in python
    assert 'client.service.updateServer(\n        serverNumber="S-234567",' in python
    assert '"monthlyPrice": Decimal("39.90"),' in python
    compile(python, "snippet", "exec")


# -- HTML safety ----------------------------------------------------------------------

HOSTILE = '<script>alert("doc")</script> & <b>bold</b>'


class Hostile(CoreModel):
    __doc__ = HOSTILE
    __namespace__ = "urn:test"
    _type_info = [
        ("note", Unicode(max_len=40, doc=HOSTILE)),
        ("markup", Unicode(pattern="<[a-z]>&", min_occurs=1, doc="<i>x</i>")),
    ]


class HostileFault(Fault):
    """Raised <img src=x onerror=alert(1)> when it breaks."""

    __namespace__ = "urn:test"
    faultcode = 'Client.<a href="x">'


class HostileService(ServiceBase):
    """<iframe src="https://example.com"></iframe>"""

    @rpc(Hostile, _returns=Hostile, _throws=[HostileFault])
    def probe(ctx, value):
        """Echo <script>alert('op')</script> back."""
        return value


def hostile_pages() -> dict[str, bytes]:
    application = Application(
        [HostileService],
        tns="urn:test",
        name="Test <App>",
        in_protocol=Soap11(validator="lxml"),
        out_protocol=Soap11(),
    )
    return docs.render_catalogue(application)


def test_every_text_shown_is_escaped() -> None:
    pages = hostile_pages()
    assert set(pages) >= {"/docs", "/docs/operations/probe", "/docs/types/Hostile"}
    for path, document in pages.items():
        lowered = document.lower()
        for raw in (b"<script", b"<b>", b"<i>", b"<iframe", b"<img", b'<a href="x"'):
            assert raw not in lowered, (path, raw)
    shown = text_of(pages["/docs/types/Hostile"])
    assert '<script>alert("doc")</script> & <b>bold</b>' in shown
    assert (
        b"&lt;script&gt;alert(&quot;doc&quot;)&lt;/script&gt; &amp;"
        in (pages["/docs/types/Hostile"])
    )
    assert "Echo <script>alert('op')</script> back." in text_of(
        pages["/docs/operations/probe"]
    )
    assert "<title>Documentation · Test &lt;App&gt; SOAP API</title>" in (
        pages["/docs"].decode()
    )


# -- serving ------------------------------------------------------------------------


def call(
    app: Callable[..., Any], path: str, method: str = "GET", **environ: str
) -> tuple[str, dict[str, str], bytes]:
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        captured.update(status=status, headers=dict(headers))

    env: dict[str, Any] = {"PATH_INFO": path, "REQUEST_METHOD": method, **environ}
    setup_testing_defaults(env)
    env["wsgi.input"] = io.BytesIO()
    body = b"".join(app(env, start_response))
    return captured["status"], captured["headers"], body


@pytest.fixture(scope="module")
def docs_wsgi() -> docs.DocsApp:
    return docs.docs_app(APPLICATION, title="CORE")


def test_docs_app_serves_pages_with_the_callers_address(
    docs_wsgi: docs.DocsApp,
) -> None:
    status, headers, body = call(
        docs_wsgi, "/docs/operations/getAccount", HTTP_HOST="core.example.com:8443"
    )
    assert status == "200 OK"
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert int(headers["Content-Length"]) == len(body)
    assert "script-src" not in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert b"http://core.example.com:8443/soap?wsdl" in body
    assert docs.ADDRESS_PLACEHOLDER.encode() not in body


def test_docs_app_prefers_the_routers_address_and_escapes_it(
    docs_wsgi: docs.DocsApp,
) -> None:
    hostile = 'https://core.example.com/soap"><script>x</script>'
    _, _, body = call(docs_wsgi, "/docs", **{"core.address": hostile})
    assert b"<script>x" not in body
    assert b"https://core.example.com/soap&quot;&gt;&lt;script&gt;" in body


def test_docs_app_ignores_a_hostile_host_header(docs_wsgi: docs.DocsApp) -> None:
    _, _, body = call(docs_wsgi, "/docs", HTTP_HOST='evil"><x')
    assert b"evil" not in body


def test_docs_app_answers_head_redirects_refuses_and_misses(
    docs_wsgi: docs.DocsApp,
) -> None:
    status, headers, body = call(docs_wsgi, "/docs", "HEAD")
    assert status == "200 OK" and body == b"" and int(headers["Content-Length"]) > 0
    status, headers, _ = call(docs_wsgi, "/docs/", SCRIPT_NAME="/core")
    assert status.startswith("301") and headers["Location"] == "/core/docs"
    status, headers, _ = call(docs_wsgi, "/docs", "POST")
    assert status.startswith("405") and headers["Allow"] == "GET, HEAD"
    status, _, body = call(docs_wsgi, "/docs/operations/<script>")
    assert status.startswith("404") and b"<script>" not in body


# -- against a running service ------------------------------------------------------


def post(server: Server, operation: str, envelope: str) -> requests.Response:
    return requests.post(
        f"{server.url}/soap",
        data=envelope.encode("utf-8"),
        headers={
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{operation}"',
        },
        auth=("admin", ADMIN_PASSWORD),
        timeout=30,
    )


@pytest.mark.parametrize("name", OPERATIONS)
def test_sample_request_is_accepted_by_the_service(server: Server, name: str) -> None:
    envelope = docs.request_envelope(CATALOGUE.operations[name], CATALOGUE.tns)
    answer = post(server, name, envelope)
    code = fault_code(answer.content)
    assert code is None or code in BUSINESS_FAULTS, answer.text[:1000]
    assert answer.status_code == (200 if code is None else 500)


@pytest.mark.parametrize("name", OPERATIONS)
def test_zeep_snippet_runs_against_the_service(
    server: Server,
    name: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CORE_USER", "admin")
    monkeypatch.setenv("CORE_PASSWORD", ADMIN_PASSWORD)
    snippet = docs.zeep_snippet(CATALOGUE.operations[name], f"{server.url}/soap")
    exec(compile(snippet, f"<zeep snippet of {name}>", "exec"), {})
    printed = capsys.readouterr().out
    if printed.startswith("fault "):
        code = printed.split()[1].split(":")[-1]
        assert code in BUSINESS_FAULTS, printed


def php_binary() -> str:
    found = shutil.which("php")
    if not found:
        pytest.skip("php is not installed")
    return found


def write_snippets(folder: Path, address: str) -> dict[str, Path]:
    written = {}
    for name, operation in CATALOGUE.operations.items():
        path = folder / f"{name}.php"
        path.write_text(docs.php_snippet(operation, address), encoding="utf-8")
        written[name] = path
    return written


def test_php_snippets_are_valid_php(tmp_path: Path) -> None:
    php = php_binary()
    for name, path in write_snippets(tmp_path, docs.ADDRESS_PLACEHOLDER).items():
        done = subprocess.run([php, "-l", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, (name, done.stdout, done.stderr)


def test_php_snippets_run_against_the_service(server: Server, tmp_path: Path) -> None:
    php = php_binary()
    if not (ROOT / "clients" / "php" / "autoload.php").exists():
        pytest.skip("the PHP client (clients/php/autoload.php) is not there yet")
    env = {**os.environ, "CORE_USER": "admin", "CORE_PASSWORD": ADMIN_PASSWORD}
    for name, path in write_snippets(tmp_path, f"{server.url}/soap").items():
        done = subprocess.run(
            [php, str(path)], capture_output=True, text=True, cwd=ROOT, env=env
        )
        assert done.returncode == 0, (name, done.stdout[-2000:], done.stderr[-2000:])
        if done.stdout.startswith("fault "):
            code = done.stdout.split()[1].rstrip(":")
            assert code in BUSINESS_FAULTS, (name, done.stdout)


@pytest.mark.skipif(
    not hasattr(service.app, "docs_app"),
    reason="service/app.py does not route /docs to service.docs yet",
)
def test_core_serve_answers_docs(server: Server) -> None:
    answer = requests.get(f"{server.url}/docs", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert f"{server.url}/soap?wsdl" in answer.text
    for name in OPERATIONS:
        page = requests.get(f"{server.url}/docs/operations/{name}", timeout=10)
        assert page.status_code == 200, name
    assert requests.get(f"{server.url}/docs/nothing", timeout=10).status_code == 404


def test_rendering_is_fast_enough_for_every_worker_start() -> None:
    started = time.perf_counter()
    docs.render_catalogue(APPLICATION)
    assert time.perf_counter() - started < 5
