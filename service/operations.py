"""The SOAP operations: one thin function per business capability.

Each operation takes the acting user's session from the request context (set by
:mod:`service.auth`), calls the business API, and turns its record into the
contract's type. Errors are turned into faults by the application itself, so an
operation only says what it does; its docstring becomes its WSDL documentation.
"""

from __future__ import annotations

from typing import Any

from spyne import Boolean, Integer, ServiceBase, Unicode, rpc

import api
from api.core import Session
from api.tables import ENTITY_TYPES, SCHEMA, TICKET_STATUSES
from service import models as m
from service.fastxml import FastSoap11
from service.faults import FAULTS
from service.types import Reply, required, to_arguments

RequestId = Unicode(
    max_len=100,
    doc="Your id for this request; a retry with it returns the first result.",
)
ExpectedVersion = Integer(
    min_occurs=1, nillable=False, doc="The version you read; a stale one is refused."
)
OptionalVersion = Integer(
    doc="The version you read; when given, a stale one is refused."
)
PageSize = Integer(ge=1, le=500, doc="Results per page: 1 to 500, 50 when absent.")
Cursor = Unicode(max_len=2000, doc="The nextCursor of the previous page.")
AccountNumber = required(Unicode, "The account's number, e.g. A-100042.", max_len=12)
ServerNumber = required(Unicode, "The server's number, e.g. S-200017.", max_len=12)
TicketNumber = required(Unicode, "The ticket's number, e.g. T-300123.", max_len=12)
Username = required(Unicode, "The user's sign-in name.", max_len=64)
ContactId = Integer(min_occurs=1, nillable=False, doc="The contact's id.")


def session(ctx: Any) -> Session:
    """The acting user's session, set when the request was authenticated."""
    return ctx.udc.session  # type: ignore[no-any-return]


def changed_fields(value: Any) -> dict[str, Any]:
    """The fields an update names; an empty text clears an optional field."""
    found = to_arguments(value)
    return {name: (None if item == "" else item) for name, item in found.items()}


def reply(ctx: Any, model: type, record: Any) -> Any:
    """Answer with ``record`` as the contract's ``model``.

    The fast response writer reads the record itself; Spyne's own serializer
    gets Spyne objects. A list of records answers with a list of ``model``.
    """
    answer = Reply(model, record)
    return answer if isinstance(ctx.out_protocol, FastSoap11) else answer.to_model()


def page(ctx: Any, model: type, result: Any) -> Any:
    """Turn a business page into the contract's page type."""
    return reply(ctx, model, result)


class GeneralService(ServiceBase):
    """Operations for every caller."""

    @rpc(_returns=m.PingResult, _throws=FAULTS)
    def ping(ctx):
        """Tell that the service answers: its version, schema version and clock.

        Needs no authentication.
        """
        return m.PingResult(
            serviceVersion=api.__version__,
            schemaVersion=SCHEMA.version,
            serverTime=ctx.udc.clock(),
        )

    @rpc(_returns=m.User, _throws=FAULTS)
    def whoAmI(ctx):
        """Return the user the request is authenticated as."""
        return reply(ctx, m.User, session(ctx).users.who_am_i())

    @rpc(
        required(
            Unicode, "user, account, contact, server or ticket.", values=ENTITY_TYPES
        ),
        required(Unicode, "The entity's number, user name or contact id.", max_len=64),
        _returns=m.HistoryEntry.customize(max_occurs="unbounded"),
        _throws=FAULTS,
    )
    def getHistory(ctx, entityType, key):
        """Return every recorded change of one entity, oldest first (staff only)."""
        entries = session(ctx).history.list(entityType, key)
        return reply(ctx, m.HistoryEntry, list(entries))


