"""The measured operations and the real SOAP envelopes that call them.

Each operation has a list of request bodies that a run goes through in turn,
so reads spread over the data set instead of hitting one cached row. The same
bytes go to CORE in-process, to ``core serve`` over HTTP and to the PHP
reference.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from api.db import Database
from api.tables import Account, Ticket
from bench.dataset import AGENT, PASSWORD

ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"'
    ' xmlns:c="urn:core:v1"><soap:Body>{}</soap:Body></soap:Envelope>'
)
#: The page sizes searched; 100 is the one the targets name.
PAGE_SIZES = (1, 50, 100, 500)


def envelope(body: str) -> bytes:
    """Wrap one operation element in a SOAP 1.1 envelope."""
    return ENVELOPE.format(body).encode("utf-8")


def basic_auth(username: str = AGENT, password: str = PASSWORD) -> str:
    """The ``Authorization`` header value of HTTP Basic for these credentials."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


@dataclass
class Samples:
    """Numbers drawn from a data set for the requests to name."""

    accounts: list[str]
    tickets: list[str]
    open_tickets: list[str]
    active_accounts: list[str]


def draw_samples(db: Database, count: int = 64, seed: int = 7) -> Samples:
    """Draw accounts and tickets spread over the whole data set."""
    rng = random.Random(seed)
    last_account = Account.first(db, order_by=["-id"])
    last_ticket = Ticket.first(db, order_by=["-id"])
    if last_account is None or last_ticket is None:
        raise RuntimeError("the data set has no accounts or no tickets")
    account_ids = _spread(rng, last_account.id, count)
    ticket_ids = _spread(rng, last_ticket.id, count)
    open_rows = Ticket.find(db, status="open", order_by=["-id"], limit=count)
    active = Account.find(db, status="active", id__in=account_ids)
    return Samples(
        accounts=[row.number for row in Account.find(db, id__in=account_ids)],
        tickets=[row.number for row in Ticket.find(db, id__in=ticket_ids)],
        open_tickets=[row.number for row in open_rows],
        active_accounts=[row.number for row in active] or ["A-100001"],
    )


def _spread(rng: random.Random, last: int, count: int) -> list[int]:
    return sorted(rng.sample(range(1, last + 1), min(count, last)))


@dataclass(frozen=True)
class Operation:
    """One measured call.

    :param name: how reports name it: ``searchTickets/100``.
    :param action: the SOAP operation.
    :param bodies: makes the request bodies from the samples.
    :param write: whether it changes data.
    :param php: whether the PHP reference serves it.
    """

    name: str
    action: str
    bodies: Callable[[Samples], list[bytes]]
    write: bool = False
    php: bool = False


def _ping(samples: Samples) -> list[bytes]:
    return [envelope("<c:ping/>")]


def _get_account(samples: Samples) -> list[bytes]:
    return [
        envelope(f"<c:getAccount><c:accountNumber>{n}</c:accountNumber></c:getAccount>")
        for n in samples.accounts
    ]


def _get_ticket(samples: Samples) -> list[bytes]:
    return [
        envelope(f"<c:getTicket><c:ticketNumber>{n}</c:ticketNumber></c:getTicket>")
        for n in samples.tickets
    ]


def _search(size: int, status: str | None = None) -> Callable[[Samples], list[bytes]]:
    condition = f"<c:status>{status}</c:status>" if status else ""

    def bodies(samples: Samples) -> list[bytes]:
        return [
            envelope(
                f"<c:searchTickets><c:filter>{condition}</c:filter>"
                f"<c:pageSize>{size}</c:pageSize></c:searchTickets>"
            )
        ]

    return bodies


def _open_ticket(samples: Samples) -> list[bytes]:
    return [
        envelope(
            "<c:openTicket><c:ticket>"
            f"<c:accountNumber>{number}</c:accountNumber>"
            f"<c:subject>Benchmark ticket {index}</c:subject>"
            "<c:description>Opened by the benchmark.\nNothing to do.</c:description>"
            "<c:severity>normal</c:severity>"
            "</c:ticket></c:openTicket>"
        )
        for index, number in enumerate(samples.active_accounts)
    ]


def _add_comment(samples: Samples) -> list[bytes]:
    body = escape("Benchmark comment: checked, nothing to do.")
    return [
        envelope(
            f"<c:addComment><c:ticketNumber>{number}</c:ticketNumber>"
            f"<c:body>{body}</c:body><c:public>true</c:public></c:addComment>"
        )
        for number in samples.open_tickets
    ]


def search_name(size: int) -> str:
    """The report's name of the unfiltered search with this page size."""
    return f"searchTickets/{size}"


OPERATIONS: list[Operation] = [
    Operation("ping", "ping", _ping),
    Operation("getAccount", "getAccount", _get_account, php=True),
    Operation("getTicket", "getTicket", _get_ticket, php=True),
    *[
        Operation(search_name(size), "searchTickets", _search(size), php=True)
        for size in PAGE_SIZES
    ],
    Operation(
        "searchTickets/50?status=open",
        "searchTickets",
        _search(50, "open"),
        php=True,
    ),
    Operation("openTicket", "openTicket", _open_ticket, write=True),
    Operation("addComment", "addComment", _add_comment, write=True),
]
