"""The follow-up after a discharge from an acute admission: 14 days of daily
check-ins, and the patient on the on-duty supporters' "recently discharged"
list until someone records contact."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from nattlys import access
from nattlys.accounts.models import User
from nattlys.api.errors import not_found
from nattlys.audit import writer as audit
from nattlys.checkins import timing
from nattlys.checkins.models import Checkin, Discharge
from nattlys.checkins.schemas import DischargeIn, DischargePublic, RecentlyDischargedItem
from nattlys.checkins.service import active_discharges, field_error
from nattlys.checkins.showing import audit_read
from nattlys.clock import OSLO

DISCHARGE_MAX_AGE_DAYS = 30


def _names(db: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {u.id: u.display_name for u in db.exec(select(User).where(col(User.id).in_(wanted)))}


def discharge_public(db: Session, d: Discharge) -> DischargePublic:
    names = _names(db, {d.recorded_by_id, d.contact_by_id})
    return DischargePublic(
        id=d.id,
        patient_id=d.patient_id,
        discharge_date=d.discharge_date,
        follow_up_until=d.discharge_date + timedelta(days=timing.DISCHARGE_FOLLOW_UP_DAYS),
        recorded_at=d.recorded_at,
        recorded_by_name=names.get(d.recorded_by_id) if d.recorded_by_id else None,
        contact_at=d.contact_at,
        contact_by_name=names.get(d.contact_by_id) if d.contact_by_id else None,
    )


def record_discharge(
    db: Session, *, supporter: User, patient: User, data: DischargeIn, at: datetime
) -> DischargePublic:
    today = at.astimezone(OSLO).date()
    if data.discharge_date > today:
        raise field_error(["discharge_date"], "in_future", "a discharge date cannot be in the future")
    if data.discharge_date < today - timedelta(days=DISCHARGE_MAX_AGE_DAYS):
        raise field_error(["discharge_date"], "too_old", f"at most {DISCHARGE_MAX_AGE_DAYS} days ago")
    same = db.exec(
        select(Discharge).where(
            Discharge.patient_id == patient.id, Discharge.discharge_date == data.discharge_date
        )
    ).first()
    if same is None:
        same = Discharge(
            patient_id=patient.id,
            discharge_date=data.discharge_date,
            recorded_by_id=supporter.id,
            recorded_at=at,
        )
        db.add(same)
        db.flush()
    audit.record(
        db,
        actor=supporter,
        action="discharge.write",
        object_type="discharge",
        object_id=same.id,
        patient_id=patient.id,
    )
    return discharge_public(db, same)


def record_contact(db: Session, *, supporter: User, patient: User, at: datetime) -> DischargePublic:
    today = at.astimezone(OSLO).date()
    current = active_discharges(db, [patient.id], today).get(patient.id)
    if current is None:
        raise not_found("This patient is not in a follow-up period after discharge.")
    if current.contact_at is None:
        current.contact_at = at
        current.contact_by_id = supporter.id
        db.add(current)
        audit.record(
            db,
            actor=supporter,
            action="discharge.contact",
            object_type="discharge",
            object_id=current.id,
            patient_id=patient.id,
        )
    return discharge_public(db, current)


def recently_discharged(db: Session, *, supporter: User, at: datetime) -> list[RecentlyDischargedItem]:
    """Patients in their 14 days after discharge whom nobody has recorded
    contact with yet, among those this supporter is on duty for now."""
    patient_ids = access.on_duty_patient_ids(db, supporter_id=supporter.id, at=at)
    if not patient_ids:
        return []
    today = at.astimezone(OSLO).date()
    current = {
        p: d for p, d in active_discharges(db, sorted(patient_ids), today).items() if d.contact_at is None
    }
    out = []
    for patient_id, d in sorted(current.items(), key=lambda kv: kv[1].discharge_date):
        patient = db.get(User, patient_id)
        if patient is None:
            continue
        last = db.exec(
            select(Checkin)
            .where(Checkin.patient_id == patient_id)
            .order_by(col(Checkin.created_at).desc())
            .limit(1)
        ).first()
        audit_read(db, supporter, patient_id, "recently_discharged")
        out.append(
            RecentlyDischargedItem(
                patient_id=patient_id,
                patient_name=patient.display_name,
                discharge_id=d.id,
                discharge_date=d.discharge_date,
                day=(today - d.discharge_date).days,
                last_checkin_at=last.created_at if last else None,
                last_level=last.level if last else None,
            )
        )
    return out
