"""Credentials parsing and the failed sign-in throttle."""

from __future__ import annotations

import base64

from lxml import etree

from service.auth import WSSE, Throttle, from_basic, from_wsse


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def basic(text: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(text.encode()).decode()}


def test_basic_credentials() -> None:
    found = from_basic(basic("alice:pa:ss word"))
    assert found is not None
    assert (found.username, found.password, found.method) == (
        "alice",
        "pa:ss word",
        "basic",
    )
    assert from_basic({}) is None
    assert from_basic({"HTTP_AUTHORIZATION": "Bearer abc"}) is None
    assert from_basic({"HTTP_AUTHORIZATION": "Basic !!!"}) is None
    assert from_basic(basic("no-colon")) is None


def test_wsse_credentials() -> None:
    header = etree.fromstring(
        f'<wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken>'
        "<wsse:Username> rita </wsse:Username><wsse:Password>secret</wsse:Password>"
        "</wsse:UsernameToken></wsse:Security>"
    )
    found = from_wsse([header])
    assert found is not None and (found.username, found.password) == ("rita", "secret")
    assert from_wsse(None) is None
    assert from_wsse([etree.fromstring("<other/>")]) is None


def test_first_failures_are_free_then_slowed() -> None:
    throttle = Throttle(clock=FakeClock())
    delays = [throttle.failed("Alice") for _ in range(7)]
    assert delays == [0.0, 0.0, 0.0, 0.25, 0.5, 1.0, 2.0]
    assert throttle.locked_for("alice") == 0.0


def test_many_failures_lock_the_name_for_a_while_only() -> None:
    clock = FakeClock()
    throttle = Throttle(clock=clock, lock_after=10, lock_for=300)
    for _ in range(10):
        throttle.failed("alice")
    assert throttle.locked_for("ALICE") == 300
    assert throttle.locked_for("bob") == 0.0
    clock.now += 299
    assert throttle.locked_for("alice") == 1
    clock.now += 2
    assert throttle.locked_for("alice") == 0.0
    assert throttle.failed("alice") == 0.0


def test_old_failures_fall_out_of_the_window() -> None:
    clock = FakeClock()
    throttle = Throttle(clock=clock, window=60)
    for _ in range(9):
        throttle.failed("alice")
    clock.now += 61
    throttle.failed("alice")
    assert throttle.locked_for("alice") == 0.0


def test_success_forgets_failures() -> None:
    throttle = Throttle(clock=FakeClock())
    for _ in range(5):
        throttle.failed("alice")
    throttle.succeeded("alice")
    assert throttle.failed("alice") == 0.0


def test_memory_is_bounded() -> None:
    throttle = Throttle(clock=FakeClock(), capacity=100)
    for index in range(1000):
        throttle.failed(f"user{index}")
    assert len(throttle._records) == 100
