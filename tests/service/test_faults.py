"""Turning errors into faults, and the health check, without a server."""

from __future__ import annotations

import io
import logging
import wsgiref.util

import pytest
from lxml import etree

from api.core import Core
from api.db import OperationalError, UniqueViolation, ValidationError, connect
from api.errors import NotFound, RuleViolation
from service.app import Router, Settings
from service.faults import to_fault

from .conftest import free_port


def fields(fault: object) -> dict[str, str]:
    return {etree.QName(child).localname: child.text for child in fault.detail}  # type: ignore[attr-defined]


def test_unexpected_error_gets_an_incident_id_that_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="service.faults"):
        fault = to_fault(RuntimeError("secret /work/path and SELECT * FROM x"))
    assert fault.faultcode == "Server.Internal"
    detail = fields(fault)
    assert detail["code"] == "internal" and len(detail["incidentId"]) == 16
    assert "SELECT" not in fault.faultstring and "/work" not in fault.faultstring
    assert detail["incidentId"] in fault.faultstring
    assert detail["incidentId"] in caplog.text and "RuntimeError" in caplog.text


def test_database_outage_is_a_retryable_server_fault() -> None:
    fault = to_fault(OperationalError("server closed the connection unexpectedly"))
    assert fault.faultcode == "Server.Unavailable"
    assert "closed the connection" not in fault.faultstring


def test_constraint_text_never_reaches_the_caller() -> None:
    fault = to_fault(
        UniqueViolation('duplicate key value violates "account_number_key"')
    )
    assert fault.faultcode == "Client.Conflict"
    assert "account_number_key" not in fault.faultstring


def test_validation_fault_names_field_in_camel_case_and_rule() -> None:
    error = ValidationError(
        "bad",
        table="contact",
        column="postal_code",
        value="x" * 500,
        rule="postal_code",
    )
    fault = to_fault(error)
    assert fault.faultcode == "Client.Validation"
    assert (
        fields(fault)["field"] == "postalCode"
        and fields(fault)["rule"] == "postal_code"
    )
    assert "x" * 50 not in fault.faultstring


def test_business_rule_and_not_found() -> None:
    rule = to_fault(RuleViolation("account_not_active", "account A-1 is suspended"))
    assert rule.faultcode == "Client.BusinessRule"
    assert fields(rule) == {
        "code": "rule:account_not_active",
        "message": "account A-1 is suspended",
        "rule": "account_not_active",
    }
    missing = to_fault(NotFound("ticket 'T-1' does not exist", field="ticketNumber"))
    assert missing.faultcode == "Client.NotFound"
    assert fields(missing)["field"] == "ticketNumber"


def test_health_is_503_when_the_database_does_not_answer() -> None:
    db = connect(f"postgresql://postgres@127.0.0.1:{free_port()}/none", timeout=1)
    router = Router(Core(db), Settings(), soap=None, wsdl=b"")
    environ: dict[str, object] = {"PATH_INFO": "/health", "wsgi.input": io.BytesIO()}
    wsgiref.util.setup_testing_defaults(environ)
    seen: list[str] = []
    body = router(environ, lambda status, headers, *exc: seen.append(status))
    assert seen == ["503 Service Unavailable"]
    assert b"unavailable" in b"".join(body)
