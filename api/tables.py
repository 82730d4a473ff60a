"""The tables of CORE, declared once; the schema and every query come from here."""

from __future__ import annotations

from api.db import (
    Boolean,
    Country,
    Decimal,
    Email,
    Enum,
    Hostname,
    Integer,
    IPAddress,
    Json,
    Phone,
    PostalCode,
    Reference,
    Schema,
    Serial,
    Table,
    Text,
    Timestamp,
    Version,
    utcnow,
)

ROLES = ("admin", "agent", "readonly", "customer")
SLA_TIERS = ("standard", "premium")
ACCOUNT_STATUSES = ("prospect", "active", "suspended", "closed")
CONTACT_ROLES = ("primary", "billing", "technical")
SERVER_STATUSES = ("ordered", "provisioning", "online", "suspended", "decommissioned")
DATA_CENTRES = ("fra1", "ams1", "lon1", "par1", "nyc1", "sfo1", "sin1")
HARDWARE_PROFILES = ("vm-small", "vm-medium", "vm-large", "metal-standard", "metal-gpu")
SEVERITIES = ("low", "normal", "high", "emergency")
TICKET_STATUSES = ("new", "open", "pending_customer", "solved", "closed")
ENTITY_TYPES = ("user", "account", "contact", "server", "ticket")


class Audited(Table):
    """Columns every business entity carries: a version and two timestamps."""

    version = Version()
    created_at = Timestamp(default=utcnow, doc="When the entity was created (UTC).")
    updated_at = Timestamp(
        default=utcnow, auto_now=True, doc="When the entity last changed (UTC)."
    )


class Counter(Table):
    """The last number handed out for each kind of human-readable number."""

    __table__ = "counter"
    name = Text(30, primary_key=True)
    value = Integer(min_value=0)
    version = Version()


class User(Audited):
    """A person who signs in to CORE: staff, or a customer bound to one account."""

    __table__ = "core_user"
    id = Serial()
    username = Text(
        64,
        unique=True,
        pattern=r"[a-z0-9][a-z0-9._-]*",
        doc="Sign-in name, lower case.",
    )
    display_name = Text(120, doc="The name shown to others.")
    email = Email(doc="Where CORE writes to the user.")
    role = Enum(ROLES, doc="admin, agent, readonly or customer.")
    account_id = Reference("account", null=True, doc="The account a customer sees.")
    active = Boolean(default=True, doc="Inactive users cannot sign in.")
    password_hash = Text(300, doc="Salted scrypt hash; never the password.")
    password_changed_at = Timestamp(default=utcnow)


class Account(Audited):
    """A customer of the hosting company."""

    __table__ = "account"
    __indexes__ = [("status", "id")]
    id = Serial()
    number = Text(12, unique=True, doc="Stable account number, e.g. A-100042.")
    name = Text(120, doc="The customer's name.")
    sla_tier = Enum(SLA_TIERS, default="standard", doc="Service level: response times.")
    manager_id = Reference(User, null=True, doc="The agent managing the account.")
    status = Enum(ACCOUNT_STATUSES, default="prospect", doc="Life-cycle state.")


class Contact(Audited):
    """A person to talk to at an account."""

    __table__ = "contact"
    id = Serial()
    account_id = Reference(Account, on_delete="CASCADE")
    name = Text(120, doc="Full name.")
    role = Enum(CONTACT_ROLES, doc="primary, billing or technical.")
    email = Email(null=True, doc="E-mail address.")
    phone = Phone(null=True, doc="Phone number, stored in E.164 form.")
    street = Text(200, null=True, doc="Street address.")
    city = Text(100, null=True, doc="City.")
    postal_code = PostalCode(null=True, doc="Postal code, checked for the country.")
    country = Country(doc="ISO 3166 country code; also the phone number's region.")


class Server(Audited):
    """A managed server ordered by an account."""

    __table__ = "server"
    __indexes__ = [("account_id", "status"), ("status", "id")]
    id = Serial()
    number = Text(12, unique=True, doc="Stable server number, e.g. S-200017.")
    account_id = Reference(Account)
    data_centre = Enum(DATA_CENTRES, doc="Where the server runs.")
    hardware_profile = Enum(HARDWARE_PROFILES, doc="The hardware ordered.")
    operating_system = Text(60, doc="Operating system and release.")
    monthly_price = Decimal(10, 2, min_value=0, doc="Monthly price, exact money.")
    hostname = Hostname(null=True, unique=True, doc="Host name, once provisioned.")
    primary_ip = IPAddress(
        null=True, unique=True, doc="Primary IP while the server is not decommissioned."
    )
    released_ip = IPAddress(null=True, doc="The IP a decommissioned server had.")
    status = Enum(SERVER_STATUSES, default="ordered", doc="Life-cycle state.")


class Ticket(Audited):
    """A trouble ticket opened for an account."""

    __table__ = "ticket"
    __indexes__ = [("account_id", "status"), ("status", "response_due_at")]
    id = Serial()
    number = Text(12, unique=True, doc="Stable ticket number, e.g. T-300123.")
    account_id = Reference(Account)
    server_id = Reference(Server, null=True, doc="The server the ticket is about.")
    subject = Text(200, doc="One line summary.")
    description = Text(20000, multiline=True, doc="What happened.")
    severity = Enum(SEVERITIES, default="normal", doc="low, normal, high, emergency.")
    status = Enum(TICKET_STATUSES, default="new", doc="Life-cycle state.")
    assignee_id = Reference(User, null=True, doc="The agent working on it.")
    opened_by_id = Reference(User, doc="Who opened the ticket.")
    resolution = Text(20000, multiline=True, null=True, doc="How it was solved.")
    response_due_at = Timestamp(doc="When the first response is due, from the SLA.")
    responded_at = Timestamp(null=True, doc="When staff first responded.")
    solved_at = Timestamp(null=True, doc="When the ticket was last solved.")


class Comment(Table):
    """A comment on a ticket, public or private to staff."""

    __table__ = "ticket_comment"
    __indexes__ = [("ticket_id", "id")]
    id = Serial()
    ticket_id = Reference(Ticket, on_delete="CASCADE")
    author_id = Reference(User)
    body = Text(20000, multiline=True, doc="The comment's text.")
    public = Boolean(doc="Whether the customer sees it.")
    created_at = Timestamp(default=utcnow)


class History(Table):
    """One recorded change of an entity: who, when, what, old and new values."""

    __table__ = "history"
    __indexes__ = [("entity_type", "entity_key", "id")]
    id = Serial()
    entity_type = Enum(ENTITY_TYPES)
    entity_key = Text(64, doc="The entity's number, user name or id.")
    action = Text(40, doc="What was done: created, updated, activated, ...")
    actor = Text(64, doc="The user name of who did it.")
    at = Timestamp(default=utcnow)
    changes = Json(doc="Each changed field's old and new value.")


class Request(Table):
    """A create request already answered, so that a retry returns its result."""

    __table__ = "client_request"
    __unique__ = [("user_id", "request_id")]
    id = Serial()
    user_id = Reference(User, on_delete="CASCADE")
    request_id = Text(100, doc="The client's id for the request.")
    operation = Text(40)
    fingerprint = Text(64, doc="Hash of the request's data.")
    entity_key = Text(64, doc="What the request created.")
    created_at = Timestamp(default=utcnow)


SCHEMA = Schema(
    [Counter, User, Account, Contact, Server, Ticket, Comment, History, Request]
)
