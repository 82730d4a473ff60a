"""Business errors: every refusal of the business API, each with a stable code.

They extend the table layer's tree (:class:`api.db.errors.Error`), so one
``except Error`` catches everything CORE raises. The ``code`` of each error is
what the SOAP façade turns into a fault code: ``not_found``, ``validation``,
``conflict``, ``forbidden``, ``authentication`` and ``rule:<name>``.
"""

from __future__ import annotations

from typing import Any

from api.db.errors import (
    ConflictError,
    Error,
    NotFoundError,
    UniqueViolation,
    ValidationError,
)

__all__ = [
    "AuthenticationFailed",
    "BusinessError",
    "Conflict",
    "ConflictError",
    "Error",
    "Forbidden",
    "Invalid",
    "NotFound",
    "NotFoundError",
    "RuleViolation",
    "UniqueViolation",
    "ValidationError",
    "error_code",
]


class BusinessError(Error):
    """A refusal by a business rule.

    :param message: what was refused and why, fit to show to the caller.
    :param field: the input field the refusal is about, when there is one.
    :param value: the refused value, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None, value: Any = None):
        super().__init__(message)
        self.field = field
        self.value = value
        self.rule: str | None = None


class NotFound(BusinessError, NotFoundError):
    """The entity does not exist, or the caller may not know that it does."""

    code = "not_found"


class Invalid(BusinessError):
    """An input is missing or malformed in a way no column rule expresses."""

    code = "validation"

    def __init__(
        self, message: str, *, field: str, rule: str = "invalid", value: Any = None
    ):
        super().__init__(message, field=field, value=value)
        self.rule = rule


class Conflict(BusinessError):
    """The change collides with another: a taken name, a reused request id."""

    code = "conflict"


class Forbidden(BusinessError):
    """The acting user's role does not allow the operation."""

    code = "forbidden"


class AuthenticationFailed(BusinessError):
    """The credentials are missing, wrong, or belong to an inactive user."""

    code = "authentication"


class RuleViolation(BusinessError):
    """The operation breaks a business rule such as ``account_not_active``.

    :param rule: the rule's stable name; the error's code is ``rule:<rule>``.
    """

    def __init__(self, rule: str, message: str, *, field: str | None = None):
        super().__init__(message, field=field)
        self.rule = rule
        self.code = f"rule:{rule}"


def error_code(error: BaseException) -> str:
    """Return the stable code of any error; ``internal`` for the unexpected."""
    return (
        getattr(error, "code", "internal") if isinstance(error, Error) else "internal"
    )
