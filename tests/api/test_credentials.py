"""The record of verified credentials: fast, password-free, and never stale."""

from __future__ import annotations

import pytest

from api import passwords
from api.core import Core, Session
from api.credentials import CredentialCache
from api.errors import AuthenticationFailed

from .conftest import PASSWORD


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the memory-hard hash computations."""
    calls: list[str] = []
    real = passwords.verify_password

    def verify(password: str, stored: str) -> bool:
        calls.append(stored)
        return real(password, stored)

    monkeypatch.setattr(passwords, "verify_password", verify)
    return calls


def test_second_sign_in_skips_the_hash(core: Core, counted: list[str]) -> None:
    core.authenticate("agent", PASSWORD)
    core.authenticate("agent", PASSWORD)
    core.authenticate("agent", PASSWORD)
    assert len(counted) == 1


def test_the_cache_holds_no_password(core: Core) -> None:
    core.authenticate("agent", PASSWORD)
    cache = core.credentials
    assert len(cache) == 1
    stored = repr(cache._entries).encode() + b"".join(cache._entries)
    assert PASSWORD.encode() not in stored
    assert b"agent" not in b"".join(cache._entries)
    other = CredentialCache()
    assert other.key("agent", PASSWORD) != cache.key("agent", PASSWORD)


def test_a_wrong_password_is_never_cached(core: Core, counted: list[str]) -> None:
    core.authenticate("agent", PASSWORD)
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            core.authenticate("agent", "not the password")
    assert len(counted) == 3


def test_password_change_invalidates(core: Core, admin: Session) -> None:
    core.authenticate("agent", PASSWORD)
    current = admin.users.get("agent")
    admin.users.update("agent", {"password": "a new password!"}, current.version)
    with pytest.raises(AuthenticationFailed):
        core.authenticate("agent", PASSWORD)
    assert core.authenticate("agent", "a new password!").user.username == "agent"


def test_role_change_and_deactivation_take_effect_at_once(
    core: Core, admin: Session
) -> None:
    assert core.authenticate("agent", PASSWORD).user.role == "agent"
    changed = admin.users.update("agent", {"role": "readonly"}, 1)
    assert core.authenticate("agent", PASSWORD).user.role == "readonly"
    admin.users.update("agent", {"active": False}, changed.version)
    with pytest.raises(AuthenticationFailed):
        core.authenticate("agent", PASSWORD)


def test_entries_expire() -> None:
    ticks = Ticks()
    cache = CredentialCache(ttl=60, clock=ticks)
    cache.remember("u", "p", "hash-1")
    assert cache.verified("u", "p", "hash-1")
    assert not cache.verified("u", "p", "hash-2")
    cache.remember("u", "p", "hash-1")
    ticks.now += 61
    assert not cache.verified("u", "p", "hash-1")
    assert len(cache) == 0


def test_capacity_is_bounded() -> None:
    cache = CredentialCache(capacity=3)
    for index in range(10):
        cache.remember(f"u{index}", "p", "h")
    assert len(cache) == 3
    assert cache.verified("u9", "p", "h") and not cache.verified("u0", "p", "h")
