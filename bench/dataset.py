"""Scaled-up demo data, bulk loaded with ``Table.insert_many``.

The data set has the demo data's shape (:mod:`api.demo`) at any size: accounts
in every state with their contacts, servers in every state of their life
cycle, tickets in every state with comments, agents and customer users. Every
row passes the column normalizers, and the business rules hold: a prospect has
neither servers nor tickets, a closed account only decommissioned servers and
closed tickets, an emergency names a running server of its account, a solved
ticket has a resolution and a first response.

Ticket ids grow with time, so a search's newest-first page reads the recent
tickets, where the open ones are.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from api import passwords
from api.db import Database, Table
from api.demo import COMPANIES, PEOPLE, PLACES, PRICES, SUBJECTS, SYSTEMS
from api.numbering import KINDS
from api.setup import initialize
from api.tables import Account, Comment, Contact, Counter, Server, Ticket, User
from api.tickets import PREMIUM_FACTOR, RESPONSE_MINUTES

logger = logging.getLogger(__name__)

#: The password of every user of a bench data set, ``admin`` included.
PASSWORD = "demo-password"
#: The agent the benchmark signs in as.
AGENT = "alice"
#: Rows handed to one ``insert_many`` call (one transaction).
CHUNK = 10_000

ACCOUNT_STATES = {"prospect": 5, "active": 85, "suspended": 4, "closed": 6}
SERVERS_PER_ACCOUNT = [0, 1, 1, 1, 2, 2, 3, 4]
SERVER_STATES = {
    "online": 70,
    "suspended": 4,
    "provisioning": 4,
    "ordered": 5,
    "decommissioned": 17,
}
SEVERITIES = {"low": 25, "normal": 50, "high": 20, "emergency": 5}
#: Ticket states by age: the newest 2%, the next 8%, and every older ticket.
TICKET_STATES_BY_AGE = [
    (0.02, {"new": 25, "open": 45, "pending_customer": 15, "solved": 15}),
    (0.10, {"open": 20, "pending_customer": 10, "solved": 10, "closed": 60}),
    (1.00, {"open": 2, "pending_customer": 1, "closed": 97}),
]
DESCRIPTIONS = [
    "Reported by the customer's on-call engineer.\nPlease advise.",
    "Since this morning our monitoring shows errors on the service.\n"
    "We restarted the application without effect. Logs attached below.\n\n"
    "2026-01-01T00:00:00Z error: connection reset by peer\n" * 3,
    "Please schedule the change for the next maintenance window. "
    "Our change board approved it; the contact for questions is our CTO. " * 4,
]
RESOLUTIONS = ["Fixed and verified.", "Configuration corrected; customer confirmed."]
COMMENTS = [
    "We are looking into it.",
    "Checked monitoring: nothing obvious.",
    "Thanks, that solved it for us.",
]


@dataclass(frozen=True)
class Scale:
    """The size of a data set.

    :param tickets: how many tickets.
    :param accounts: how many accounts; the other tables follow from it.
    :param seed: the random seed, so a data set can be built again alike.
    """

    tickets: int
    accounts: int
    seed: int = 42

    @property
    def agents(self) -> int:
        """How many agents: two at least, one per 2,000 accounts."""
        return max(2, min(500, self.accounts // 2000))

    @property
    def customer_every(self) -> int:
        """One account in this many has a customer user."""
        return 100

    def label(self) -> str:
        """A short name for files, schemas and tables: ``10000t_1000a``."""
        return f"{self.tickets}t_{self.accounts}a_s{self.seed}"


@dataclass
class BuildReport:
    """What :func:`build` loaded, and how long each table took."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        """The time of the whole build."""
        return sum(self.seconds.values())


@dataclass
class _AccountInfo:
    status: str
    tier: str
    created_at: dt.datetime
    customer_id: int | None = None
    servers: list[tuple[int, str]] = field(default_factory=list)


Progress = Callable[[str], None]
Row = dict[str, Any]


def build(db: Database, scale: Scale, progress: Progress = logger.info) -> BuildReport:
    """Create the schema in an empty database and fill it with a data set."""
    loader = _Loader(db, scale, progress)
    steps = [
        ("core_user", loader.staff),
        ("account", loader.accounts),
        ("customer users", loader.customers),
        ("contact", loader.contacts),
        ("server", loader.servers),
        ("ticket", loader.tickets),
        ("counter", loader.counters),
        ("analyze", loader.analyze),
    ]
    initialize(db, PASSWORD)
    for name, step in steps:
        started = time.perf_counter()
        step()
        loader.report.seconds[name] = time.perf_counter() - started
        progress(f"{name}: {loader.report.seconds[name]:.1f} s")
    return loader.report


class _Loader:
    """Generates and inserts the rows of one data set, table by table."""

    def __init__(self, db: Database, scale: Scale, progress: Progress) -> None:
        self.db = db
        self.scale = scale
        self.progress = progress
        self.rng = random.Random(scale.seed)
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.report = BuildReport()
        self.password_hash = passwords.hash_password(PASSWORD)
        self.agent_ids: list[int] = []
        self.info: list[_AccountInfo] = []
        self.server_count = 0

    # -- users and accounts -------------------------------------------------------

    def staff(self) -> None:
        names = ["alice", "bob"] + [f"agent{n:04d}" for n in range(3, self.agents + 1)]
        rows = [self._user(name, "agent") for name in names]
        rows.append(self._user("rita", "readonly"))
        self._insert(User, rows)
        ids = {row.username: row.id for row in User.find(self.db)}
        self.agent_ids = [ids[name] for name in names]

    @property
    def agents(self) -> int:
        return self.scale.agents

    def _user(self, name: str, role: str, account_id: int | None = None) -> Row:
        display = name.title() if role != "customer" else f"Customer {name[-6:]}"
        return {
            "username": name,
            "display_name": display,
            "email": f"{name}@example.com",
            "role": role,
            "account_id": account_id,
            "password_hash": self.password_hash,
        }

    def accounts(self) -> None:
        start = self.now - dt.timedelta(days=4 * 365)
        spread = dt.timedelta(days=365) / max(1, self.scale.accounts)
        rows = (
            self._account(index, start + spread * index)
            for index in range(self.scale.accounts)
        )
        self._insert(Account, rows, total=self.scale.accounts)
        self._check_ids(Account, self.scale.accounts)

    def _account(self, index: int, created: dt.datetime) -> Row:
        status = "active" if index == 0 else _pick(self.rng, ACCOUNT_STATES)
        tier = "premium" if self.rng.random() < 0.25 else "standard"
        self.info.append(_AccountInfo(status, tier, created))
        name = COMPANIES[index % len(COMPANIES)]
        manager = self.rng.choice(self.agent_ids) if self.rng.random() < 0.8 else None
        return {
            "number": f"A-{KINDS['account'][1] + index}",
            "name": name if index < len(COMPANIES) else f"{name} {index}",
            "sla_tier": tier,
            "manager_id": manager,
            "status": status,
            "version": 1 if status == "prospect" else 2,
            "created_at": created,
            "updated_at": created + dt.timedelta(days=1),
        }

    def customers(self) -> None:
        rows = [self._user("carl", "customer", 1)]
        every = self.scale.customer_every
        for index in range(every, len(self.info), every):
            if self.info[index].status != "prospect":
                rows.append(self._user(f"customer{index:06d}", "customer", index + 1))
        self._insert(User, rows)
        for row in User.find(self.db, role="customer"):
            self.info[row.account_id - 1].customer_id = row.id

    def contacts(self) -> None:
        rows = (
            contact
            for index in range(self.scale.accounts)
            for contact in self._contacts(index)
        )
        self._insert(Contact, rows)

    def _contacts(self, index: int) -> Iterator[Row]:
        country, city, postal_code, phone = PLACES[index % len(PLACES)]
        roles = ["primary"]
        roles += ["billing"] if index % 2 else []
        roles += ["technical"] if index % 3 == 0 else []
        for role, person in zip(roles, self.rng.sample(PEOPLE, 3), strict=False):
            first = person.split()[0].lower().encode("ascii", "ignore").decode()
            yield {
                "account_id": index + 1,
                "name": person,
                "role": role,
                "email": f"{first or 'contact'}.{role}@customer{index}.example",
                "phone": phone,
                "street": f"{1 + index % 200} Main Street",
                "city": city,
                "postal_code": postal_code,
                "country": country,
                "created_at": self.info[index].created_at,
                "updated_at": self.info[index].created_at,
            }

    # -- servers ------------------------------------------------------------------

    def servers(self) -> None:
        rows = (
            server
            for index in range(self.scale.accounts)
            for server in self._servers(index)
        )
        self._insert(Server, rows)
        self._check_ids(Server, self.server_count)

    def _servers(self, index: int) -> Iterator[Row]:
        info = self.info[index]
        if info.status == "prospect":
            return
        for _ in range(self.rng.choice(SERVERS_PER_ACCOUNT)):
            self.server_count += 1
            status = self._server_status(info.status)
            info.servers.append((self.server_count, status))
            yield self._server(self.server_count, index + 1, status, info.created_at)

    def _server_status(self, account_status: str) -> str:
        status = _pick(self.rng, SERVER_STATES)
        if account_status == "closed":
            return "decommissioned"
        if account_status == "suspended" and status == "online":
            return "suspended"
        return status

    def _server(
        self, serial: int, account_id: int, status: str, created: dt.datetime
    ) -> Row:
        profile = self.rng.choice(list(PRICES))
        address = f"10.{serial >> 16 & 255}.{serial >> 8 & 255}.{serial & 255}"
        provisioned = status not in ("ordered", "provisioning")
        return {
            "number": f"S-{KINDS['server'][1] - 1 + serial}",
            "account_id": account_id,
            "data_centre": self.rng.choice(["fra1", "ams1", "lon1", "nyc1", "sin1"]),
            "hardware_profile": profile,
            "operating_system": self.rng.choice(SYSTEMS),
            "monthly_price": PRICES[profile],
            "hostname": f"srv{serial}.dc.example.net" if provisioned else None,
            "primary_ip": address if status in ("online", "suspended") else None,
            "released_ip": address if status == "decommissioned" else None,
            "status": status,
            "version": 1 if status == "ordered" else 3,
            "created_at": created + dt.timedelta(days=2),
            "updated_at": created + dt.timedelta(days=3),
        }

    # -- tickets ------------------------------------------------------------------

    def tickets(self) -> None:
        weights = [
            0.0 if info.status == "prospect" else self.rng.paretovariate(1.2)
            for info in self.info
        ]
        chooser = _Chooser(self.rng, weights)
        total = self.scale.tickets
        for first in range(0, total, CHUNK):
            size = min(CHUNK, total - first)
            accounts = chooser.draw(size)
            tickets, comments = self._ticket_chunk(first, accounts)
            Ticket.insert_many(self.db, tickets)
            if comments:
                Comment.insert_many(self.db, comments)
            self._count(Ticket, len(tickets))
            self._count(Comment, len(comments))
            self._say_progress("ticket", first + size, total)
        self._check_ids(Ticket, total)

    def _ticket_chunk(
        self, first: int, accounts: Sequence[int]
    ) -> tuple[list[Row], list[Row]]:
        tickets: list[Row] = []
        comments: list[Row] = []
        for offset, account in enumerate(accounts):
            index = first + offset
            ticket = self._ticket(index, account)
            tickets.append(ticket)
            comments += self._comments(index + 1, ticket, self.info[account])
        return tickets, comments

    def _ticket(self, index: int, account: int) -> Row:
        info = self.info[account]
        age = 1 - index / max(1, self.scale.tickets)
        opened = self.now - dt.timedelta(days=3 * 365 * age, hours=1)
        status = self._ticket_status(age, info.status)
        severity, server_id = self._severity_and_server(info)
        minutes = RESPONSE_MINUTES[severity] * (
            PREMIUM_FACTOR if info.tier == "premium" else 1.0
        )
        due = opened + dt.timedelta(minutes=minutes)
        responded = None
        if status != "new":
            responded = opened + dt.timedelta(
                minutes=minutes * self.rng.uniform(0, 1.3)
            )
        solved = None
        if responded is not None and status in ("solved", "closed"):
            solved = responded + dt.timedelta(hours=self.rng.uniform(1, 72))
        updated = solved or responded or opened
        return {
            "number": f"T-{KINDS['ticket'][1] + index}",
            "account_id": account + 1,
            "server_id": server_id,
            "subject": self.rng.choice(SUBJECTS),
            "description": self.rng.choice(DESCRIPTIONS),
            "severity": severity,
            "status": status,
            "assignee_id": None if status == "new" else self.rng.choice(self.agent_ids),
            "opened_by_id": info.customer_id or self.rng.choice(self.agent_ids),
            "resolution": self.rng.choice(RESOLUTIONS) if solved else None,
            "response_due_at": due,
            "responded_at": responded,
            "solved_at": solved,
            "version": {"new": 1, "open": 3, "closed": 5}.get(status, 4),
            "created_at": opened,
            "updated_at": updated + dt.timedelta(hours=1) if solved else updated,
        }

    def _ticket_status(self, age: float, account_status: str) -> str:
        if account_status == "closed":
            return "closed"
        for limit, states in TICKET_STATES_BY_AGE:
            if age <= limit:
                return _pick(self.rng, states)
        return "closed"

    def _severity_and_server(self, info: _AccountInfo) -> tuple[str, int | None]:
        severity = _pick(self.rng, SEVERITIES)
        running = [sid for sid, st in info.servers if st in ("online", "suspended")]
        if severity == "emergency":
            if running:
                return severity, self.rng.choice(running)
            severity = "high"
        if info.servers and self.rng.random() < 0.4:
            return severity, self.rng.choice(info.servers)[0]
        return severity, None

    def _comments(self, ticket_id: int, ticket: Row, info: _AccountInfo) -> list[Row]:
        responded = ticket["responded_at"]
        if responded is None:
            return []
        staff = ticket["assignee_id"]
        found = [_comment(ticket_id, staff, COMMENTS[0], True, responded)]
        if self.rng.random() < 0.4:
            later = responded + dt.timedelta(minutes=30)
            found.append(_comment(ticket_id, staff, COMMENTS[1], False, later))
        if self.rng.random() < 0.2:
            author = info.customer_id or staff
            later = responded + dt.timedelta(hours=2)
            found.append(_comment(ticket_id, author, COMMENTS[2], True, later))
        return found

    # -- finishing ----------------------------------------------------------------

    def counters(self) -> None:
        last = {
            "account": self.scale.accounts,
            "server": self.server_count,
            "ticket": self.scale.tickets,
        }
        rows = [
            {"name": kind, "value": KINDS[kind][1] - 1 + count}
            for kind, count in last.items()
            if count
        ]
        self._insert(Counter, rows)

    def analyze(self) -> None:
        """Give the query planner statistics of the loaded tables."""
        self.db.execute("ANALYZE")

    # -- helpers ------------------------------------------------------------------

    def _insert(
        self, table: type[Table], rows: Iterable[Row], total: int | None = None
    ) -> None:
        """Insert rows in chunks, one transaction each."""
        batch: list[Row] = []
        done = 0
        for row in rows:
            batch.append(row)
            if len(batch) == CHUNK:
                done += table.insert_many(self.db, batch)
                batch = []
                self._say_progress(table.__meta__.name, done, total)
        if batch:
            done += table.insert_many(self.db, batch)
        self._count(table, done)

    def _count(self, table: type[Table], rows: int) -> None:
        name = table.__meta__.name
        self.report.rows[name] = self.report.rows.get(name, 0) + rows

    def _say_progress(self, name: str, done: int, total: int | None) -> None:
        if done % (10 * CHUNK) == 0:
            self.progress(f"{name}: {done:,}" + (f" of {total:,}" if total else ""))

    def _check_ids(self, table: type[Table], expected: int) -> None:
        """The generated ids must be 1..n: rows of other tables refer to them."""
        last = table.first(self.db, order_by=["-id"])
        found = last.key if last is not None else 0
        if found != expected:
            raise RuntimeError(
                f"{table.__meta__.name} ids end at {found}, not {expected}:"
                " the data set needs an empty database"
            )


def _comment(
    ticket_id: int, author: int, body: str, public: bool, at: dt.datetime
) -> dict[str, Any]:
    return {
        "ticket_id": ticket_id,
        "author_id": author,
        "body": body,
        "public": public,
        "created_at": at,
    }


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


class _Chooser:
    """Draws account indexes by weight: a few large customers, many small ones."""

    def __init__(self, rng: random.Random, weights: list[float]) -> None:
        self.rng = rng
        self.population = range(len(weights))
        self.cumulative = list(_accumulate(weights))

    def draw(self, count: int) -> list[int]:
        return self.rng.choices(self.population, cum_weights=self.cumulative, k=count)


def _accumulate(values: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total
