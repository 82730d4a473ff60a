"""Demo data: a realistic, varied data set for trying CORE out and for benchmarks.

:func:`load` fills an empty database through the business API itself, so the
data obeys every rule: accounts in each state with their contacts, servers in
every state of their life cycle, tickets in every state with comments.
"""

from __future__ import annotations

import decimal
import logging
import random
import unicodedata
from dataclasses import dataclass

from api.core import Core, Session
from api.errors import RuleViolation
from api.setup import create_user
from api.tables import Account

logger = logging.getLogger(__name__)

COMPANIES = [
    "Acme Hosting",
    "Müller & Söhne",
    "東京データ株式会社",
    "Łódź Software",
    "Globex",
    "Initech",
    "Umbrella Analytics",
    "Hooli",
    "Stark Logistics",
    "Wayne Media",
    "Tyrell Systems",
    "Soylent Foods",
    "Cyberdyne Labs",
    "Wonka Retail",
    "Vandelay Imports",
    "Gringotts Finance",
    "Oceanic Air",
    "Monarch Solutions",
    "Black Mesa Research",
    "Aperture Science",
    "Nakatomi Trading",
    "Duff Beverages",
    "Pied Piper",
    "Bluth Property",
    "Dunder Paper",
    "Sterling Cooper",
    "Prestige Worldwide",
    "Massive Dynamic",
    "Blue Sun",
    "Weyland Freight",
    "Zorg Industries",
    "Krusty Brands",
    "Planet Express",
    "Ollivander Wands",
    "Société Générale d'Hébergement",
    "Østergaard ApS",
]
PEOPLE = [
    "Ada Lovelace",
    "Grace Hopper",
    "Linus Svensson",
    "Margaret Hamilton",
    "Alan Kay",
    "Zoë Müller",
    "José Álvarez",
    "Åsa Lindqvist",
    "Chidi Okafor",
    "Mei Tanaka",
    "Priya Raman",
    "Tomasz Nowak",
    "Fatima Haddad",
    "Liam O'Brien",
    "Sofía Reyes",
]
#: Where contacts live: country, city, postal code, phone number.
PLACES = [
    ("US", "San Francisco", "94103", "+1 415 555 0134"),
    ("DE", "Berlin", "10117", "+49 30 901820"),
    ("GB", "London", "SW1A 1AA", "+44 20 7946 0958"),
    ("CA", "Ottawa", "K1A 0B1", "+1 613 555 0171"),
    ("FR", "Paris", "75008", "+33 1 42 68 53 00"),
    ("NL", "Amsterdam", "1012 JS", "+31 20 555 1234"),
    ("JP", "Tokyo", "100-0001", "+81 3 1234 5678"),
]
SYSTEMS = ["Debian 12", "Ubuntu 24.04 LTS", "Rocky Linux 9", "Windows Server 2022"]
PRICES = {
    "vm-small": "19.90",
    "vm-medium": "39.90",
    "vm-large": "79.90",
    "metal-standard": "249.00",
    "metal-gpu": "1299.00",
}
SUBJECTS = [
    "Server unreachable over SSH",
    "Disk almost full on /var",
    "Backup job failed",
    "Request for additional IPv4 address",
    "High load average since deploy",
    "TLS certificate renewal",
    "Firewall rule change",
    "Invoice question",
    "Kernel update scheduling",
    "Packet loss to Frankfurt",
]


@dataclass
class DemoResult:
    """What :func:`load` created."""

    accounts: int = 0
    servers: int = 0
    tickets: int = 0


def load(
    core: Core, password: str, *, accounts: int = 36, seed: int = 42
) -> DemoResult:
    """Fill an empty CORE database with demo data; return what was created.

    Creates agents ``alice`` and ``bob``, a read-only ``rita`` and a customer
    ``carl`` bound to the first account, all with ``password``.

    :raises RuleViolation: when the database already holds accounts.
    """
    if Account.count(core.db):
        raise RuleViolation(
            "demo_needs_empty_database", "the database already has accounts"
        )
    _users(core, password)
    agent = core.as_user("alice")
    rng = random.Random(seed)
    result = DemoResult()
    for index in range(accounts):
        _account(agent, rng, index, result)
    first = Account.first(core.db, order_by=["id"])
    if first is not None:
        create_user(
            core.db,
            "carl",
            "Carl Customer",
            "carl@example.com",
            "customer",
            password,
            first.id,
        )
    logger.info("loaded demo data: %s", result)
    return result


