"""Password hashing with the standard library's memory-hard scrypt.

A stored hash reads ``scrypt$<n>$<r>$<p>$<salt>$<hash>``, so the cost can be
raised later without breaking the hashes already stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from api.errors import Invalid

#: scrypt cost: 2**14 rounds with r=8 uses 16 MiB and some tens of milliseconds.
COST_N = 2**14
COST_R = 8
COST_P = 1
MIN_LENGTH = 10
MAX_LENGTH = 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024
    )


def check_strength(password: object) -> str:
    """Return ``password`` if it is acceptable, else raise ``Invalid``."""
    if not isinstance(password, str) or not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise Invalid(
            f"a password needs {MIN_LENGTH} to {MAX_LENGTH} characters",
            field="password",
            rule="password_length",
        )
    return password


def hash_password(password: str) -> str:
    """Return a salted scrypt hash of ``password``."""
    salt = secrets.token_bytes(16)
    digest = _derive(password, salt, COST_N, COST_R, COST_P)
    return f"scrypt${COST_N}${COST_R}${COST_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Tell whether ``password`` matches ``stored``, in constant time."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return scheme == "scrypt" and hmac.compare_digest(actual, expected)


#: Verified against when a user name is unknown, so both cases cost the same.
DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
