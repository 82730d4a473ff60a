"""Users, roles, passwords and authentication."""

from __future__ import annotations

import pytest

from api import passwords
from api.core import Core, Session
from api.db import ConflictError, ValidationError
from api.errors import (
    AuthenticationFailed,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    RuleViolation,
)
from api.tables import User

from .conftest import PASSWORD, active_account


def make(admin: Session, username: str = "dora", **values: object) -> object:
    values.setdefault("display_name", "Dora Agent")
    values.setdefault("email", "dora@example.com")
    values.setdefault("role", "agent")
    values.setdefault("password", "long enough secret")
    return admin.users.create(username=username, **values)  # type: ignore[arg-type]


def test_create_and_read(admin: Session) -> None:
    user = make(admin)
    assert user.username == "dora" and user.role == "agent"  # type: ignore[attr-defined]
    assert admin.users.get("dora").email == "dora@example.com"
    assert not hasattr(user, "password_hash")


def test_passwords_are_salted_scrypt_hashes(core: Core, admin: Session) -> None:
    make(admin, "one", password="same password!")
    make(admin, "two", password="same password!", email="two@example.com")
    one, two = User.first(core.db, username="one"), User.first(core.db, username="two")
    assert one is not None and two is not None
    assert (
        one.password_hash.startswith("scrypt$")
        and "same password" not in one.password_hash
    )
    assert one.password_hash != two.password_hash
    assert passwords.verify_password("same password!", one.password_hash)
    assert not passwords.verify_password("same password?", one.password_hash)
    assert not passwords.verify_password("x", "garbage")


def test_authentication(core: Core, admin: Session) -> None:
    make(admin)
    assert core.authenticate("dora", "long enough secret").user.username == "dora"
    for username, password in (
        ("dora", "wrong password"),
        ("nobody", "whatever"),
        ("", ""),
    ):
        with pytest.raises(AuthenticationFailed) as info:
            core.authenticate(username, password)
        assert str(info.value) == "unknown user name or wrong password"
    admin.users.update("dora", {"active": False}, expected_version=1)
    with pytest.raises(AuthenticationFailed):
        core.authenticate("dora", "long enough secret")
    with pytest.raises(AuthenticationFailed):
        core.as_user("dora")


def test_password_change(core: Core, admin: Session) -> None:
    make(admin)
    changed = admin.users.update(
        "dora", {"password": "a brand new secret"}, expected_version=1
    )
    assert changed.version == 2
    core.authenticate("dora", "a brand new secret")
    with pytest.raises(AuthenticationFailed):
        core.authenticate("dora", "long enough secret")
    entries = admin.history.list("user", "dora")
    assert [e.action for e in entries] == ["created", "password_changed"]
    assert all(
        "hash" not in c.field and c.field != "password"
        for e in entries
        for c in e.changes
    )


def test_refusals(admin: Session) -> None:
    make(admin)
    with pytest.raises(Conflict):
        make(admin, email="other@example.com")
    with pytest.raises(Invalid) as info:
        make(admin, "short", password="tiny")
    assert info.value.rule == "password_length"
    with pytest.raises(ValidationError) as vinfo:
        make(admin, "Bad Name")
    assert vinfo.value.rule == "pattern"
    with pytest.raises(ValidationError):
        make(admin, "eve", role="superuser")
    with pytest.raises(ConflictError):
        admin.users.update("dora", {"display_name": "x"}, expected_version=9)
    with pytest.raises(NotFound):
        admin.users.get("nobody")


def test_customer_users_are_bound_to_one_account(
    core: Core, admin: Session, agent: Session
) -> None:
    account = active_account(agent)
    with pytest.raises(Invalid) as info:
        make(admin, "cust", role="customer")
    assert info.value.field == "accountNumber"
    with pytest.raises(Invalid):
        make(admin, "staff", role="agent", account_number=account.number)
    with pytest.raises(NotFound):
        make(admin, "cust", role="customer", account_number="A-999999")
    customer = make(admin, "cust", role="customer", account_number=account.number)
    assert customer.account_number == account.number  # type: ignore[attr-defined]
    promoted = admin.users.update(
        "cust", {"role": "agent", "account_number": None}, expected_version=1
    )
    assert promoted.account_number is None and promoted.role == "agent"


def test_only_admins_manage_users(core: Core, agent: Session, reader: Session) -> None:
    for session in (agent, reader):
        with pytest.raises(Forbidden):
            make(session)
        with pytest.raises(Forbidden):
            session.users.get("admin")
        with pytest.raises(Forbidden):
            session.users.search()
    assert agent.users.who_am_i().username == "agent"


def test_last_admin_is_kept(admin: Session) -> None:
    with pytest.raises(RuleViolation) as info:
        admin.users.update("admin", {"active": False}, expected_version=1)
    assert info.value.code == "rule:last_admin"
    with pytest.raises(RuleViolation):
        admin.users.update("admin", {"role": "agent"}, expected_version=1)
    make(admin, "second", role="admin")
    assert (
        admin.users.update("admin", {"role": "agent"}, expected_version=1).role
        == "agent"
    )


def test_search(admin: Session) -> None:
    for index in range(5):
        make(
            admin,
            f"user{index}",
            display_name=f"User {index}",
            email=f"u{index}@example.com",
            role="readonly" if index % 2 else "agent",
        )
    names, cursor = [], None
    while True:
        page = admin.users.search(page_size=3, cursor=cursor)
        assert len(page.items) <= 3
        names += [u.username for u in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    expected = ["admin", "agent", "agent2", "reader"] + [f"user{i}" for i in range(5)]
    assert names == expected
    readonly = {u.username for u in admin.users.search(role="readonly").items}
    assert readonly == {"reader", "user1", "user3"}
    assert [u.username for u in admin.users.search(text="user 3").items] == ["user3"]
    assert len(admin.users.search(active=True).items) == 9


def test_who_am_i_for_every_role(core: Core) -> None:
    assert core.authenticate("reader", PASSWORD).users.who_am_i().role == "readonly"
