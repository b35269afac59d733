"""What staff read of a patient's check-ins: her trend, and tonight's list of
the patients a supporter is on duty for (worst first). Every read is audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from nattlys import access
from nattlys.accounts.models import User
from nattlys.checkins import plan_link
from nattlys.checkins.levels import worst_first
from nattlys.checkins.models import Checkin
from nattlys.checkins.reasons import sees_warning_signs
from nattlys.checkins.schemas import TonightItem, TrendPoint, TrendPublic
from nattlys.checkins.showing import audit_read, checkin_public
from nattlys.checkins.timing import tonight_start


def trend(
    db: Session,
    *,
    viewer: User,
    patient: User,
    days: int,
    at: datetime,
    details: dict[str, int] | None = None,
) -> TrendPublic:
    rows = db.exec(
        select(Checkin)
        .where(Checkin.patient_id == patient.id, col(Checkin.created_at) >= at - timedelta(days=days))
        .order_by(col(Checkin.created_at).desc(), col(Checkin.id).desc())
    ).all()
    bits = plan_link.plan_bits(db, patient.id)
    show = sees_warning_signs(db, viewer, patient.id, bits)
    audit_read(db, viewer, patient.id, "checkins", details)
    return TrendPublic(
        patient_id=patient.id,
        days=days,
        items=[checkin_public(c, show_signs=show) for c in rows],
        points=[TrendPoint(at=c.created_at, pressure=c.pressure, level=c.level) for c in reversed(rows)],
    )


def tonight(db: Session, *, supporter: User, at: datetime) -> list[TonightItem]:
    patient_ids = access.on_duty_patient_ids(db, supporter_id=supporter.id, at=at)
    if not patient_ids:
        return []
    rows = db.exec(
        select(Checkin, User)
        .join(User, col(User.id) == col(Checkin.patient_id))
        .where(col(Checkin.patient_id).in_(patient_ids), col(Checkin.created_at) >= tonight_start(at))
    ).all()
    ordered = sorted(rows, key=lambda r: (worst_first(r[0].level), -r[0].created_at.timestamp()))
    bits: dict[int, bool] = {}
    out = []
    for c, patient in ordered:
        if c.patient_id not in bits:
            bits[c.patient_id] = sees_warning_signs(
                db, supporter, c.patient_id, plan_link.plan_bits(db, c.patient_id)
            )
            audit_read(db, supporter, c.patient_id, "tonight")
        out.append(
            TonightItem(
                patient_id=patient.id,
                patient_name=patient.display_name,
                checkin=checkin_public(c, show_signs=bits[c.patient_id]),
            )
        )
    return out
