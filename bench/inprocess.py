"""Calling CORE's WSGI application in-process, as gunicorn's worker would.

Each call gets a prepared environ with a real SOAP envelope and HTTP Basic
credentials; the time is that of the application alone, from the environ to
the last byte of the answer. The first call of an operation is reported apart:
it signs in afresh (the credential cache is emptied before it), while the
later calls find the credentials verified a moment ago.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from api.core import Core
from api.credentials import CredentialCache
from bench.operations import Operation, basic_auth
from bench.stats import summary

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def environ(body: bytes, action: str, authorization: str | None) -> dict[str, Any]:
    """Return the WSGI environ of one SOAP POST to ``/soap``."""
    env: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/soap",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_SOAPACTION": f'"{action}"',
        "CONTENT_TYPE": "text/xml; charset=utf-8",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if authorization:
        env["HTTP_AUTHORIZATION"] = authorization
    return env


def call(app: App, env: dict[str, Any]) -> tuple[str, bytes]:
    """Run one request through ``app``; return the status line and the body."""
    seen: list[str] = []

    def start_response(status: str, headers: Any, *exc: Any) -> Any:
        seen.append(status)
        return None

    result = app(env, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return (seen[0] if seen else "000 none"), body


@dataclass
class Measurement:
    """The in-process figures of one operation."""

    first_ms: float = 0.0
    first_queries: int = 0
    seconds: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    errors: int = 0
    error_sample: str = ""
    response_bytes: int = 0

    def merge(self, later: Measurement) -> Measurement:
        """This measurement and a later round's of the same operation, as one.

        The first call stays this one's; a later round is measured warm
        (``cold=False``), so all of its calls are ordinary ones.
        """
        return Measurement(
            first_ms=self.first_ms,
            first_queries=self.first_queries,
            seconds=self.seconds + later.seconds,
            queries=self.queries + later.queries,
            errors=self.errors + later.errors,
            error_sample=self.error_sample or later.error_sample,
            response_bytes=self.response_bytes,
        )

    def describe(self) -> dict[str, Any]:
        """Plain data for the report: percentiles, queries, errors."""
        return {
            "n": len(self.seconds),
            "first_ms": round(self.first_ms, 4),
            **summary(self.seconds, (10, 50, 95)),
            "median_ms": summary(self.seconds, (50,))["p50_ms"],
            "first_queries": self.first_queries,
            "queries_per_call": _constant(self.queries),
            "queries_min": min(self.queries, default=0),
            "queries_max": max(self.queries, default=0),
            "errors": self.errors,
            "error_sample": self.error_sample,
            "response_bytes": self.response_bytes,
        }


def _constant(values: list[int]) -> int | None:
    """The number every call cost, or ``None`` when it varied."""
    return values[0] if values and len(set(values)) == 1 else None


def measure(
    app: App,
    core: Core,
    operation: Operation,
    bodies: list[bytes],
    *,
    calls: int,
    max_seconds: float,
    cold: bool = True,
) -> Measurement:
    """Call ``operation`` once cold, then up to ``calls`` times within the time.

    :param cold: whether the first call signs in afresh and is reported apart;
        without it, every call is an ordinary one.
    """
    auth = basic_auth()
    result = Measurement()
    if cold:
        core.credentials = CredentialCache()
        elapsed, queries, status, body = _timed(app, core, operation, bodies[0], auth)
        result.first_ms, result.first_queries = elapsed * 1000, queries
        result.response_bytes = len(body)
        _check(result, status, body)

    deadline = time.perf_counter() + max_seconds
    for index in range(calls):
        body_in = bodies[(index + 1) % len(bodies)]
        elapsed, queries, status, body = _timed(app, core, operation, body_in, auth)
        result.seconds.append(elapsed)
        result.queries.append(queries)
        _check(result, status, body)
        if time.perf_counter() > deadline and index >= 4:
            break
    return result


def _timed(
    app: App, core: Core, operation: Operation, body: bytes, auth: str
) -> tuple[float, int, str, bytes]:
    env = environ(body, operation.action, auth)
    before = core.db.statement_count
    started = time.perf_counter()
    status, answer = call(app, env)
    elapsed = time.perf_counter() - started
    return elapsed, core.db.statement_count - before, status, answer


def _check(result: Measurement, status: str, body: bytes) -> None:
    if status.startswith("200") and b"Fault>" not in body:
        return
    result.errors += 1
    if not result.error_sample:
        result.error_sample = f"{status}: {body[:400].decode('utf-8', 'replace')}"
