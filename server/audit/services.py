"""Reading the audit log: the patient's "who has seen my data" and admin review."""

from __future__ import annotations

from sqlmodel import Session, col, or_, select

from server.accounts.models import User
from server.audit import writer
from server.audit.models import AuditEntry, AuditEntryPublic


def _kinds(stored: str) -> list[str]:
    """Team kinds as they were when the row was written."""
    return stored.split(",") if stored else []


def entries(
    db: Session,
    *,
    patient_id: int | None = None,
    exclude_actor_id: int | None = None,
    actor_id: int | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[AuditEntryPublic]:
    stmt = select(AuditEntry, User).join(User, col(User.id) == col(AuditEntry.actor_id), isouter=True)
    if patient_id is not None:
        stmt = stmt.where(AuditEntry.patient_id == patient_id)
    if exclude_actor_id is not None:
        # Keep rows whose actor account is gone (actor_id NULL): `!=` alone drops them.
        stmt = stmt.where(
            or_(col(AuditEntry.actor_id).is_(None), col(AuditEntry.actor_id) != exclude_actor_id)
        )
    if actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if before_id is not None:
        stmt = stmt.where(col(AuditEntry.id) < before_id)
    rows = db.exec(stmt.order_by(col(AuditEntry.id).desc()).limit(limit)).all()
    return [
        AuditEntryPublic(
            id=entry.id,  # type: ignore[arg-type]
            at=entry.at,
            actor_id=entry.actor_id,
            actor_name=actor.display_name if actor else None,
            actor_role=entry.actor_role,
            actor_team_kinds=_kinds(entry.actor_team_kinds),
            patient_id=entry.patient_id,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            reason=entry.reason,
            to_team_kinds=_kinds(entry.to_team_kinds),
        )
        for entry, actor in rows
    ]


def review(
    db: Session,
    *,
    viewer: User,
    patient_id: int | None = None,
    actor_id: int | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[AuditEntryPublic]:
    """An administrator's look at the log: who saw a patient's data is itself
    the patient's data, so each patient shown gets a row."""
    shown = entries(db, patient_id=patient_id, actor_id=actor_id, limit=limit, before_id=before_id)
    for pid in sorted({e.patient_id for e in shown if e.patient_id is not None}):
        writer.record(db, actor=viewer, action="audit.read", object_type="audit_log", patient_id=pid)
    return shown
