"""The PHP reference: ext/soap's ``SoapServer`` over CORE's WSDL and tables.

``bench/php/server.php`` serves ``getAccount``, ``getTicket`` and
``searchTickets`` from ``wsdl/core.wsdl`` with PDO; ``bench/php/inprocess.php``
runs ``SoapServer->handle()`` on the same request bodies CORE gets, N times,
and prints the timings. Debian's ``php-cli``, ``php-soap``, ``php-sqlite3`` and
``php-pgsql`` are installed with apt-get when missing and installable;
otherwise the reference is skipped with a note saying why.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from lxml import etree

from bench.dataset import AGENT, PASSWORD

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "php" / "inprocess.php"
WSDL = ROOT / "wsdl" / "core.wsdl"
PACKAGES = ["php-cli", "php-soap", "php-sqlite3", "php-pgsql"]
MODULES = {"sqlite": ["soap", "pdo_sqlite"], "postgresql": ["soap", "pdo_pgsql"]}


def php_modules() -> set[str] | None:
    """The PHP modules loaded by ``php``, or ``None`` without a ``php``."""
    if shutil.which("php") is None:
        return None
    found = subprocess.run(
        ["php", "-m"], capture_output=True, text=True, check=False, timeout=60
    )
    return {line.strip().lower() for line in found.stdout.splitlines()}


def ensure_php(backends: list[str], install: bool) -> str | None:
    """Make PHP ready for ``backends``; return why it cannot be, or ``None``."""
    needed = {module for backend in backends for module in MODULES[backend]}
    missing = needed - (php_modules() or set())
    if not missing:
        return None
    if not install:
        return f"PHP modules missing: {', '.join(sorted(missing))} (--no-install)"
    reason = _apt_install(PACKAGES)
    missing = needed - (php_modules() or set())
    if missing:
        return reason or f"PHP modules still missing: {', '.join(sorted(missing))}"
    return None


def _apt_install(packages: list[str]) -> str | None:
    """Install Debian packages; return why it failed, or ``None``."""
    if shutil.which("apt-get") is None:
        return "no php with ext/soap and PDO, and no apt-get to install them"
    if os.geteuid() != 0:
        return "no php with ext/soap and PDO; installing them needs root"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-qq", *packages]
    for attempt in range(2):
        if attempt:
            subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        done = subprocess.run(command, env=env, capture_output=True, check=False)
        if done.returncode == 0:
            return None
    return "apt-get could not install " + " ".join(packages)


def php_version() -> str | None:
    """The PHP version, or ``None`` without PHP."""
    if shutil.which("php") is None:
        return None
    found = subprocess.run(
        ["php", "-r", "echo PHP_VERSION;"], capture_output=True, text=True, check=False
    )
    return found.stdout.strip() or None


def run_reference(
    database: dict[str, str],
    operations: list[tuple[str, list[bytes]]],
    *,
    calls: int,
    max_seconds: float,
) -> dict[str, Any]:
    """Time the PHP reference in-process; return its figures per operation."""
    job = {
        "wsdl": str(WSDL),
        "db": {"driver": "sqlite", **database} if "path" in database else database,
        "username": AGENT,
        "password": PASSWORD,
        "calls": calls,
        "max_seconds": max_seconds,
        "operations": [
            {"name": name, "bodies": [body.decode("utf-8") for body in bodies]}
            for name, bodies in operations
        ],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(job, handle)
    try:
        done = subprocess.run(
            ["php", "-d", "memory_limit=1G", str(SCRIPT), handle.name],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        os.unlink(handle.name)
    if done.returncode != 0:
        raise RuntimeError(f"the PHP reference failed: {done.stderr[-2000:]}")
    return dict(json.loads(done.stdout))


def same_content(core: bytes, php: bytes) -> str | None:
    """Compare two answers element by element; return the first difference or None.

    Namespace prefixes and the spelling of timestamps may differ; the names,
    order and values of the elements in the SOAP body may not.
    """
    left, right = _content(core), _content(php)
    for index, (mine, theirs) in enumerate(zip(left, right, strict=False)):
        if mine != theirs:
            return f"element {index}: CORE {mine!r}, PHP {theirs!r}"
    if len(left) != len(right):
        return f"CORE has {len(left)} elements, PHP {len(right)}"
    return None


def _content(document: bytes) -> list[tuple[str, str]]:
    root = etree.fromstring(document)
    body = next(iter(root.iter("{http://schemas.xmlsoap.org/soap/envelope/}Body")))
    found = []
    for element in body.iter():
        if isinstance(element.tag, str):
            name = etree.QName(element).localname
            found.append((name, _canonical((element.text or "").strip())))
    return found


def _canonical(text: str) -> str:
    """Read a timestamp as a point in time, so spellings of it compare equal."""
    if len(text) >= 19 and text[4:5] == "-" and text[10:11] == "T":
        try:
            return dt.datetime.fromisoformat(text).isoformat()
        except ValueError:
            return text
    return text