class UserService(ServiceBase):
    """Managing users (administrators only)."""

    @rpc(
        m.UserInput.customize(min_occurs=1, nillable=False),
        RequestId,
        _returns=m.User,
        _throws=FAULTS,
    )
    def createUser(ctx, user, requestId):
        """Create a user; a customer user needs the number of its account."""
        record = session(ctx).users.create(**to_arguments(user), request_id=requestId)
        return reply(ctx, m.User, record)

    @rpc(Username, _returns=m.User, _throws=FAULTS)
    def getUser(ctx, username):
        """Return one user by user name."""
        return reply(ctx, m.User, session(ctx).users.get(username))

    @rpc(
        Username,
        m.UserChanges.customize(min_occurs=1, nillable=False),
        ExpectedVersion,
        _returns=m.User,
        _throws=FAULTS,
    )
    def updateUser(ctx, username, changes, expectedVersion):
        """Change a user's name, e-mail, role, account, active flag or password."""
        record = session(ctx).users.update(
            username, changed_fields(changes), expectedVersion
        )
        return reply(ctx, m.User, record)

    @rpc(m.UserFilter, PageSize, Cursor, _returns=m.UserPage, _throws=FAULTS)
    def searchUsers(ctx, filter, pageSize, cursor):  # noqa: A002
        """Return a page of users in user-name order."""
        result = session(ctx).users.search(
            **to_arguments(filter), page_size=pageSize, cursor=cursor
        )
        return page(ctx, m.UserPage, result)


class AccountService(ServiceBase):
    """Accounts and their life cycle."""

    @rpc(
        m.AccountInput.customize(min_occurs=1, nillable=False),
        RequestId,
        _returns=m.Account,
        _throws=FAULTS,
    )
    def createAccount(ctx, account, requestId):
        """Create a prospect account and return it with its new number."""
        record = session(ctx).accounts.create(
            **to_arguments(account), request_id=requestId
        )
        return reply(ctx, m.Account, record)

    @rpc(AccountNumber, _returns=m.Account, _throws=FAULTS)
    def getAccount(ctx, accountNumber):
        """Return one account by its number."""
        return reply(ctx, m.Account, session(ctx).accounts.get(accountNumber))

    @rpc(
        AccountNumber,
        m.AccountChanges.customize(min_occurs=1, nillable=False),
        ExpectedVersion,
        _returns=m.Account,
        _throws=FAULTS,
    )
    def updateAccount(ctx, accountNumber, changes, expectedVersion):
        """Change an account's name, SLA tier or manager."""
        record = session(ctx).accounts.update(
            accountNumber, changed_fields(changes), expectedVersion
        )
        return reply(ctx, m.Account, record)

    @rpc(m.AccountFilter, PageSize, Cursor, _returns=m.AccountPage, _throws=FAULTS)
    def searchAccounts(ctx, filter, pageSize, cursor):  # noqa: A002
        """Return a page of accounts, newest first, matching the filter."""
        result = session(ctx).accounts.search(
            **to_arguments(filter), page_size=pageSize, cursor=cursor
        )
        return page(ctx, m.AccountPage, result)

    @rpc(AccountNumber, OptionalVersion, _returns=m.Account, _throws=FAULTS)
    def activateAccount(ctx, accountNumber, expectedVersion):
        """Make a prospect account active; it needs a complete primary contact."""
        record = session(ctx).accounts.activate(accountNumber, expectedVersion)
        return reply(ctx, m.Account, record)

    @rpc(AccountNumber, OptionalVersion, _returns=m.Account, _throws=FAULTS)
    def suspendAccount(ctx, accountNumber, expectedVersion):
        """Suspend an active account and each of its online servers."""
        record = session(ctx).accounts.suspend(accountNumber, expectedVersion)
        return reply(ctx, m.Account, record)

    @rpc(AccountNumber, OptionalVersion, _returns=m.Account, _throws=FAULTS)
    def reactivateAccount(ctx, accountNumber, expectedVersion):
        """Make a suspended account active again; its servers stay suspended."""
        record = session(ctx).accounts.reactivate(accountNumber, expectedVersion)
        return reply(ctx, m.Account, record)

    @rpc(AccountNumber, OptionalVersion, _returns=m.Account, _throws=FAULTS)
    def closeAccount(ctx, accountNumber, expectedVersion):
        """Close an account for good: its servers decommissioned, tickets closed."""
        record = session(ctx).accounts.close(accountNumber, expectedVersion)
        return reply(ctx, m.Account, record)


