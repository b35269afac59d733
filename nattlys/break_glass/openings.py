"""Whether a supporter has the patient's record opened in an emergency now:
asked by `nattlys.access` on every read, so it depends on nothing above the model."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from nattlys.break_glass.models import BreakGlassAccess


def active_opening(
    db: Session, *, supporter_id: int, patient_id: int, at: datetime
) -> BreakGlassAccess | None:
    return db.exec(
        select(BreakGlassAccess)
        .where(
            BreakGlassAccess.supporter_id == supporter_id,
            BreakGlassAccess.patient_id == patient_id,
            col(BreakGlassAccess.opened_at) <= at,
            col(BreakGlassAccess.expires_at) > at,
        )
        .order_by(col(BreakGlassAccess.expires_at).desc())
        .limit(1)
    ).first()
