"""SOAP faults: every business error becomes a fault with a stable code and detail.

Each fault class is declared in the WSDL (through ``_throws``) with the same
detail shape: the business code, a message, the field and rule concerned, and
for internal errors an incident id that is also written to the log beside the
traceback. A fault never carries a traceback, a path, SQL, or more than a short
excerpt of a refused value.
"""

from __future__ import annotations

import logging
import uuid

from lxml.builder import ElementMaker
from spyne import Fault, Unicode

from api.db import errors as db_errors
from service.types import TNS, camel

logger = logging.getLogger(__name__)

_E = ElementMaker(namespace=TNS, nsmap={"tns": TNS})
_DETAIL = [
    ("code", Unicode(min_occurs=1, nillable=False, doc="The stable business code.")),
    ("message", Unicode(min_occurs=1, nillable=False, doc="What failed and why.")),
    ("field", Unicode(min_occurs=0, nillable=True, doc="The input field concerned.")),
    ("rule", Unicode(min_occurs=0, nillable=True, doc="The rule that refused it.")),
    ("incidentId", Unicode(min_occurs=0, nillable=True, doc="Quote it to support.")),
]


class CoreFault(Fault):
    """Base of CORE's faults; the detail element is named after the class."""

    __namespace__ = TNS
    _type_info = _DETAIL
    faultcode = "Server.Internal"

    class Annotations(Fault.Annotations):
        """Each fault's docstring becomes its documentation in the WSDL."""

        __use_parent_doc__ = True

    def __init__(
        self,
        message: str,
        *,
        code: str,
        field: str | None = None,
        rule: str | None = None,
        incident: str | None = None,
    ) -> None:
        super().__init__(self.faultcode, message)
        parts = [_E.code(code), _E.message(message)]
        parts += [
            getattr(_E, name)(value)
            for name, value in (
                ("field", field),
                ("rule", rule),
                ("incidentId", incident),
            )
            if value
        ]
        self.detail = getattr(_E, type(self).get_type_name())(*parts)


class ValidationFault(CoreFault):
    """An input value was refused: the detail names the field and the rule."""

    faultcode = "Client.Validation"


class NotFoundFault(CoreFault):
    """The entity named does not exist, or the caller may not see it."""

    faultcode = "Client.NotFound"


class ConflictFault(CoreFault):
    """Somebody changed the entity first, or a unique value is taken."""

    faultcode = "Client.Conflict"


class ForbiddenFault(CoreFault):
    """The caller's role does not allow the operation."""

    faultcode = "Client.Forbidden"


class AuthenticationFault(CoreFault):
    """The credentials are missing or wrong, or the user is locked for a while."""

    faultcode = "Client.Authentication"


class BusinessRuleFault(CoreFault):
    """The operation breaks a business rule; the detail's rule names it."""

    faultcode = "Client.BusinessRule"


class UnavailableFault(CoreFault):
    """The database cannot be reached; retrying later is safe."""

    faultcode = "Server.Unavailable"


class InternalFault(CoreFault):
    """Something unexpected failed; the incident id is in the server's log."""

    faultcode = "Server.Internal"


FAULTS = [
    ValidationFault,
    NotFoundFault,
    ConflictFault,
    ForbiddenFault,
    AuthenticationFault,
    BusinessRuleFault,
    UnavailableFault,
    InternalFault,
]
_BY_CODE: dict[str, type[CoreFault]] = {
    "validation": ValidationFault,
    "not_found": NotFoundFault,
    "conflict": ConflictFault,
    "forbidden": ForbiddenFault,
    "authentication": AuthenticationFault,
    "unavailable": UnavailableFault,
}


def to_fault(error: BaseException) -> CoreFault:
    """Return the fault a caller gets for ``error``."""
    if not isinstance(error, db_errors.Error):
        return internal(error)
    code = getattr(error, "code", "internal")
    if code.startswith("rule:"):
        return BusinessRuleFault(
            str(error),
            code=code,
            field=_field(error),
            rule=getattr(error, "rule", None),
        )
    if isinstance(error, db_errors.IntegrityError) and not isinstance(
        error, db_errors.ConflictError
    ):
        return ConflictFault(
            "the change conflicts with data already stored (a value that must be"
            " unique is taken, or a referenced entity is missing)",
            code="conflict",
        )
    if code == "unavailable":
        logger.warning("database unavailable: %s", error)
        return UnavailableFault(
            "the database is unavailable; retry the request later", code=code
        )
    fault_class = _BY_CODE.get(code)
    if fault_class is None:
        return internal(error)
    return fault_class(
        str(error), code=code, field=_field(error), rule=getattr(error, "rule", None)
    )


def _field(error: BaseException) -> str | None:
    if isinstance(error, db_errors.ValidationError):
        return camel(error.column) if error.column else None
    field = getattr(error, "field", None)
    return camel(field) if isinstance(field, str) and "_" in field else field


def internal(error: BaseException) -> InternalFault:
    """Log an unexpected error with a new incident id; return its fault."""
    incident = uuid.uuid4().hex[:16]
    logger.error("internal error, incident %s", incident, exc_info=error)
    return InternalFault(
        f"internal error; quote incident {incident} to support",
        code="internal",
        incident=incident,
    )
