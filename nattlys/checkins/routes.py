"""/api/checkins and the check-in routes under /api/patients/<id>."""

from __future__ import annotations

from flask import Blueprint, g

from nattlys import access, clock
from nattlys.access import Need
from nattlys.accounts.models import Role, User
from nattlys.api.endpoints import Endpoints
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
api = Endpoints(bp, tag="checkins")


@api.post(
    "/checkins",
    "Send my check-in (patients); a resend with the same idempotency key returns the first",
    body=CheckinIn,
    response=CheckinResult,
    status=201,
    roles=(Role.patient,),
)
def submit(body: CheckinIn) -> CheckinResult:
    return service.submit(get_db(), patient=g.user, data=body, at=clock.now())


@api.get(
    "/checkins/state",
    "What my app needs on opening: a pending reminder, my warning signs, emergency numbers (patients)",
    response=CheckinState,
    roles=(Role.patient,),
)
def my_state() -> CheckinState:
    return service.state(get_db(), g.user, at=clock.now())


@api.get(
    "/checkins/tonight",
    "Tonight's check-ins (since 16:00) of the patients I am on duty for, red first (supporters)",
    response=list[TonightItem],
    roles=(Role.supporter,),
)
def tonight() -> list[TonightItem]:
    return lists.tonight(get_db(), supporter=g.user, at=clock.now())


@api.get(
    "/checkins/recently-discharged",
    "Patients I am on duty for in their 14 days after discharge, with no contact recorded yet (supporters)",
    response=list[RecentlyDischargedItem],
    roles=(Role.supporter,),
)
def recently_discharged() -> list[RecentlyDischargedItem]:
    return discharges.recently_discharged(get_db(), supporter=g.user, at=clock.now())


@api.get(
    "/patients/<int:patient_id>/checkins",
    "A patient's check-ins of the last days, with chart points (the patient; supporters on duty for "
    "them now, primary contacts, break-glass)",
    query=TrendQuery,
    response=TrendPublic,
    patient=Need.checkins,
)
def trend(patient: User, query: TrendQuery) -> TrendPublic:
    db = get_db()
    at = clock.now()
    why = break_glass.reading_details(db, viewer=g.user, patient_id=patient.id, at=at)
    return lists.trend(db, viewer=g.user, patient=patient, days=query.days, at=at, details=why)


@api.get(
    "/patients/<int:patient_id>/checkin-schedule",
    "A patient's check-in schedule (the patient; supporters on duty for them now, primary contacts, break-glass)",
    response=SchedulePublic,
    patient=Need.checkins,
)
def get_schedule(patient: User) -> SchedulePublic:
    db = get_db()
    at = clock.now()
    why = break_glass.reading_details(db, viewer=g.user, patient_id=patient.id, at=at)
    return service.read_schedule(db, viewer=g.user, patient=patient, at=at, details=why)


@api.put(
    "/patients/<int:patient_id>/checkin-schedule",
    "Set the check-in schedule (the patient, or with the patient a supporter on duty for them or a primary "
    "contact); turning check-ins off or changing what happens after a missed one: the patient or a primary contact",
    body=ScheduleIn,
    response=SchedulePublic,
    patient=Need.checkin_schedule,
)
def put_schedule(patient: User, body: ScheduleIn) -> SchedulePublic:
    db = get_db()
    if service.lowers_safety_net(db, patient=patient, data=body):
        access.require_patient(db, g.user, patient.id, Need.checkin_safety_net)
    return service.put_schedule(db, actor=g.user, patient=patient, data=body, at=clock.now())


@api.post(
    "/patients/<int:patient_id>/discharges",
    "Record a discharge date: 14 days of daily check-ins and follow-up (supporters in the circle)",
    body=DischargeIn,
    response=DischargePublic,
    status=201,
    roles=(Role.supporter,),
    patient=Need.follow_up,
)
def record_discharge(patient: User, body: DischargeIn) -> DischargePublic:
    db = get_db()
    return discharges.record_discharge(db, supporter=g.user, patient=patient, data=body, at=clock.now())


@api.post(
    "/patients/<int:patient_id>/discharges/contact",
    "Record that someone has been in contact after the discharge (supporters in the circle)",
    response=DischargePublic,
    roles=(Role.supporter,),
    patient=Need.follow_up,
)
def record_contact(patient: User) -> DischargePublic:
    db = get_db()
    return discharges.record_contact(db, supporter=g.user, patient=patient, at=clock.now())
