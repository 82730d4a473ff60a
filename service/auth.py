"""Authentication of SOAP requests: HTTP Basic or a WS-Security UsernameToken.

PHP's ``SoapClient`` sends HTTP Basic when given ``login`` and ``password``;
zeep's ``UsernameToken`` sends a WS-Security header with a plain-text password.
Both are checked against CORE's users. A missing or wrong credential gets HTTP
401 with an authentication fault. Repeated failures for one user name are
slowed down, then refused for a while: the lock always expires, so nobody can
lock a user out for good.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from api.core import Core, Session
from api.db import Error
from api.errors import AuthenticationFailed
from service.faults import AuthenticationFault, to_fault

logger = logging.getLogger(__name__)

WSSE = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
)
_NS = {"wsse": WSSE}
#: Operations anybody may call without credentials.
PUBLIC_OPERATIONS = frozenset({"ping"})


@dataclass
class Credentials:
    """A user name and password, and how they were sent."""

    username: str
    password: str
    method: str


def from_basic(environ: dict[str, Any]) -> Credentials | None:
    """Read HTTP Basic credentials from a WSGI environ."""
    header = environ.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, separator, password = decoded.partition(":")
    return Credentials(username, password, "basic") if separator else None


def from_wsse(headers: list[Any] | None) -> Credentials | None:
    """Read a UsernameToken from the SOAP header elements."""
    for header in headers or ():
        if header.tag != f"{{{WSSE}}}Security":
            continue
        token = "wsse:UsernameToken/wsse:"
        username = header.findtext(token + "Username", namespaces=_NS)
        password = header.findtext(token + "Password", namespaces=_NS)
        if username is not None and password is not None:
            return Credentials(username.strip(), password, "wsse")
    return None


@dataclass
class _Record:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0


class Throttle:
    """Slows down, then briefly refuses, repeated failed sign-ins per user name.

    :param free: failures answered without delay.
    :param lock_after: failures within ``window`` seconds that lock the name.
    :param lock_for: seconds a lock lasts; it always ends.
    :param max_delay: the longest delay added to a failed attempt.
    """

    def __init__(
        self,
        *,
        free: int = 3,
        lock_after: int = 10,
        window: float = 900.0,
        lock_for: float = 300.0,
        max_delay: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        capacity: int = 10_000,
    ) -> None:
        self.free = free
        self.lock_after = lock_after
        self.window = window
        self.lock_for = lock_for
        self.max_delay = max_delay
        self.clock = clock
        self.capacity = capacity
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def locked_for(self, username: str) -> float:
        """Seconds until the user name may try again; 0 when it may now."""
        with self._lock:
            record = self._records.get(username.lower())
            return max(0.0, record.locked_until - self.clock()) if record else 0.0

    def failed(self, username: str) -> float:
        """Count a failure; return how long to delay the answer."""
        now = self.clock()
        with self._lock:
            record = self._record(username.lower())
            record.failures = [t for t in record.failures if now - t < self.window]
            record.failures.append(now)
            count = len(record.failures)
            if count >= self.lock_after:
                record.locked_until = now + self.lock_for
                record.failures.clear()
        if count <= self.free:
            return 0.0
        return min(self.max_delay, 0.25 * 2 ** (count - self.free - 1))

    def succeeded(self, username: str) -> None:
        """Forget the failures of a user name that signed in."""
        with self._lock:
            self._records.pop(username.lower(), None)

    def _record(self, key: str) -> _Record:
        if key not in self._records and len(self._records) >= self.capacity:
            self._records.pop(next(iter(self._records)))
        return self._records.setdefault(key, _Record())


@dataclass
class RequestState:
    """What one request carries through Spyne: the clock and the acting session."""

    clock: Callable[[], Any]
    session: Session | None = None


class Authenticator:
    """Spyne ``method_call`` listener that authenticates each request.

    :param core: the opened CORE whose users sign in.
    :param throttle: the failure throttle shared by the worker's requests.
    :param sleep: how to wait out a delay; tests pass their own.
    """

    def __init__(
        self,
        core: Core,
        throttle: Throttle,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.core = core
        self.throttle = throttle
        self.sleep = sleep

    def __call__(self, ctx: Any) -> None:
        ctx.udc = RequestState(self.core.clock)
        environ = ctx.transport.req_env
        environ["core.operation"] = ctx.descriptor.name
        if ctx.descriptor.name in PUBLIC_OPERATIONS:
            return
        credentials = from_basic(environ) or from_wsse(ctx.in_header_doc)
        if credentials is None:
            self.refuse(ctx, "credentials are required: HTTP Basic or a UsernameToken")
        ctx.udc.session = self.sign_in(ctx, credentials)
        environ["core.user"] = credentials.username

    def sign_in(self, ctx: Any, credentials: Credentials) -> Session:
        """Return the session for valid credentials, or refuse the request."""
        wait = self.throttle.locked_for(credentials.username)
        if wait:
            logger.warning(
                "sign-in refused for locked user name %r", credentials.username
            )
            self.refuse(
                ctx, f"too many failed sign-ins; try again in {int(wait) + 1} seconds"
            )
        try:
            session = self.core.authenticate(credentials.username, credentials.password)
        except AuthenticationFailed as error:
            logger.info(
                "failed sign-in for %r by %s", credentials.username, credentials.method
            )
            self.sleep(self.throttle.failed(credentials.username))
            self.refuse(ctx, str(error))
        except Error as error:
            # The database failing is not the caller's fault: Server.Unavailable.
            raise to_fault(error) from error
        self.throttle.succeeded(credentials.username)
        return session

    def refuse(self, ctx: Any, message: str) -> None:
        """Answer HTTP 401 with an authentication fault."""
        ctx.transport.resp_code = "401 Unauthorized"
        ctx.transport.resp_headers["WWW-Authenticate"] = 'Basic realm="CORE"'
        raise AuthenticationFault(message, code="authentication")
