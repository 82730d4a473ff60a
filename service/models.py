"""The records, inputs, filters and pages of the SOAP contract."""

from __future__ import annotations

from spyne import Array, Boolean, DateTime, Integer, Unicode

from api.tables import Account as AccountTable
from api.tables import Comment as CommentTable
from api.tables import Contact as ContactTable
from api.tables import Server as ServerTable
from api.tables import Ticket as TicketTable
from api.tables import User as UserTable
from service.types import CoreModel, fields_of, optional, page_type, required

_STAMPS = [
    ("version", required(Integer, "The version to name in the next update.")),
    ("createdAt", required(DateTime, "When it was created (UTC).")),
    ("updatedAt", required(DateTime, "When it last changed (UTC).")),
]
_ACCOUNT_NUMBER = required(Unicode, "The account's number, e.g. A-100042.", max_len=12)


class PingResult(CoreModel):
    """What a caller can learn without signing in."""

    _type_info = [
        ("serviceVersion", required(Unicode, "CORE's release.")),
        ("schemaVersion", required(Integer, "The database schema version.")),
        ("serverTime", required(DateTime, "The server's clock, UTC.")),
    ]


class User(CoreModel):
    """A person who signs in: staff, or a customer bound to one account."""

    _type_info = [
        *fields_of(
            UserTable,
            ["username", "display_name", "email", "role"],
            ["username", "display_name", "email", "role"],
        ),
        ("accountNumber", optional(Unicode, "A customer's account.")),
        ("active", required(Boolean, "Inactive users cannot sign in.")),
        *_STAMPS,
    ]


class UserInput(CoreModel):
    """A new user."""

    _type_info = [
        *fields_of(
            UserTable,
            ["username", "display_name", "email", "role"],
            ["username", "display_name", "email", "role"],
        ),
        ("password", required(Unicode, "At least 10 characters.", max_len=1024)),
        ("accountNumber", optional(Unicode, "Required for a customer user.")),
    ]


class UserChanges(CoreModel):
    """Changes to a user; absent fields stay as they are."""

    _type_info = [
        *fields_of(UserTable, ["display_name", "email", "role", "active"]),
        ("accountNumber", optional(Unicode, "A customer's account; empty unbinds.")),
        ("password", optional(Unicode, "A new password.")),
    ]


class UserFilter(CoreModel):
    """What to look for among users; absent fields do not filter."""

    _type_info = [
        *fields_of(UserTable, ["role", "active"]),
        ("text", optional(Unicode, "Part of the display name, any case.")),
    ]


class Account(CoreModel):
    """A customer of the hosting company."""

    _type_info = [
        *fields_of(
            AccountTable, ["number", "name", "sla_tier"], ["number", "name", "sla_tier"]
        ),
        ("manager", optional(Unicode, "The user name of the account manager.")),
        *fields_of(AccountTable, ["status"], ["status"]),
        *_STAMPS,
    ]


class AccountInput(CoreModel):
    """A new account; it starts as a prospect."""

    _type_info = [
        *fields_of(AccountTable, ["name"], ["name"]),
        *fields_of(AccountTable, ["sla_tier"]),
        ("manager", optional(Unicode, "The user name of an active agent.")),
    ]


class AccountChanges(CoreModel):
    """Changes to an account; absent fields stay as they are."""

    _type_info = [
        *fields_of(AccountTable, ["name", "sla_tier"]),
        (
            "manager",
            optional(Unicode, "An agent's user name; empty removes the manager."),
        ),
    ]


class AccountFilter(CoreModel):
    """What to look for among accounts; absent fields do not filter."""

    _type_info = [
        *fields_of(AccountTable, ["status", "sla_tier"]),
        ("manager", optional(Unicode, "The manager's user name.")),
        ("text", optional(Unicode, "Part of the name, any case.")),
    ]


_CONTACT_FIELDS = [
    "name",
    "role",
    "email",
    "phone",
    "street",
    "city",
    "postal_code",
    "country",
]


class Contact(CoreModel):
    """A person to talk to at an account."""

    _type_info = [
        ("id", required(Integer, "The contact's id.")),
        ("accountNumber", _ACCOUNT_NUMBER),
        *fields_of(ContactTable, _CONTACT_FIELDS, ["name", "role", "country"]),
        *_STAMPS,
    ]


class ContactInput(CoreModel):
    """A new contact of an account."""

    _type_info = fields_of(ContactTable, _CONTACT_FIELDS, ["name", "role", "country"])


class ContactChanges(CoreModel):
    """Changes to a contact; absent fields stay, empty ones are cleared."""

    _type_info = fields_of(ContactTable, _CONTACT_FIELDS)