class ContactService(ServiceBase):
    """The contacts of accounts."""

    @rpc(
        AccountNumber,
        m.ContactInput.customize(min_occurs=1, nillable=False),
        RequestId,
        _returns=m.Contact,
        _throws=FAULTS,
    )
    def addContact(ctx, accountNumber, contact, requestId):
        """Add a contact to an account; a new primary contact demotes the old one."""
        record = session(ctx).contacts.add(
            accountNumber, **to_arguments(contact), request_id=requestId
        )
        return reply(ctx, m.Contact, record)

    @rpc(ContactId, _returns=m.Contact, _throws=FAULTS)
    def getContact(ctx, contactId):
        """Return one contact by its id."""
        return reply(ctx, m.Contact, session(ctx).contacts.get(contactId))

    @rpc(
        ContactId,
        m.ContactChanges.customize(min_occurs=1, nillable=False),
        ExpectedVersion,
        _returns=m.Contact,
        _throws=FAULTS,
    )
    def updateContact(ctx, contactId, changes, expectedVersion):
        """Change a contact; making it primary demotes the account's old primary."""
        record = session(ctx).contacts.update(
            contactId, changed_fields(changes), expectedVersion
        )
        return reply(ctx, m.Contact, record)

    @rpc(ContactId, OptionalVersion, _returns=Boolean, _throws=FAULTS)
    def removeContact(ctx, contactId, expectedVersion):
        """Remove a contact; an active account's primary contact stays."""
        session(ctx).contacts.remove(contactId, expectedVersion)
        return True

    @rpc(
        AccountNumber,
        _returns=m.Contact.customize(max_occurs="unbounded"),
        _throws=FAULTS,
    )
    def listContacts(ctx, accountNumber):
        """Return every contact of an account, primary first."""
        contacts = session(ctx).contacts.list(accountNumber)
        return reply(ctx, m.Contact, list(contacts))


class ServerService(ServiceBase):
    """Ordering, provisioning and tracking servers."""

    @rpc(
        AccountNumber,
        m.ServerOrder.customize(min_occurs=1, nillable=False),
        RequestId,
        _returns=m.Server,
        _throws=FAULTS,
    )
    def orderServer(ctx, accountNumber, order, requestId):
        """Order a server for an active account."""
        record = session(ctx).servers.order(
            accountNumber, **to_arguments(order), request_id=requestId
        )
        return reply(ctx, m.Server, record)

    @rpc(ServerNumber, _returns=m.Server, _throws=FAULTS)
    def getServer(ctx, serverNumber):
        """Return one server by its number."""
        return reply(ctx, m.Server, session(ctx).servers.get(serverNumber))

    @rpc(
        ServerNumber,
        m.ServerChanges.customize(min_occurs=1, nillable=False),
        ExpectedVersion,
        _returns=m.Server,
        _throws=FAULTS,
    )
    def updateServer(ctx, serverNumber, changes, expectedVersion):
        """Change a server's system or price; data centre and hardware while ordered."""
        record = session(ctx).servers.update(
            serverNumber, changed_fields(changes), expectedVersion
        )
        return reply(ctx, m.Server, record)

    @rpc(m.ServerFilter, PageSize, Cursor, _returns=m.ServerPage, _throws=FAULTS)
    def searchServers(ctx, filter, pageSize, cursor):  # noqa: A002
        """Return a page of servers, newest first, matching the filter."""
        result = session(ctx).servers.search(
            **to_arguments(filter), page_size=pageSize, cursor=cursor
        )
        return page(ctx, m.ServerPage, result)

    @rpc(ServerNumber, OptionalVersion, _returns=m.Server, _throws=FAULTS)
    def startProvisioning(ctx, serverNumber, expectedVersion):
        """Start provisioning an ordered server."""
        record = session(ctx).servers.start_provisioning(serverNumber, expectedVersion)
        return reply(ctx, m.Server, record)

    @rpc(
        ServerNumber,
        required(Unicode, "The server's host name.", max_len=253),
        required(Unicode, "Its primary IPv4 or IPv6 address.", max_len=45),
        OptionalVersion,
        _returns=m.Server,
        _throws=FAULTS,
    )
    def completeProvisioning(ctx, serverNumber, hostname, primaryIp, expectedVersion):
        """Bring a provisioned server online with its host name and primary IP."""
        record = session(ctx).servers.complete_provisioning(
            serverNumber, hostname, primaryIp, expectedVersion
        )
        return reply(ctx, m.Server, record)

    @rpc(ServerNumber, OptionalVersion, _returns=m.Server, _throws=FAULTS)
    def suspendServer(ctx, serverNumber, expectedVersion):
        """Suspend an online server."""
        record = session(ctx).servers.suspend(serverNumber, expectedVersion)
        return reply(ctx, m.Server, record)

    @rpc(ServerNumber, OptionalVersion, _returns=m.Server, _throws=FAULTS)
    def resumeServer(ctx, serverNumber, expectedVersion):
        """Bring a suspended server online again; its account must be active."""
        record = session(ctx).servers.resume(serverNumber, expectedVersion)
        return reply(ctx, m.Server, record)

    @rpc(ServerNumber, OptionalVersion, _returns=m.Server, _throws=FAULTS)
    def decommissionServer(ctx, serverNumber, expectedVersion):
        """Decommission a server for good; its IP address may be reused."""
        record = session(ctx).servers.decommission(serverNumber, expectedVersion)
        return reply(ctx, m.Server, record)


