"""A short-lived record of credentials already verified, so a caller who signs in
on every request does not pay a memory-hard hash each time.

The record never holds a password: it is keyed by an HMAC of the user name and
password under a random key that lives only in this process. An entry names
the password hash it was verified against; a changed password (a new hash) or
a deactivated user makes it useless at once, and every entry expires after a
few seconds in any case. The role is never cached: each request reads the user
row afresh.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class _Entry:
    password_hash: str
    expires: float


class CredentialCache:
    """Remembers, for ``ttl`` seconds, which credentials matched which hash.

    :param ttl: seconds an entry is trusted.
    :param capacity: the most entries kept; the oldest go first.
    """

    def __init__(
        self,
        ttl: float = 60.0,
        capacity: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.capacity = capacity
        self.clock = clock
        self._key = secrets.token_bytes(32)
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def key(self, username: str, password: str) -> bytes:
        """The entry's key: an HMAC that cannot be turned back into a password."""
        message = username.encode("utf-8") + b"\0" + password.encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def verified(self, username: str, password: str, password_hash: str) -> bool:
        """Whether these credentials matched ``password_hash`` a moment ago."""
        key = self.key(username, password)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return False
            if entry.expires < self.clock() or entry.password_hash != password_hash:
                del self._entries[key]
                return False
        return hmac.compare_digest(entry.password_hash, password_hash)

    def remember(self, username: str, password: str, password_hash: str) -> None:
        """Record that these credentials match ``password_hash``."""
        key = self.key(username, password)
        with self._lock:
            self._entries[key] = _Entry(password_hash, self.clock() + self.ttl)
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