def _users(core: Core, password: str) -> None:
    create_user(core.db, "alice", "Alice Agent", "alice@example.com", "agent", password)
    create_user(core.db, "bob", "Bob Agent", "bob@example.com", "agent", password)
    create_user(
        core.db, "rita", "Rita Reader", "rita@example.com", "readonly", password
    )


def _account(
    agent: Session, rng: random.Random, index: int, result: DemoResult
) -> None:
    name = COMPANIES[index % len(COMPANIES)] + (
        "" if index < len(COMPANIES) else f" {index}"
    )
    tier = "premium" if index % 4 == 0 else "standard"
    account = agent.accounts.create(
        name=name, sla_tier=tier, manager=rng.choice(["alice", "bob"])
    )
    result.accounts += 1
    _contacts(agent, rng, account.number)

    fate = index % 7
    if fate == 6:
        return
    agent.accounts.activate(account.number)
    for state in _server_states(index):
        _server(agent, rng, account.number, state, index)
        result.servers += 1
    for state in _ticket_states(index):
        _ticket(agent, rng, account.number, state)
        result.tickets += 1
    if fate == 4:
        agent.accounts.suspend(account.number)


def _contacts(agent: Session, rng: random.Random, number: str) -> None:
    country, city, postal_code, phone = rng.choice(PLACES)
    people = rng.sample(PEOPLE, 3)
    for person, role in zip(people, ("primary", "billing", "technical"), strict=True):
        first = _ascii(person.split()[0].lower())
        agent.contacts.add(
            number,
            name=person,
            role=role,
            email=f"{first}.{role}@customer{rng.randint(1, 9999)}.example",
            phone=phone,
            street=f"{rng.randint(1, 200)} Main Street",
            city=city,
            postal_code=postal_code,
            country=country,
        )


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()) or "contact"


def _server_states(index: int) -> list[str]:
    states = [
        "online",
        "online",
        "suspended",
        "provisioning",
        "ordered",
        "decommissioned",
    ]
    return states[: 1 + index % len(states)]


def _server(
    agent: Session, rng: random.Random, number: str, state: str, index: int
) -> None:
    profile = rng.choice(list(PRICES))
    server = agent.servers.order(
        number,
        data_centre=rng.choice(["fra1", "ams1", "lon1", "nyc1", "sin1"]),
        hardware_profile=profile,
        operating_system=rng.choice(SYSTEMS),
        monthly_price=decimal.Decimal(PRICES[profile]),
    )
    if state == "ordered":
        return
    agent.servers.start_provisioning(server.number)
    if state == "provisioning":
        return
    serial = int(server.number.split("-")[1]) - 200000
    agent.servers.complete_provisioning(
        server.number,
        hostname=f"srv{serial}.dc.example.net",
        primary_ip=f"203.0.{serial // 250}.{serial % 250 + 1}",
    )
    if state == "suspended":
        agent.servers.suspend(server.number)
    elif state == "decommissioned":
        agent.servers.decommission(server.number)


def _ticket_states(index: int) -> list[str]:
    states = ["new", "open", "pending_customer", "solved", "closed", "open"]
    return states[: 1 + index % len(states)]


def _ticket(agent: Session, rng: random.Random, number: str, state: str) -> None:
    ticket = agent.tickets.open(
        account_number=number,
        subject=rng.choice(SUBJECTS),
        description="Reported by the customer's on-call engineer.\nPlease advise.",
        severity=rng.choice(["low", "normal", "normal", "high"]),
    )
    if state == "new":
        return
    agent.tickets.assign(ticket.number, rng.choice(["alice", "bob"]))
    agent.tickets.add_comment(ticket.number, "We are looking into it.", public=True)
    agent.tickets.add_comment(
        ticket.number, "Checked monitoring: nothing obvious.", public=False
    )
    if state == "pending_customer":
        agent.tickets.change_status(ticket.number, "pending_customer")
    elif state in ("solved", "closed"):
        agent.tickets.change_status(
            ticket.number, "solved", resolution="Fixed and verified."
        )
        if state == "closed":
            agent.tickets.change_status(ticket.number, "closed")
