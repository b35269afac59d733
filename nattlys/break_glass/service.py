"""Opening break-glass access, the patient's list of it, and administrators' review.

Services never commit; the endpoint does. The patient's open app is told after
the commit, so it never shows an opening that did not happen.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlmodel import Session, col, select

from nattlys import access
from nattlys.accounts.models import Role, User
from nattlys.api.errors import ApiError, not_found
from nattlys.audit import writer as audit
from nattlys.break_glass.models import BreakGlassAccess
from nattlys.break_glass.openings import active_opening
from nattlys.break_glass.schemas import BreakGlassPublic, BreakGlassReview
from nattlys.care_circles import membership
from nattlys.realtime.connections import notify_on_commit

LIVE_EVENT = "break_glass:opened"
_LIST_LIMIT = 200


def _names(db: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {u.id: u.display_name for u in db.exec(select(User).where(col(User.id).in_(wanted)))}


def _public(db: Session, row: BreakGlassAccess, names: dict[int, str], at: datetime) -> BreakGlassPublic:
    return BreakGlassPublic(
        id=row.id,
        supporter_id=row.supporter_id,
        supporter_name=names.get(row.supporter_id),
        supporter_team_kinds=membership.team_kinds_in_circle(
            db, supporter_id=row.supporter_id, patient_id=row.patient_id
        ),
        reason=row.reason,
        opened_at=row.opened_at,
        expires_at=row.expires_at,
        active=row.opened_at <= at < row.expires_at,
    )


def open_access(
    db: Session, *, supporter: User, patient: User, reason: str, at: datetime
) -> BreakGlassPublic:
    """Call after access.require_patient(..., Need.break_glass)."""
    if access.sees_checkins_without_break_glass(db, supporter, patient.id, at=at):
        raise ApiError(
            409, "not_needed", "You already see this patient's check-ins; no break-glass is needed."
        )
    current = active_opening(db, supporter_id=supporter.id, patient_id=patient.id, at=at)
    if current is not None:
        raise ApiError(
            409, "already_open", f"Your break-glass access is open until {current.expires_at.isoformat()}."
        )
    row = BreakGlassAccess(
        supporter_id=supporter.id,
        patient_id=patient.id,
        reason=reason,
        opened_at=at,
        expires_at=at + timedelta(minutes=current_app.config["BREAK_GLASS_MINUTES"]),
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=supporter,
        action="break_glass.open",
        object_type="break_glass",
        object_id=row.id,
        patient_id=patient.id,
        details={"until": row.expires_at.isoformat()},
    )
    public = _public(db, row, {supporter.id: supporter.display_name}, at)
    _tell_patient(patient.id, public)
    return public


def _tell_patient(patient_id: int, public: BreakGlassPublic) -> None:
    notify_on_commit(LIVE_EVENT, public.model_dump(mode="json"), [patient_id])


def for_patient(db: Session, *, patient: User, at: datetime) -> list[BreakGlassPublic]:
    """Every break-glass opening of this patient's data, newest first."""
    rows = list(
        db.exec(
            select(BreakGlassAccess)
            .where(BreakGlassAccess.patient_id == patient.id)
            .order_by(col(BreakGlassAccess.opened_at).desc(), col(BreakGlassAccess.id).desc())
            .limit(_LIST_LIMIT)
        ).all()
    )
    names = _names(db, {r.supporter_id for r in rows})
    return [_public(db, r, names, at) for r in rows]


def _review(db: Session, row: BreakGlassAccess, names: dict[int, str], at: datetime) -> BreakGlassReview:
    return BreakGlassReview(
        **_public(db, row, names, at).model_dump(),
        patient_id=row.patient_id,
        patient_name=names.get(row.patient_id),
        reviewed_at=row.reviewed_at,
        reviewed_by_name=names.get(row.reviewed_by_id) if row.reviewed_by_id else None,
        review_note=row.review_note,
    )


def for_review(db: Session, *, viewer: User, unreviewed: bool, at: datetime) -> list[BreakGlassReview]:
    """Administrators' list. Who opened whose data is the patient's data, so
    each patient shown gets an audit row."""
    stmt = select(BreakGlassAccess)
    if unreviewed:
        stmt = stmt.where(col(BreakGlassAccess.reviewed_at).is_(None))
    rows = list(
        db.exec(
            stmt.order_by(col(BreakGlassAccess.opened_at).desc(), col(BreakGlassAccess.id).desc()).limit(
                _LIST_LIMIT
            )
        ).all()
    )
    names = _names(db, {i for r in rows for i in (r.supporter_id, r.patient_id, r.reviewed_by_id)})
    for patient_id in sorted({r.patient_id for r in rows}):
        audit.record(
            db, actor=viewer, action="break_glass.list", object_type="break_glass", patient_id=patient_id
        )
    return [_review(db, r, names, at) for r in rows]


def mark_reviewed(db: Session, *, admin: User, opening_id: int, note: str, at: datetime) -> BreakGlassReview:
    row = db.get(BreakGlassAccess, opening_id)
    if row is None:
        raise not_found("No such break-glass access.")
    if row.reviewed_at is None:
        row.reviewed_at = at
        row.reviewed_by_id = admin.id
        row.review_note = note.strip() or None
        db.add(row)
        audit.record(
            db,
            actor=admin,
            action="break_glass.review",
            object_type="break_glass",
            object_id=row.id,
            patient_id=row.patient_id,
        )
    names = _names(db, {row.supporter_id, row.patient_id, row.reviewed_by_id})
    return _review(db, row, names, at)


def reading_details(db: Session, *, viewer: User, patient_id: int, at: datetime) -> dict[str, int] | None:
    """The audit details of a read made through break-glass access (None otherwise)."""
    if viewer.role != Role.supporter or access.sees_checkins_without_break_glass(
        db, viewer, patient_id, at=at
    ):
        return None
    opening = active_opening(db, supporter_id=viewer.id, patient_id=patient_id, at=at)
    return {"break_glass": opening.id} if opening and opening.id else None
