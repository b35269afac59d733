"""Reading the audit log: the patient's "who has seen my data" and admin review."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, and_, col, or_, select

from nattlys.accounts.auth_events import REENROLMENT_ACTIONS, is_about
from nattlys.accounts.models import AuthSession, User
from nattlys.audit import writer
from nattlys.audit.models import AuditEntry
from nattlys.audit.schemas import AuditEntryPublic

Actor = aliased(User)
Patient = aliased(User)
# Object types whose object_id is a user: shown by that person's name.
_USER_OBJECTS = ("account", "user")


def _with_names() -> Any:
    """Each row with its actor's and patient's names, in the same query."""
    return (
        select(AuditEntry, col(Actor.display_name), col(Patient.display_name))
        .join(Actor, col(Actor.id) == col(AuditEntry.actor_id), isouter=True)
        .join(Patient, col(Patient.id) == col(AuditEntry.patient_id), isouter=True)
    )


def _object_names(db: Session, rows: list[Any]) -> dict[str, str]:
    """The accounts a page's rows are about, by name: one query per page."""
    ids = {
        int(e.object_id) for e, _, _ in rows if e.object_type in _USER_OBJECTS and str(e.object_id).isdigit()
    }
    if not ids:
        return {}
    return {str(u.id): u.display_name for u in db.exec(select(User).where(col(User.id).in_(ids)))}


def _kinds(stored: str) -> list[str]:
    """Team kinds as they were when the row was written."""
    return stored.split(",") if stored else []


def _link_sessions(db: Session, user_id: int) -> list[tuple[datetime, datetime, str | None]]:
    """When sessions started with a staff-issued re-enrolment link were live,
    and who issued the link."""
    rows = db.exec(
        select(AuthSession, User)
        .join(User, col(User.id) == col(AuthSession.issued_by_id), isouter=True)
        .where(AuthSession.user_id == user_id, col(AuthSession.issued_by_id).is_not(None))
    ).all()
    return [
        (s.created_at, s.revoked_at or s.expires_at, issuer.display_name if issuer else None)
        for s, issuer in rows
    ]


def entries(
    db: Session,
    *,
    patient_id: int | None = None,
    exclude_actor_id: int | None = None,
    actor_id: int | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[AuditEntryPublic]:
    stmt = _with_names()
    if patient_id is not None:
        stmt = stmt.where(AuditEntry.patient_id == patient_id)
    windows: list[tuple[datetime, datetime, str | None]] = []
    if exclude_actor_id is not None:
        # Her own doings are left out, except the steps of a re-enrolment and
        # whatever was done through a session a staff member's link started.
        # Keep rows whose actor account is gone (actor_id NULL): `!=` alone drops them.
        windows = _link_sessions(db, exclude_actor_id)
        stmt = stmt.where(
            col(AuditEntry.object_type) != "account",
            or_(
                col(AuditEntry.actor_id).is_(None),
                col(AuditEntry.actor_id) != exclude_actor_id,
                col(AuditEntry.action).in_(REENROLMENT_ACTIONS),
                *(and_(col(AuditEntry.at) >= start, col(AuditEntry.at) <= end) for start, end, _ in windows),
            ),
        )
    return _public(
        db, stmt, actor_id=actor_id, before_id=before_id, limit=limit, windows=windows, own=exclude_actor_id
    )


def account_events(db: Session, *, user_id: int, limit: int = 100) -> list[AuditEntryPublic]:
    """What has happened to this account (logins, devices, factors, links)."""
    return _public(db, _with_names().where(is_about(user_id)), limit=limit)


def _public(
    db: Session,
    stmt: Any,
    *,
    actor_id: int | None = None,
    before_id: int | None = None,
    limit: int,
    windows: Sequence[tuple[datetime, datetime, str | None]] = (),
    own: int | None = None,
) -> list[AuditEntryPublic]:
    if actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if before_id is not None:
        stmt = stmt.where(col(AuditEntry.id) < before_id)
    rows = list(db.exec(stmt.order_by(col(AuditEntry.id).desc()).limit(limit)).all())
    objects = _object_names(db, rows)
    return [
        AuditEntryPublic(
            id=entry.id,
            at=entry.at,
            actor_id=entry.actor_id,
            actor_name=actor_name,
            actor_role=entry.actor_role,
            actor_team_kinds=_kinds(entry.actor_team_kinds),
            patient_id=entry.patient_id,
            patient_name=patient_name,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            object_name=objects.get(entry.object_id) if entry.object_type in _USER_OBJECTS else None,
            reason=entry.reason,
            details=_details(entry.details),
            to_team_kinds=_kinds(entry.to_team_kinds),
            via_link_issued_by=_issuer(entry, windows) if own is not None and entry.actor_id == own else None,
        )
        for entry, actor_name, patient_name in rows
    ]


def _details(details: dict[str, Any] | None) -> list[Any]:
    """In the order they are read out (JSON objects keep no order on the way)."""
    given = details or {}
    return [{"field": f, "value": given[f]} for f in writer.DETAIL_FIELDS if f in given]


def _issuer(entry: AuditEntry, windows: Sequence[tuple[datetime, datetime, str | None]]) -> str | None:
    return next((name for start, end, name in windows if start <= entry.at <= end), None)


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