class TicketService(ServiceBase):
    """Trouble tickets and their comments."""

    @rpc(
        m.TicketInput.customize(min_occurs=1, nillable=False),
        RequestId,
        _returns=m.Ticket,
        _throws=FAULTS,
    )
    def openTicket(ctx, ticket, requestId):
        """Open a ticket; its response is due by its severity and the SLA tier."""
        record = session(ctx).tickets.open(**to_arguments(ticket), request_id=requestId)
        return reply(ctx, m.Ticket, record)

    @rpc(TicketNumber, _returns=m.Ticket, _throws=FAULTS)
    def getTicket(ctx, ticketNumber):
        """Return one ticket with its comments (customers see public ones only)."""
        return reply(ctx, m.Ticket, session(ctx).tickets.get(ticketNumber))

    @rpc(m.TicketFilter, PageSize, Cursor, _returns=m.TicketPage, _throws=FAULTS)
    def searchTickets(ctx, filter, pageSize, cursor):  # noqa: A002
        """Return a page of tickets, newest first, matching the filter."""
        result = session(ctx).tickets.search(
            **to_arguments(filter), page_size=pageSize, cursor=cursor
        )
        return page(ctx, m.TicketPage, result)

    @rpc(
        TicketNumber,
        required(Unicode, "The comment's text.", max_len=20000),
        Boolean(min_occurs=1, nillable=False, doc="Whether the customer sees it."),
        _returns=m.Comment,
        _throws=FAULTS,
    )
    def addComment(ctx, ticketNumber, body, public):
        """Comment on a ticket; customers may only write public comments."""
        record = session(ctx).tickets.add_comment(ticketNumber, body, public)
        return reply(ctx, m.Comment, record)

    @rpc(
        TicketNumber,
        Unicode(max_len=64, doc="An agent's user name; absent unassigns."),
        OptionalVersion,
        _returns=m.Ticket,
        _throws=FAULTS,
    )
    def assignTicket(ctx, ticketNumber, assignee, expectedVersion):
        """Assign a ticket to an active agent, or unassign it."""
        record = session(ctx).tickets.assign(
            ticketNumber, assignee or None, expectedVersion
        )
        return reply(ctx, m.Ticket, record)

    @rpc(
        TicketNumber,
        required(Unicode, "The new status.", values=TICKET_STATUSES),
        Unicode(max_len=20000, doc="How it was solved; required to solve."),
        OptionalVersion,
        _returns=m.Ticket,
        _throws=FAULTS,
    )
    def changeTicketStatus(ctx, ticketNumber, status, resolution, expectedVersion):
        """Move a ticket through its life cycle; solving needs a resolution."""
        record = session(ctx).tickets.change_status(
            ticketNumber, status, resolution, expectedVersion
        )
        return reply(ctx, m.Ticket, record)


SERVICES = [
    GeneralService,
    UserService,
    AccountService,
    ContactService,
    ServerService,
    TicketService,
]
