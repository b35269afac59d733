"""The one audit writer. Rows join the caller's transaction, so a write and its
audit row are committed together or not at all."""

from __future__ import annotations

from flask import g, has_request_context
from sqlmodel import Session

from server import clock
from server.accounts.models import User
from server.audit.models import AuditEntry


def record(
    db: Session,
    *,
    actor: User | None,
    action: str,
    object_type: str,
    patient_id: int | None = None,
    object_id: int | str | None = None,
    reason: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=clock.now(),
        actor_id=actor.id if actor else None,
        actor_role=str(actor.role) if actor else "anonymous",
        patient_id=patient_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        request_id=g.get("request_id") if has_request_context() else None,
        reason=reason,
    )
    db.add(entry)
    return entry
