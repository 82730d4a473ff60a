"""Client load through nginx: threads that create accounts and tickets, retrying.

Each thread signs in as ``admin`` with HTTP Basic and, until it is told to
stop, has done its share or its time is up, creates an account, then another,
then a ticket on the last one, and so on. Every create carries a request id
of its own; a failed attempt (a ``Server.*`` fault, an HTTP error page, a cut
connection) is retried with the same id, as CORE's clients are told to do,
a bounded number of times. What each call got is kept, so that a test can
compare it with what the database holds: every acknowledged number must be
stored, and no request id may have created two entities.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3
import zeep
from zeep.exceptions import Fault, TransportError, XMLSyntaxError
from zeep.transports import Transport

#: Seconds a client waits for one answer: longer than nginx's 35 s.
CALL_TIMEOUT = 40
#: Attempts and seconds one call may take, retries included, before giving up.
MAX_ATTEMPTS = 40
CALL_DEADLINE = 30.0


def client(wsdl: str, password: str) -> zeep.Client:
    """A zeep client for ``admin`` through nginx's self-signed https.

    The environment's CA bundle is ignored (``trust_env``), or requests would
    prefer it to ``verify=False``.
    """
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    session = requests.Session()
    session.auth = ("admin", password)
    session.verify = False
    session.trust_env = False
    transport = Transport(session=session, timeout=10, operation_timeout=CALL_TIMEOUT)
    return zeep.Client(wsdl, transport=transport)


#: What a call may fail with; anything else is a bug of the test and ends it.
FAILURES = (Fault, TransportError, XMLSyntaxError, requests.RequestException)


def failure_kind(error: Exception) -> str | None:
    """Name a failed attempt, or return ``None`` when retrying cannot help.

    A ``Client.*`` fault is the caller's mistake: the same request would fail
    again. Everything else may have been a node or the database going away.
    """
    if isinstance(error, Fault):
        code = str(error.code or "").rpartition(":")[2]
        return None if code.startswith("Client") else f"fault {code}"
    if isinstance(error, TransportError):
        return f"http {error.status_code} (not SOAP)"
    if isinstance(error, requests.Timeout):
        return "timeout"
    if isinstance(error, requests.ConnectionError):
        return "connection error"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        # nginx had passed on the answer's headers when its node died.
        return "answer cut short"
    if isinstance(error, XMLSyntaxError):
        return "not XML"
    return None


def innermost(error: BaseException) -> str:
    """The innermost cause of an error: what happened on the wire."""
    while error.__cause__ or error.__context__:
        error = error.__cause__ or error.__context__
    return f"{type(error).__name__}: {error}"[:200]


@dataclass
class Failure:
    """One failed attempt: its HTTP request id, what kind of failure, the error."""

    attempt: str
    kind: str
    error: str


@dataclass
class Call:
    """One create as the client sees it: its request id and what came back.

    Each attempt also sends an ``X-Request-Id`` header of its own, the request
    id and the attempt's number, which nginx's and the nodes' logs record.
    """

    kind: str
    request_id: str
    marker: str
    number: str | None = None
    attempts: int = 0
    failures: list[Failure] = field(default_factory=list)
    refused: str | None = None

    def attempt_id(self) -> str:
        """The ``X-Request-Id`` of the current attempt."""
        return f"{self.request_id}.{self.attempts}"


@dataclass
class Stored:
    """What the database holds for a load: entities by marker, request records."""

    numbers: dict[str, list[str]]
    requests: dict[str, list[str]]


@dataclass
class Tally:
    """What a load counted, after comparing its calls with the database."""

    sent: int
    attempts: int
    acknowledged: int
    unacknowledged: int
    refused: int
    lost: int
    duplicated: int
    failures: Counter[str]

    def report(self, title: str) -> str:
        """One line for the test's output."""
        failures = ", ".join(f"{k}: {v}" for k, v in sorted(self.failures.items()))
        return (
            f"[{title}] requests sent {self.sent}, attempts {self.attempts},"
            f" acknowledged {self.acknowledged}, unacknowledged {self.unacknowledged},"
            f" refused {self.refused}, lost {self.lost},"
            f" duplicated {self.duplicated}; failed attempts: {failures or 'none'}"
        )

    def transport_failures(self) -> int:
        """Failed attempts that were not a SOAP fault: pages, cut connections."""
        return sum(
            n for kind, n in self.failures.items() if not kind.startswith("fault")
        )


