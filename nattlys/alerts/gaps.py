"""Recording and listing gaps: one open row per waiting chat or alert, closed
when a person takes it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from nattlys.accounts.models import User
from nattlys.alerts.models import CareGap
from nattlys.alerts.schemas import GapRow
from nattlys.audit import writer as audit
from nattlys.clock import OSLO


def _open_row(db: Session, *, conversation_id: int | None, alert_id: int | None) -> CareGap | None:
    stmt = select(CareGap).where(col(CareGap.ended_at).is_(None))
    if conversation_id is not None:
        stmt = stmt.where(CareGap.conversation_id == conversation_id)
    else:
        stmt = stmt.where(CareGap.alert_id == alert_id)
    return db.exec(stmt.order_by(col(CareGap.id).desc())).first()


def open_gap(
    db: Session,
    *,
    patient_id: int,
    kind: str,
    at: datetime,
    shown: str,
    conversation_id: int | None = None,
    alert_id: int | None = None,
) -> CareGap:
    """Start a gap, or, if one is already open for this chat or alert, keep it
    (its kind and what was shown move to the latest)."""
    row = _open_row(db, conversation_id=conversation_id, alert_id=alert_id)
    if row is None:
        row = CareGap(
            patient_id=patient_id,
            kind=kind,
            started_at=at,
            shown=shown,
            conversation_id=conversation_id,
            alert_id=alert_id,
        )
    else:
        row.kind, row.shown = kind, shown
    db.add(row)
    return row


def count_reoffer(db: Session, *, conversation_id: int | None = None, alert_id: int | None = None) -> None:
    row = _open_row(db, conversation_id=conversation_id, alert_id=alert_id)
    if row is not None:
        row.reoffers += 1
        db.add(row)


def close_gap(
    db: Session, *, at: datetime, conversation_id: int | None = None, alert_id: int | None = None
) -> None:
    row = _open_row(db, conversation_id=conversation_id, alert_id=alert_id)
    if row is not None:
        row.ended_at = at
        db.add(row)


def list_gaps(db: Session, *, viewer: User, since: datetime, at: datetime) -> list[GapRow]:
    rows = db.exec(
        select(CareGap, User)
        .join(User, col(User.id) == col(CareGap.patient_id))
        .where(col(CareGap.started_at) >= since)
        .order_by(col(CareGap.started_at).desc())
    ).all()
    out = []
    for gap, patient in rows:
        local = gap.started_at.astimezone(OSLO)
        year, week, _ = local.isocalendar()
        end = gap.ended_at or at
        out.append(
            GapRow(
                id=gap.id,
                patient_id=patient.id,
                patient_name=patient.display_name,
                kind=gap.kind,
                started_at=gap.started_at,
                ended_at=gap.ended_at,
                minutes=max(0, int((end - gap.started_at).total_seconds() // 60)),
                still_open=gap.ended_at is None,
                shown=gap.shown,
                reoffers=gap.reoffers,
                week=f"{year}-W{week:02d}",
                local_hour=local.hour,
            )
        )
    for patient_id in sorted({r.patient_id for r in out}):
        audit.record(db, actor=viewer, action="gaps.read", object_type="gaps", patient_id=patient_id)
    return out
