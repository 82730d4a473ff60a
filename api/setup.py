"""Setting up a new CORE database: its schema and its first administrator."""

from __future__ import annotations

import logging
import secrets

from api import passwords
from api.core import Core
from api.db import Database
from api.tables import SCHEMA, User

logger = logging.getLogger(__name__)


def initialize(db: Database, admin_password: str | None = None) -> str | None:
    """Create the schema and an ``admin`` user in an empty database.

    :param admin_password: the administrator's password; one is generated
        when none is given.
    :returns: the generated password, to be shown once, or ``None`` when the
        database already had a schema or a password was given.
    """
    if SCHEMA.installed_version(db) is not None:
        return None
    SCHEMA.create(db)
    generated = None
    if admin_password is None:
        generated = admin_password = secrets.token_urlsafe(15)
    create_user(
        db, "admin", "Administrator", "admin@example.com", "admin", admin_password
    )
    logger.info("created the schema and the admin user")
    return generated


def create_user(
    db: Database,
    username: str,
    display_name: str,
    email: str,
    role: str,
    password: str,
    account_id: int | None = None,
) -> User:
    """Insert a user directly, outside any session: for setting up only."""
    secret = passwords.hash_password(passwords.check_strength(password))
    return User.insert(
        db,
        username=username,
        display_name=display_name,
        email=email,
        role=role,
        password_hash=secret,
        account_id=account_id,
    )


def open_core(url: str, admin_password: str | None = None) -> tuple[Core, str | None]:
    """Open CORE at ``url``, initializing an empty database first."""
    core = Core.open(url, check=False)
    generated = initialize(core.db, admin_password)
    SCHEMA.check(core.db)
    return core, generated