class Load:
    """Client threads creating accounts and tickets through nginx.

    :param label: starts every marker and request id, to find them afterwards.
    :param per_thread: the most calls one thread makes.
    :param duration: seconds after which threads start no new call.
    """

    def __init__(
        self,
        wsdl: str,
        password: str,
        label: str,
        *,
        threads: int = 4,
        per_thread: int = 400,
        duration: float = 90.0,
    ) -> None:
        self.wsdl = wsdl
        self.password = password
        self.label = label
        self.per_thread = per_thread
        self.duration = duration
        self.calls: list[Call] = []
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._guarded, args=(n,), daemon=True)
            for n in range(threads)
        ]
        self._started = 0.0

    # -- running ----------------------------------------------------------------------

    def start(self) -> Load:
        """Start the threads; they stop by themselves when done."""
        self._started = time.monotonic()
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """Let every thread finish its current call, retries included, and end."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=CALL_DEADLINE + CALL_TIMEOUT)
        assert not any(t.is_alive() for t in self._threads), "a load thread hangs"
        assert not self.errors, f"a load thread failed: {self.errors[0]!r}"

    def acknowledged(self) -> int:
        """How many calls have been answered with a number so far."""
        with self._lock:
            return sum(1 for call in self.calls if call.number is not None)

    def wait_for(self, acknowledged: int, timeout: float = 60.0) -> None:
        """Wait until ``acknowledged`` calls have been answered in all."""
        deadline = time.monotonic() + timeout
        while self.acknowledged() < acknowledged:
            assert not self.errors, f"a load thread failed: {self.errors[0]!r}"
            assert time.monotonic() < deadline, (
                f"only {self.acknowledged()} of {acknowledged} calls answered"
                f" in {timeout} s"
            )
            time.sleep(0.05)

    def _guarded(self, index: int) -> None:
        try:
            self._run(index)
        except BaseException as error:  # noqa: BLE001 - stop() raises it in the test
            self.errors.append(error)

    def _run(self, index: int) -> None:
        soap = self._client()
        account: str | None = None
        for n in range(self.per_thread):
            if self._stop.is_set() or self._elapsed() > self.duration:
                return
            call = self._new_call("ticket" if account and n % 3 == 2 else "account")
            self._perform(soap, call, self._operation(soap, call, account))
            if call.kind == "account" and call.number:
                account = call.number

    def _client(self) -> zeep.Client:
        """The thread's client; fetching the WSDL is retried like a call."""
        for _ in range(MAX_ATTEMPTS):
            try:
                return client(self.wsdl, self.password)
            except (requests.RequestException, TransportError):
                time.sleep(0.5)
        return client(self.wsdl, self.password)

    def _elapsed(self) -> float:
        return time.monotonic() - self._started

    def _new_call(self, kind: str) -> Call:
        request_id = f"{self.label}-{uuid.uuid4().hex[:16]}"
        call = Call(kind, request_id, f"{self.label} {request_id}")
        with self._lock:
            self.calls.append(call)
        return call

    def _operation(
        self, soap: zeep.Client, call: Call, account: str | None
    ) -> Callable[[], Any]:
        if call.kind == "account":
            data = {"name": call.marker, "slaTier": "premium"}
            return lambda: soap.service.createAccount(data, call.request_id)
        ticket = {
            "accountNumber": account,
            "subject": call.marker,
            "description": "opened under load",
        }
        return lambda: soap.service.openTicket(ticket, call.request_id)

    def _perform(
        self, soap: zeep.Client, call: Call, operation: Callable[[], Any]
    ) -> None:
        """Make one call, retrying it with the same request id until it is answered."""
        deadline = time.monotonic() + CALL_DEADLINE
        while call.attempts < MAX_ATTEMPTS and time.monotonic() < deadline:
            call.attempts += 1
            soap.transport.session.headers["X-Request-Id"] = call.attempt_id()
            try:
                answer = operation()
            except FAILURES as error:
                kind = failure_kind(error)
                if kind is None:
                    call.refused = f"{type(error).__name__}: {error}"
                    return
                failure = Failure(call.attempt_id(), kind, innermost(error))
                call.failures.append(failure)
                time.sleep(min(1.0, 0.1 * call.attempts))
                continue
            with self._lock:
                call.number = str(answer.number)
            return

    # -- counting ---------------------------------------------------------------------

    def tally(self, stored: Stored) -> Tally:
        """Compare the calls with what the database holds for this load."""
        acknowledged = [call for call in self.calls if call.number is not None]
        lost = [call for call in acknowledged if not _kept(call, stored)]
        duplicated = [
            call
            for call in self.calls
            if len(stored.numbers.get(call.marker, [])) > 1
            or len(stored.requests.get(call.request_id, [])) > 1
        ]
        return Tally(
            sent=len(self.calls),
            attempts=sum(call.attempts for call in self.calls),
            acknowledged=len(acknowledged),
            unacknowledged=sum(
                1 for c in self.calls if c.number is None and c.refused is None
            ),
            refused=sum(1 for call in self.calls if call.refused is not None),
            lost=len(lost),
            duplicated=len(duplicated),
            failures=Counter(f.kind for call in self.calls for f in call.failures),
        )

    def failures(self) -> list[Failure]:
        """Every failed attempt of every call."""
        return [failure for call in self.calls for failure in call.failures]

    def refusals(self) -> Iterable[str]:
        """What the calls that were refused outright got."""
        return [call.refused for call in self.calls if call.refused is not None]


def _kept(call: Call, stored: Stored) -> bool:
    """The acknowledged entity is stored, once, with the number the client got."""
    return stored.numbers.get(call.marker) == [call.number] and stored.requests.get(
        call.request_id
    ) == [call.number]
