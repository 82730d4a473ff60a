"""The entry point of the business API: open CORE, then act as one of its users.

Any program uses CORE the same way the SOAP service does::

    import api

    core = api.Core.open("sqlite:///core.db")
    session = core.as_user("billing-job")
    for server in session.servers.search(status="online").items:
        ...

Every operation runs in the acting user's name: it checks that user's
permission itself and records who made each change.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from api import passwords
from api.credentials import CredentialCache
from api.db import Database, ValidationError, connect, utcnow
from api.errors import AuthenticationFailed, Invalid
from api.tables import SCHEMA, User

if TYPE_CHECKING:
    from api.accounts import Accounts
    from api.contacts import Contacts
    from api.history import HistoryArea
    from api.servers import Servers
    from api.tickets import Tickets
    from api.users import Users

logger = logging.getLogger(__name__)

#: The page size of a search when the caller names none, and the largest allowed.
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class Core:
    """An opened CORE database.

    :param db: the database, with its schema at the code's version.
    :param clock: returns the current UTC time; tests pass their own.
    """

    def __init__(
        self,
        db: Database,
        clock: Callable[[], dt.datetime] = utcnow,
        credentials: CredentialCache | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.credentials = credentials or CredentialCache()

    @classmethod
    def open(cls, url: str, *, check: bool = True, **options: Any) -> Core:
        """Open the CORE database at ``url``.

        :param check: refuse a database whose schema is not the code's version
            (the message names the command that fixes it).
        :param options: passed to the database: ``pool_size``, ``timeout``.
        """
        db = connect(url, **options)
        if check:
            SCHEMA.check(db)
        return cls(db)

    def close(self) -> None:
        """Close the database's connections."""
        self.db.close()

    def as_user(self, username: str) -> Session:
        """Return a session acting as ``username``, trusted without a password.

        For programs that run beside CORE (a billing job, a migration script);
        remote callers go through :meth:`authenticate`.
        """
        user = User.first(self.db, username=username)
        if user is None or not user.active:
            raise AuthenticationFailed(f"no active user {username!r}")
        return Session(self, user)

    def authenticate(self, username: str, password: str) -> Session:
        """Return a session for the user whose password this is.

        :raises AuthenticationFailed: for an unknown or inactive user or a wrong
            password alike, after the same amount of work.
        """
        user = self._find_user(username)
        if user is not None and user.active:
            if self.credentials.verified(username, password, user.password_hash):
                return Session(self, user)
        stored = user.password_hash if user is not None else passwords.DUMMY_HASH
        matches = passwords.verify_password(password, stored)
        if user is None or not matches or not user.active:
            raise AuthenticationFailed("unknown user name or wrong password")
        self.credentials.remember(username, password, user.password_hash)
        return Session(self, user)

    def _find_user(self, username: str) -> User | None:
        try:
            return User.first(self.db, username=username)
        except ValidationError:
            return None


class Session:
    """One acting user's view of CORE; each area of the business is an attribute.

    :param core: the opened CORE.
    :param user: the acting user, as stored.
    """

    def __init__(self, core: Core, user: User) -> None:
        self.core = core
        self.db = core.db
        self.user = user

    def now(self) -> dt.datetime:
        """The current time by CORE's clock."""
        return self.core.clock()

    @cached_property
    def users(self) -> Users:
        """Users and their roles (administrators only, but for ``who_am_i``)."""
        from api.users import Users

        return Users(self)

    @cached_property
    def accounts(self) -> Accounts:
        """Accounts and their life cycle."""
        from api.accounts import Accounts

        return Accounts(self)

    @cached_property
    def contacts(self) -> Contacts:
        """The contacts of accounts."""
        from api.contacts import Contacts

        return Contacts(self)

    @cached_property
    def servers(self) -> Servers:
        """Ordering, provisioning and tracking servers."""
        from api.servers import Servers

        return Servers(self)

    @cached_property
    def tickets(self) -> Tickets:
        """Trouble tickets and their comments."""
        from api.tickets import Tickets

        return Tickets(self)

    @cached_property
    def history(self) -> HistoryArea:
        """The recorded changes of every entity."""
        from api.history import HistoryArea

        return HistoryArea(self)


def page_size(size: Any) -> int:
    """Return a search's page size: the default for none, refused past the maximum."""
    if size is None:
        return DEFAULT_PAGE_SIZE
    if (
        isinstance(size, bool)
        or not isinstance(size, int)
        or not 1 <= size <= MAX_PAGE_SIZE
    ):
        raise Invalid(
            f"page size must be a whole number from 1 to {MAX_PAGE_SIZE}",
            field="pageSize",
            rule="page_size",
            value=size,
        )
    return size
