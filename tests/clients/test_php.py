"""The PHP client, run with PHPUnit against real CORE servers.

The PHPUnit suite in ``clients/php/tests`` calls every operation through the
client, on SQLite and on PostgreSQL. A second test drives one scenario with
PHP's plain ``SoapClient`` and checks that zeep reads the same data. Where PHP,
PHPUnit or ext-soap is missing, the tests are skipped, unless
``CORE_REQUIRE_PHP=1`` makes them fail.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import zeep
from zeep.exceptions import Fault
from zeep.helpers import serialize_object

from tests.service.conftest import ADMIN_PASSWORD, DEMO_PASSWORD, ROOT, Server

from .conftest import BrokenServer

PHP_CLIENT = ROOT / "clients" / "php"
SCENARIO = PHP_CLIENT / "tests" / "scenario" / "run_raw_scenario.php"
#: Fields of the contract that hold an xs:dateTime.
TIME_FIELDS = frozenset(
    {"createdAt", "updatedAt", "responseDueAt", "respondedAt", "solvedAt", "at"}
)
#: The lines of PHPUnit's output that sum a run up.
SUMMARY = re.compile(
    r"^(Tests: .*|OK.*|FAILURES!|ERRORS!|WARNINGS!|No tests executed!|Time: .*)$",
    re.MULTILINE,
)
MIN_TESTS = 80
PACKAGES = "apt-get install php-cli php-soap phpunit"


def php_missing() -> str | None:
    """Say what of PHP, PHPUnit and ext-soap is missing, or None."""
    for tool in ("php", "phpunit"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: {PACKAGES})"
    check = subprocess.run(
        ["php", "-r", "exit(extension_loaded('soap') ? 0 : 1);"],
        capture_output=True,
        check=False,
    )
    if check.returncode != 0:
        return f"PHP's soap extension is not installed (Debian: {PACKAGES})"
    return None


@pytest.fixture(scope="session")
def php() -> None:
    """Skip the module's tests without PHP, or fail when PHP is required."""
    reason = php_missing()
    if reason is None:
        return
    if os.environ.get("CORE_REQUIRE_PHP") == "1":
        pytest.fail(f"CORE_REQUIRE_PHP=1 but {reason}")
    pytest.skip(reason)


def test_phpunit_suite(
    php: None, server: Server, broken_server: BrokenServer, tmp_path: Path
) -> None:
    """The PHPUnit suite passes against this backend's server, skipping nothing."""
    env = {
        **os.environ,
        "CORE_WSDL": server.wsdl,
        "CORE_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "CORE_DEMO_PASSWORD": DEMO_PASSWORD,
        "CORE_BROKEN_WSDL": broken_server.server.wsdl,
        "CORE_BROKEN_ACCOUNT": broken_server.corrupt_account,
    }
    junit = tmp_path / "phpunit-junit.xml"
    command = ["phpunit", "--configuration", "phpunit.xml", "--log-junit", str(junit)]
    result = subprocess.run(
        command,
        cwd=PHP_CLIENT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    output = result.stdout + result.stderr
    summary = "\n".join(SUMMARY.findall(output)) or output[-3000:]
    assert result.returncode == 0, f"PHPUnit failed:\n{summary}\n\n{defects(output)}"
    totals = junit_totals(junit)
    assert totals["skipped"] == 0, f"PHPUnit skipped tests:\n{summary}"
    assert totals["tests"] >= MIN_TESTS, f"PHPUnit ran too few tests:\n{summary}"


def defects(output: str, limit: int = 6000) -> str:
    """The part of PHPUnit's output that lists failures and errors, shortened."""
    start = re.search(r"^There (was|were) \d+ ", output, re.MULTILINE)
    text = output[start.start() :] if start else output
    return text if len(text) <= limit else text[:limit] + "\n[...]"


def junit_totals(path: Path) -> dict[str, int]:
    """The test, failure, error and skip counts of a PHPUnit JUnit log."""
    suite = ElementTree.parse(path).getroot().find("testsuite")
    assert suite is not None, f"no test suite in {path}"
    return {
        name: int(suite.get(name, "0"))
        for name in ("tests", "failures", "errors", "skipped")
    }


def test_raw_soapclient_and_zeep_read_the_same(php: None, server: Server) -> None:
    """What plain PHP SoapClient wrote and read, zeep reads the same."""
    result = subprocess.run(
        ["php", str(SCENARIO), server.wsdl, "alice", DEMO_PASSWORD],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    from_php = json.loads(result.stdout)
    zeep_client = server.client("alice", DEMO_PASSWORD)
    service = zeep_client.service

    account = from_php["account"]["number"]
    from_zeep = {
        "account": service.getAccount(account),
        "contacts": service.listContacts(account),
        "servers": [service.getServer(s["number"]) for s in from_php["servers"]],
        "searchedServers": page_items(
            service.searchServers({"accountNumber": account}, 10), "Server"
        ),
        "ticket": service.getTicket(from_php["ticket"]["number"]),
        "tickets": page_items(
            service.searchTickets({"accountNumber": account}, 10), "Ticket"
        ),
    }
    for key, value in from_zeep.items():
        assert canonical(from_php[key]) == canonical(serialize_object(value, dict)), key

    prices = [record["monthlyPrice"] for record in from_php["servers"]]
    assert prices == ["0.10", "19.99", "99999999.99"]
    exact = [Decimal(price) for price in prices]
    assert [record.monthlyPrice for record in from_zeep["servers"]] == exact
    assert from_php["fault"]["faultcode"] == not_found_code(zeep_client)


def page_items(page: Any, element: str) -> list[Any]:
    """The records of a page as zeep returns it."""
    return list(page["items"][element]) if page["items"] else []


def not_found_code(client: zeep.Client) -> str:
    """The fault code zeep gets for an account that does not exist."""
    with pytest.raises(Fault) as info:
        client.service.getAccount("A-999999")
    return str(info.value.code).split(":")[-1]


def canonical(value: Any, field: str = "") -> Any:
    """Put data read by PHP or by zeep in one comparable form.

    Absent, nil and empty values are left out (PHP omits what zeep gives as
    ``None`` or an empty list), times become UTC ISO text and decimals their
    exact text.
    """
    if isinstance(value, dict):
        found = {key: canonical(item, key) for key, item in value.items()}
        return {key: item for key, item in found.items() if item not in (None, [], {})}
    if isinstance(value, list):
        return [canonical(item, field) for item in value]
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, str) and field in TIME_FIELDS:
        return dt.datetime.fromisoformat(value).astimezone(dt.UTC).isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
