"""Who may do what: the roles and the checks every business call makes.

``admin`` does everything; ``agent`` reads everything and writes accounts,
contacts, servers and tickets; ``readonly`` reads everything; ``customer`` sees
only its own account and what belongs to it, opens tickets and adds public
comments. A customer asking for another account's data is told it does not
exist, never that it is forbidden.
"""

from __future__ import annotations

from api.errors import Forbidden, NotFound
from api.tables import User

STAFF = frozenset({"admin", "agent", "readonly"})
WRITERS = frozenset({"admin", "agent"})


def is_staff(user: User) -> bool:
    """Whether the user works for the company (reads everything)."""
    return user.role in STAFF


def require_admin(user: User) -> None:
    """Refuse anyone but an administrator."""
    if user.role != "admin":
        raise Forbidden(f"user {user.username!r} is not an administrator")


def require_writer(user: User) -> None:
    """Refuse anyone who may not change accounts, servers and tickets."""
    if user.role not in WRITERS:
        raise Forbidden(f"user {user.username!r} ({user.role}) may not change data")


def require_staff(user: User) -> None:
    """Refuse customers."""
    if not is_staff(user):
        raise Forbidden(f"user {user.username!r} may not use this operation")


def may_see_account(user: User, account_id: int) -> bool:
    """Whether the user may see the account with this id."""
    return is_staff(user) or (user.role == "customer" and user.account_id == account_id)


def ensure_visible(user: User, account_id: int, missing: NotFound) -> None:
    """Raise ``missing`` when the user may not see the account's data."""
    if not may_see_account(user, account_id):
        raise missing