_SERVER_ORDER = ["data_centre", "hardware_profile", "operating_system", "monthly_price"]


class Server(CoreModel):
    """A managed server ordered by an account."""

    _type_info = [
        *fields_of(ServerTable, ["number"], ["number"]),
        ("accountNumber", _ACCOUNT_NUMBER),
        *fields_of(ServerTable, _SERVER_ORDER, _SERVER_ORDER),
        *fields_of(ServerTable, ["hostname", "primary_ip"]),
        *fields_of(ServerTable, ["status"], ["status"]),
        *_STAMPS,
    ]


class ServerOrder(CoreModel):
    """A server to order for an account."""

    _type_info = fields_of(ServerTable, _SERVER_ORDER, _SERVER_ORDER)


class ServerChanges(CoreModel):
    """Changes to a server; data centre and hardware only while it is ordered."""

    _type_info = fields_of(ServerTable, _SERVER_ORDER)


class ServerFilter(CoreModel):
    """What to look for among servers; absent fields do not filter."""

    _type_info = [
        ("accountNumber", optional(Unicode, "Only this account's servers.")),
        *fields_of(ServerTable, ["status", "data_centre"]),
        ("text", optional(Unicode, "Part of the host name.")),
    ]


class Comment(CoreModel):
    """A comment on a ticket."""

    _type_info = [
        ("id", required(Integer, "The comment's id.")),
        ("ticketNumber", required(Unicode, "The ticket's number.")),
        ("author", required(Unicode, "The author's user name.")),
        *fields_of(CommentTable, ["body", "public"], ["body", "public"]),
        ("createdAt", required(DateTime, "When it was written (UTC).")),
    ]


class Ticket(CoreModel):
    """A trouble ticket with its comments (public ones only, for customers)."""

    _type_info = [
        *fields_of(TicketTable, ["number"], ["number"]),
        ("accountNumber", _ACCOUNT_NUMBER),
        ("serverNumber", optional(Unicode, "The server it is about.")),
        *fields_of(
            TicketTable,
            ["subject", "description", "severity", "status"],
            ["subject", "description", "severity", "status"],
        ),
        ("assignee", optional(Unicode, "The assigned agent's user name.")),
        ("openedBy", required(Unicode, "Who opened it.")),
        *fields_of(TicketTable, ["resolution"]),
        *fields_of(TicketTable, ["response_due_at"], ["response_due_at"]),
        *fields_of(TicketTable, ["responded_at", "solved_at"]),
        ("overdue", required(Boolean, "Whether the first response is late.")),
        *_STAMPS,
        ("comments", Array(Comment, min_occurs=1, nillable=False, doc="Oldest first.")),
    ]


class TicketInput(CoreModel):
    """A new ticket."""

    _type_info = [
        ("accountNumber", _ACCOUNT_NUMBER),
        *fields_of(TicketTable, ["subject", "description"], ["subject", "description"]),
        *fields_of(TicketTable, ["severity"]),
        (
            "serverNumber",
            optional(Unicode, "The server it is about; needed for emergencies."),
        ),
    ]


class TicketFilter(CoreModel):
    """What to look for among tickets; absent fields do not filter."""

    _type_info = [
        ("accountNumber", optional(Unicode, "Only this account's tickets.")),
        *fields_of(TicketTable, ["status", "severity"]),
        ("assignee", optional(Unicode, "The assignee's user name.")),
        ("text", optional(Unicode, "Part of the subject, any case.")),
        ("overdue", optional(Boolean, "Only tickets whose first response is late.")),
        ("serverNumber", optional(Unicode, "Only tickets about this server.")),
    ]


class FieldChange(CoreModel):
    """One field's value before and after a change."""

    _type_info = [
        ("field", required(Unicode, "The field's name.")),
        ("old", optional(Unicode, "The value before; absent for none.")),
        ("new", optional(Unicode, "The value after; absent for none.")),
    ]


class HistoryEntry(CoreModel):
    """One recorded change of an entity."""

    _type_info = [
        ("entityType", required(Unicode, "user, account, contact, server or ticket.")),
        ("key", required(Unicode, "The entity's number, user name or id.")),
        ("action", required(Unicode, "What was done.")),
        ("actor", required(Unicode, "Who did it.")),
        ("at", required(DateTime, "When (UTC).")),
        ("changes", Array(FieldChange, min_occurs=1, nillable=False)),
    ]


AccountPage = page_type(Account, "AccountPage", "One page of accounts.")
ServerPage = page_type(Server, "ServerPage", "One page of servers.")
TicketPage = page_type(Ticket, "TicketPage", "One page of tickets.")
UserPage = page_type(User, "UserPage", "One page of users.")
