"""Contacts: one complete primary contact per active account, and formats."""

from __future__ import annotations

import pytest

from api.accounts import AccountRecord
from api.core import Core, Session
from api.db import ConflictError, ValidationError
from api.errors import Forbidden, NotFound, RuleViolation

from .conftest import active_account, customer_of


def add(agent: Session, number: str, **values: object) -> object:
    values.setdefault("name", "Tom Technical")
    values.setdefault("role", "technical")
    values.setdefault("country", "US")
    return agent.contacts.add(number, **values)  # type: ignore[arg-type]


def test_values_are_normalized(agent: Session, account: AccountRecord) -> None:
    contact = agent.contacts.add(
        account.number,
        name="  Jane Doe ",
        role="billing",
        email="Jane.Doe@Example.COM",
        phone="(415) 555-2671",
        country="us",
        postal_code="941031234",
        city="San Francisco",
    )
    assert contact.name == "Jane Doe"
    assert contact.email == "Jane.Doe@example.com"
    assert contact.phone == "+14155552671"
    assert (contact.country, contact.postal_code) == ("US", "94103-1234")


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("email", "not-an-address", "email"),
        ("phone", "12", "phone"),
        ("postal_code", "ABCDE", "postal_code"),
        ("country", "XX", "country"),
    ],
)
def test_bad_formats_are_refused(
    agent: Session, account: AccountRecord, field: str, value: str, rule: str
) -> None:
    with pytest.raises(ValidationError) as info:
        add(agent, account.number, **{field: value})
    assert (info.value.column, info.value.rule) == (field, rule)
    assert len(agent.contacts.list(account.number)) == 1


def test_country_change_rechecks_postal_code_and_phone(
    agent: Session, account: AccountRecord
) -> None:
    contact = add(agent, account.number, postal_code="94103", phone="415 555 2671")
    with pytest.raises(ValidationError) as info:
        agent.contacts.update(contact.id, {"country": "CA"}, expected_version=1)  # type: ignore[attr-defined]
    assert info.value.column in ("postal_code", "phone")
    changed = agent.contacts.update(
        contact.id,  # type: ignore[attr-defined]
        {"country": "CA", "postal_code": "k1a0b1", "phone": "+1 613 555 0100"},
        expected_version=1,
    )
    assert (changed.postal_code, changed.phone) == ("K1A 0B1", "+16135550100")


def test_new_primary_demotes_the_old_one(
    agent: Session, account: AccountRecord
) -> None:
    old = agent.contacts.list(account.number)[0]
    new = add(
        agent,
        account.number,
        role="primary",
        email="n@example.com",
        phone="+1 415 555 2671",
    )
    roles = {c.id: c.role for c in agent.contacts.list(account.number)}
    assert roles == {old.id: "technical", new.id: "primary"}  # type: ignore[attr-defined]
    assert agent.contacts.list(account.number)[0].role == "primary"
    actions = [e.action for e in agent.history.list("contact", str(old.id))]
    assert actions == ["created", "demoted"]


def test_promoting_by_update_demotes_too(
    agent: Session, account: AccountRecord
) -> None:
    old = agent.contacts.list(account.number)[0]
    other = add(agent, account.number, email="o@example.com", phone="+14155552671")
    agent.contacts.update(other.id, {"role": "primary"}, expected_version=1)  # type: ignore[attr-defined]
    primaries = [c for c in agent.contacts.list(account.number) if c.role == "primary"]
    assert [c.id for c in primaries] == [other.id]  # type: ignore[attr-defined]
    assert agent.contacts.get(old.id).role == "technical"


def test_last_primary_of_active_account_stays(
    agent: Session, account: AccountRecord
) -> None:
    primary = agent.contacts.list(account.number)[0]
    with pytest.raises(RuleViolation) as info:
        agent.contacts.remove(primary.id)
    assert info.value.code == "rule:last_primary_contact"
    with pytest.raises(RuleViolation):
        agent.contacts.update(primary.id, {"role": "billing"}, expected_version=1)
    with pytest.raises(RuleViolation) as info:
        agent.contacts.update(primary.id, {"phone": None}, expected_version=1)
    assert info.value.code == "rule:primary_contact_incomplete"
    agent.accounts.suspend(account.number)
    with pytest.raises(RuleViolation):
        agent.contacts.remove(primary.id)
    assert agent.contacts.get(primary.id).phone == "+4930901820"


def test_incomplete_primary_refused_on_active_account(
    agent: Session, account: AccountRecord
) -> None:
    with pytest.raises(RuleViolation) as info:
        add(agent, account.number, role="primary", email="x@example.com")
    assert info.value.code == "rule:primary_contact_incomplete"
    assert len(agent.contacts.list(account.number)) == 1


def test_prospect_contacts_are_free(agent: Session) -> None:
    prospect = agent.accounts.create(name="Prospect Inc")
    contact = add(agent, prospect.number, role="primary")
    agent.contacts.remove(contact.id)  # type: ignore[attr-defined]
    assert agent.contacts.list(prospect.number) == []


def test_remove_and_stale_versions(agent: Session, account: AccountRecord) -> None:
    contact = add(agent, account.number)
    agent.contacts.update(contact.id, {"city": "Boston"}, expected_version=1)  # type: ignore[attr-defined]
    with pytest.raises(ConflictError):
        agent.contacts.update(contact.id, {"city": "Austin"}, expected_version=1)  # type: ignore[attr-defined]
    with pytest.raises(ConflictError):
        agent.contacts.remove(contact.id, expected_version=1)  # type: ignore[attr-defined]
    agent.contacts.remove(contact.id, expected_version=2)  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        agent.contacts.get(contact.id)  # type: ignore[attr-defined]
    actions = [e.action for e in agent.history.list("contact", str(contact.id))]  # type: ignore[attr-defined]
    assert actions == ["created", "updated", "removed"]


def test_closed_account_contacts_are_final(agent: Session) -> None:
    account = active_account(agent)
    agent.accounts.close(account.number)
    with pytest.raises(RuleViolation) as info:
        add(agent, account.number)
    assert info.value.code == "rule:account_closed"


def test_idempotent_add(agent: Session, account: AccountRecord) -> None:
    first = add(agent, account.number, request_id="c-1")
    again = add(agent, account.number, request_id="c-1")
    assert again.id == first.id  # type: ignore[attr-defined]
    with pytest.raises(Exception) as info:
        add(agent, account.number, name="Someone Else", request_id="c-1")
    assert getattr(info.value, "code", None) == "conflict"


def test_permissions(core: Core, agent: Session, reader: Session) -> None:
    own = active_account(agent, "Own Ltd")
    other = active_account(agent, "Other Ltd")
    customer = customer_of(core, own.number)
    assert [c.account_number for c in customer.contacts.list(own.number)] == [
        own.number
    ]
    hidden = agent.contacts.list(other.number)[0]
    with pytest.raises(NotFound):
        customer.contacts.get(hidden.id)
    with pytest.raises(NotFound):
        customer.contacts.list(other.number)
    with pytest.raises(Forbidden):
        add(customer, own.number)
    with pytest.raises(Forbidden):
        add(reader, own.number)
    for bad in ("abc", -1, 999999):
        with pytest.raises(NotFound):
            agent.contacts.get(bad)  # type: ignore[arg-type]
