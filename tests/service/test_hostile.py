"""Hostile and broken requests over HTTP: always a SOAP fault, never a crash."""

from __future__ import annotations

import socket

import pytest
import requests
from lxml import etree

from .conftest import Server

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def envelope(body: str, header: str = "") -> bytes:
    return (
        f'<soap:Envelope xmlns:soap="{SOAP}" xmlns:c="urn:core:v1">'
        f"<soap:Header>{header}</soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"
    ).encode()


def post(server: Server, data: bytes, **headers: str) -> requests.Response:
    headers.setdefault("Content-Type", "text/xml; charset=utf-8")
    return requests.post(f"{server.url}/soap", data=data, headers=headers, timeout=30)


def faultcode(response: requests.Response) -> str:
    assert response.headers["Content-Type"].startswith("text/xml"), response.text[:200]
    root = etree.fromstring(response.content)
    code = root.find(f"{{{SOAP}}}Body/{{{SOAP}}}Fault/faultcode")
    assert code is not None, response.text[:300]
    assert "Traceback" not in response.text and "/work/" not in response.text
    return str(code.text).split(":")[-1]


def still_healthy(server: Server) -> None:
    assert requests.get(f"{server.url}/health", timeout=10).status_code == 200
    assert post(server, envelope("<c:ping/>")).status_code == 200


DEEP = "<c:ping>" + "<x>" * 150 + "</x>" * 150 + "</c:ping>"
WIDE = "<c:ping>" + "<x/>" * 50_001 + "</c:ping>"
ATTRIBUTES = "<c:ping " + " ".join(f'a{i}="1"' for i in range(501)) + "/>"
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
    + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    + "]><l>&i;</l>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body>&x;</soap:Body></soap:Envelope>'
)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty", b"", "Client"),
        ("not xml", b"hello, world", "Client"),
        ("undecodable", b"<soap:Envelope \xff\xfe\xfa>", "Client"),
        ("doctype", XXE.encode(), "Client"),
        ("billion laughs", LAUGHS.encode(), "Client"),
        ("too deep", envelope(DEEP), "Client"),
        ("too wide", envelope(WIDE), "Client"),
        ("too many attributes", envelope(ATTRIBUTES), "Client"),
        (
            "soap 1.2",
            b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope">'
            b"<e:Body/></e:Envelope>",
            "VersionMismatch",
        ),
        ("unknown operation", envelope("<c:launchRockets/>"), "Client"),
        ("not an envelope", b"<html><body>hi</body></html>", "Client"),
    ],
)
def test_bad_request_gets_a_client_fault(
    server: Server, name: str, data: bytes, expected: str
) -> None:
    response = post(server, data)
    assert response.status_code == 500, name
    assert faultcode(response).split(".")[0] == expected, name
    still_healthy(server)


def test_oversized_body_gets_413_without_being_read(server: Server) -> None:
    response = post(server, b"x" * (2 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert faultcode(response).startswith("Client")
    still_healthy(server)


def test_a_large_content_length_is_refused_before_the_body(server: Server) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    request = (
        f"POST /soap HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/xml\r\n"
        f"Content-Length: {3 * 1024 * 1024}\r\nConnection: close\r\n\r\n<x/>"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        answer = sock.makefile("rb").read()
    assert (
        answer.split(b"\r\n", 1)[0].endswith(b"413 Request Entity Too Large")
        or b" 413 " in answer[:20]
    )
    assert b"Fault" in answer
    still_healthy(server)


def test_self_referencing_href_does_not_crash(server: Server) -> None:
    body = '<c:getAccount id="a" href="#a"><c:accountNumber href="#a"/></c:getAccount>'
    response = post(server, envelope(body), Authorization="Basic YWxpY2U6eA==")
    assert response.status_code in (401, 500)
    assert faultcode(response).startswith("Client")
    still_healthy(server)


def test_wrong_http_method_and_path_get_faults(server: Server) -> None:
    response = requests.get(f"{server.url}/soap", timeout=10)
    assert response.status_code == 405 and faultcode(response) == "Client"
    response = requests.post(f"{server.url}/nowhere", data=b"<x/>", timeout=10)
    assert response.status_code == 404 and faultcode(response) == "Client"


def test_schema_invalid_request_gets_a_client_fault(server: Server) -> None:
    body = "<c:searchAccounts><c:pageSize>many</c:pageSize></c:searchAccounts>"
    response = post(server, envelope(body), Authorization="Basic YWxpY2U6eA==")
    assert faultcode(response).startswith("Client")
