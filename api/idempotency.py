"""Idempotent creation: a retried create with the same request id is answered once.

A client that timed out cannot know whether its create went through; it sends
the same request again with the same request id. The first answer is kept as
the key of what was created, together with a hash of the request's data: a
retry gets that entity back, and a reuse of the id with other data is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from api.db import UniqueViolation
from api.errors import Conflict
from api.history import portable
from api.tables import Request

if TYPE_CHECKING:
    from api.core import Session


def fingerprint(operation: str, payload: Mapping[str, Any]) -> str:
    """Return a stable hash of an operation and its data."""
    data = {name: portable(value) for name, value in payload.items()}
    text = json.dumps([operation, data], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def once(
    session: Session,
    operation: str,
    request_id: str | None,
    payload: Mapping[str, Any],
    create: Callable[[], str],
) -> str:
    """Run ``create`` once per request id and return the key it created.

    :param create: does the work in the caller's name and returns the new
        entity's key; it runs in the same transaction as the request's record.
    :raises Conflict: when the request id was used before for other data.
    """
    if request_id is None:
        with session.db.transaction():
            return create()
    normalized = Request.normalize({"request_id": request_id})["request_id"]
    digest = fingerprint(operation, payload)
    try:
        with session.db.transaction():
            earlier = _earlier(session, normalized, operation, digest)
            if earlier is not None:
                return earlier
            key = create()
            Request.insert(
                session.db,
                user_id=session.user.id,
                request_id=normalized,
                operation=operation,
                fingerprint=digest,
                entity_key=key,
                created_at=session.now(),
            )
            return key
    except UniqueViolation:
        # A concurrent retry committed first; answer with what it created.
        earlier = _earlier(session, normalized, operation, digest)
        if earlier is None:
            raise
        return earlier


def _earlier(
    session: Session, request_id: str, operation: str, digest: str
) -> str | None:
    found = Request.first(session.db, user_id=session.user.id, request_id=request_id)
    if found is None:
        return None
    if found.operation != operation or found.fingerprint != digest:
        error = Conflict(
            f"request id {request_id!r} was already used for a different request",
            field="requestId",
            value=request_id,
        )
        error.rule = "request_id_reused"
        raise error
    return str(found.entity_key)
