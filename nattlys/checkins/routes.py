"""/api/checkins and the check-in routes under /api/patients/<id>."""

from __future__ import annotations

from flask import Blueprint, g

from nattlys import access, clock
from nattlys.access import Need
from nattlys.accounts.models import Role, User
from nattlys.api.endpoints import endpoint
from nattlys.break_glass import service as break_glass
from nattlys.checkins import discharges, lists, service
from nattlys.checkins.schemas import (
    CheckinIn,
    CheckinResult,
    CheckinState,
    DischargeIn,
    DischargePublic,
    RecentlyDischargedItem,
    ScheduleIn,
    SchedulePublic,
    TonightItem,
    TrendPublic,
    TrendQuery,
)
from nattlys.db import get_db

bp = Blueprint("checkins", __name__, url_prefix="/api")


@bp.post("/checkins")
@endpoint(
    "Send my check-in (patients); a resend with the same idempotency key returns the first",
    tag="checkins",
    body=CheckinIn,
    response=CheckinResult,
    status=201,
    roles=(Role.patient,),
)
def submit(body: CheckinIn) -> CheckinResult:
    return service.submit(get_db(), patient=g.user, data=body, at=clock.now())


@bp.get("/checkins/state")
@endpoint(
    "What my app needs on opening: a pending reminder, my warning signs, emergency numbers (patients)",
    tag="checkins",
    response=CheckinState,
    roles=(Role.patient,),
)
def my_state() -> CheckinState:
    return service.state(get_db(), g.user, at=clock.now())


@bp.get("/checkins/tonight")
@endpoint(
    "Tonight's check-ins (since 16:00) of the patients I am on duty for, red first (supporters)",
    tag="checkins",
    response=list[TonightItem],
    roles=(Role.supporter,),
)
def tonight() -> list[TonightItem]:
    return lists.tonight(get_db(), supporter=g.user, at=clock.now())


@bp.get("/checkins/recently-discharged")
@endpoint(
    "Patients I am on duty for in their 14 days after discharge, with no contact recorded yet (supporters)",
    tag="checkins",
    response=list[RecentlyDischargedItem],
    roles=(Role.supporter,),
)
def recently_discharged() -> list[RecentlyDischargedItem]:
    return discharges.recently_discharged(get_db(), supporter=g.user, at=clock.now())


@bp.get("/patients/<int:patient_id>/checkins")
@endpoint(
    "A patient's check-ins of the last days, with chart points (the patient; supporters on duty for "
    "them now, primary contacts, break-glass)",
    tag="checkins",
    query=TrendQuery,
    response=TrendPublic,
    patient=Need.checkins,
)
def trend(patient: User, query: TrendQuery) -> TrendPublic:
    db = get_db()
    at = clock.now()
    why = break_glass.reading_details(db, viewer=g.user, patient_id=patient.id, at=at)
    return lists.trend(db, viewer=g.user, patient=patient, days=query.days, at=at, details=why)


@bp.get("/patients/<int:patient_id>/checkin-schedule")
@endpoint(
    "A patient's check-in schedule (the patient; supporters on duty for them now, primary contacts, break-glass)",
    tag="checkins",
    response=SchedulePublic,
    patient=Need.checkins,
)
def get_schedule(patient: User) -> SchedulePublic:
    db = get_db()
    at = clock.now()
    why = break_glass.reading_details(db, viewer=g.user, patient_id=patient.id, at=at)
    return service.read_schedule(db, viewer=g.user, patient=patient, at=at, details=why)


@bp.put("/patients/<int:patient_id>/checkin-schedule")
@endpoint(
    "Set the check-in schedule (the patient, or with the patient a supporter on duty for them or a primary "
    "contact); turning check-ins off or changing what happens after a missed one: the patient or a primary contact",
    tag="checkins",
    body=ScheduleIn,
    response=SchedulePublic,
    patient=Need.checkin_schedule,
)
def put_schedule(patient: User, body: ScheduleIn) -> SchedulePublic:
    db = get_db()
    if service.lowers_safety_net(db, patient=patient, data=body):
        access.require_patient(db, g.user, patient.id, Need.checkin_safety_net)
    return service.put_schedule(db, actor=g.user, patient=patient, data=body, at=clock.now())


@bp.post("/patients/<int:patient_id>/discharges")
@endpoint(
    "Record a discharge date: 14 days of daily check-ins and follow-up (supporters in the circle)",
    tag="checkins",
    body=DischargeIn,
    response=DischargePublic,
    status=201,
    roles=(Role.supporter,),
    patient=Need.follow_up,
)
def record_discharge(patient: User, body: DischargeIn) -> DischargePublic:
    db = get_db()
    return discharges.record_discharge(db, supporter=g.user, patient=patient, data=body, at=clock.now())


@bp.post("/patients/<int:patient_id>/discharges/contact")
@endpoint(
    "Record that someone has been in contact after the discharge (supporters in the circle)",
    tag="checkins",
    response=DischargePublic,
    roles=(Role.supporter,),
    patient=Need.follow_up,
)
def record_contact(patient: User) -> DischargePublic:
    db = get_db()
    return discharges.record_contact(db, supporter=g.user, patient=patient, at=clock.now())
