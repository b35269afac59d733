"""Check-ins: schedules, submitting, levels and what follows from them,
trends and tonight's list (the follow-up after a discharge: discharges.py).

Services never commit; the endpoint (or the scheduler job) does. Live events
and pushes are queued to run after the commit.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from blinker import Namespace
from sqlmodel import Session, col, select, update

from nattlys.accounts.models import Role, User
from nattlys.alerts import escalation
from nattlys.api.errors import ApiError, forbidden
from nattlys.audit import writer as audit
from nattlys.chat import conversations, sending, status
from nattlys.checkins import plan_link, showing, timing
from nattlys.checkins.levels import Answers, Level, assess
from nattlys.checkins.models import (
    AfterMissed,
    Checkin,
    CheckinAlert,
    CheckinSchedule,
    Discharge,
    ReminderSent,
    ReminderStep,
    SlotKind,
)
from nattlys.checkins.plan_link import PlanBits
from nattlys.checkins.schemas import (
    EMERGENCY_NUMBERS,
    CheckinIn,
    CheckinResult,
    CheckinState,
    PendingReminder,
    ScheduleIn,
    SchedulePublic,
)
from nattlys.clock import OSLO
from nattlys.db import insert_once, table_of

CONTACT_MESSAGE = "Jeg ønsker at noen tar kontakt i kveld"
REMINDER_TITLES = {SlotKind.evening: "checkin_evening", SlotKind.night: "checkin_night"}
GENTLE_TITLES = {SlotKind.evening: "checkin_evening_waiting", SlotKind.night: "checkin_night_waiting"}
# A reminder stays pending in the app this long after it was due.
PENDING_FOR = timedelta(hours=4)
# Sent in the submitting transaction after a new red check-in was routed, for
# whoever else she asked to be told (next of kin), without check-ins knowing them.
red_checkin = Namespace().signal("red-checkin")


# --- schedules -------------------------------------------------------------------------


def schedule_row(db: Session, patient_id: int) -> CheckinSchedule | None:
    return db.get(CheckinSchedule, patient_id)


def view_of(patient_id: int, row: CheckinSchedule | None) -> timing.ScheduleView:
    if row is None:
        # Nothing chosen yet: no reminders, except the daily ones after a discharge.
        return timing.ScheduleView(
            patient_id=patient_id, tz=OSLO, evening_time=time(20), night_time=None, enabled=False
        )
    return timing.ScheduleView(
        patient_id=patient_id,
        tz=ZoneInfo(row.timezone),
        evening_time=row.evening_time,
        night_time=row.night_time,
        weekdays=row.weekdays,
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        enabled=row.enabled,
    )


def active_discharges(db: Session, patient_ids: list[int] | None, day: date) -> dict[int, Discharge]:
    """The newest discharge per patient whose follow-up period includes `day`."""
    stmt = select(Discharge).where(
        col(Discharge.discharge_date) <= day,
        col(Discharge.discharge_date) >= day - timedelta(days=timing.DISCHARGE_FOLLOW_UP_DAYS),
    )
    if patient_ids is not None:
        stmt = stmt.where(col(Discharge.patient_id).in_(patient_ids))
    out: dict[int, Discharge] = {}
    for d in db.exec(stmt.order_by(col(Discharge.discharge_date), col(Discharge.id))).all():
        out[d.patient_id] = d
    return out


def schedule_public(db: Session, patient: User, *, at: datetime) -> SchedulePublic:
    row = schedule_row(db, patient.id)
    today = at.astimezone(OSLO).date()
    follow_up = patient.id in active_discharges(db, [patient.id], today)
    if row is None:
        defaults = ScheduleIn()
        return SchedulePublic(
            patient_id=patient.id,
            saved=False,
            enabled=defaults.enabled,
            timezone="Europe/Oslo",
            evening_time=defaults.evening_time,
            night_time=None,
            weekdays=defaults.weekdays,
            quiet_start=None,
            quiet_end=None,
            after_missed=defaults.after_missed,
            updated_at=None,
            in_discharge_follow_up=follow_up,
        )
    return SchedulePublic(
        patient_id=patient.id,
        saved=True,
        enabled=row.enabled,
        timezone=row.timezone,
        evening_time=row.evening_time,
        night_time=row.night_time,
        weekdays=timing.days_from_mask(row.weekdays),
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        after_missed=row.after_missed,
        updated_at=row.updated_at,
        in_discharge_follow_up=follow_up,
    )


def read_schedule(
    db: Session, *, viewer: User, patient: User, at: datetime, details: dict[str, int] | None = None
) -> SchedulePublic:
    if viewer.id != patient.id:
        audit.record(
            db,
            actor=viewer,
            action="checkin_schedule.read",
            object_type="checkin_schedule",
            object_id=patient.id,
            patient_id=patient.id,
            details=details,
        )
    return schedule_public(db, patient, at=at)


def lowers_safety_net(db: Session, *, patient: User, data: ScheduleIn) -> bool:
    """Whether this change turns check-ins off or changes what happens after a
    missed one (compared with what is saved, or the defaults)."""
    row = schedule_row(db, patient.id)
    enabled = row.enabled if row else ScheduleIn().enabled
    after_missed = row.after_missed if row else ScheduleIn().after_missed
    return (enabled and not data.enabled) or data.after_missed != after_missed


def field_error(loc: list[str | int], code: str, message: str) -> ApiError:
    return ApiError(
        400,
        "invalid_input",
        "Some fields are not valid.",
        fields=[{"loc": [str(p) for p in loc], "type": code, "message": message}],
    )


def put_schedule(
    db: Session, *, actor: User, patient: User, data: ScheduleIn, at: datetime
) -> SchedulePublic:
    if data.enabled and not data.weekdays:
        raise field_error(["weekdays"], "empty", "choose at least one day, or turn check-ins off")
    for name in ("evening_time", "night_time"):
        wall = getattr(data, name)
        if wall is not None and timing.in_quiet_hours(wall, data.quiet_start, data.quiet_end):
            raise field_error([name], "in_quiet_hours", "the check-in time is inside the quiet hours")
    row = schedule_row(db, patient.id) or CheckinSchedule(patient_id=patient.id, updated_at=at)
    row.enabled = data.enabled
    row.evening_time = data.evening_time
    row.night_time = data.night_time
    row.weekdays = timing.mask_from_days(data.weekdays)
    row.quiet_start = data.quiet_start
    row.quiet_end = data.quiet_end
    row.after_missed = AfterMissed(data.after_missed)
    row.updated_at = at
    row.updated_by_id = actor.id
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="checkin_schedule.write",
        object_type="checkin_schedule",
        object_id=patient.id,
        patient_id=patient.id,
    )
    return schedule_public(db, patient, at=at)


# --- submitting ------------------------------------------------------------------------


def _resolve_signs(chosen: list[int | str], plan_signs: list[str]) -> list[str]:
    out: list[str] = []
    for i, item in enumerate(chosen):
        if isinstance(item, int):
            if 0 <= item < len(plan_signs):
                text = plan_signs[item]
            else:
                raise field_error(
                    ["warning_signs", i], "unknown_warning_sign", "not one of the warning signs in your plan"
                )
        else:
            matches = [s for s in plan_signs if s.strip().casefold() == item.casefold()]
            if not matches:
                raise field_error(
                    ["warning_signs", i], "unknown_warning_sign", "not one of the warning signs in your plan"
                )
            text = matches[0]
        if text not in out:
            out.append(text)
    return out


def _find(db: Session, patient_id: int, key: str) -> Checkin | None:
    return db.exec(
        select(Checkin).where(Checkin.patient_id == patient_id, Checkin.idempotency_key == key)
    ).first()


def _result(db: Session, c: Checkin, *, bits: PlanBits, duplicate: bool, at: datetime) -> CheckinResult:
    level = Level(c.level)
    row = (
        db.exec(select(CheckinAlert).where(CheckinAlert.checkin_id == c.id)).first()
        if level == Level.red
        else None
    )
    contact = None
    if c.conversation_id is not None:
        conv = conversations.get_conversation(db, c.conversation_id)
        contact = status.patient_status(db, conv, at=at)
    return CheckinResult(
        checkin=showing.checkin_public(c, show_signs=True),
        duplicate=duplicate,
        level=level,
        reasons=list(c.reasons),
        self_help=list(bits.self_help) if level in (Level.yellow, Level.red) else [],
        show_plan=level == Level.red,
        emergency_numbers=list(EMERGENCY_NUMBERS) if level == Level.red else [],
        offer_chat=level == Level.red or c.wants_contact,
        alert=escalation.status_of(db, row, at=at) if row else None,
        contact=contact,
        conversation_id=c.conversation_id,
    )


def submit(db: Session, *, patient: User, data: CheckinIn, at: datetime) -> CheckinResult:
    if patient.role != Role.patient:
        raise forbidden("Only patients make check-ins.")
    if data.patient_id is not None and data.patient_id != patient.id:
        raise forbidden("You can only check in for yourself.")
    bits = plan_link.plan_bits(db, patient.id)
    try:
        signs = _resolve_signs(list(data.warning_signs), bits.warning_signs)
    except ApiError:
        # A resend after the plan's signs changed: the stored check-in stands.
        earlier = _find(db, patient.id, data.idempotency_key)
        if earlier is None:
            raise
        return _result(db, earlier, bits=bits, duplicate=True, at=at)
    assessment = assess(
        Answers(
            pressure=data.pressure,
            mood=data.mood,
            sleep=data.sleep,
            warning_signs=signs,
            self_harm_urge=data.self_harm_urge,
            suicidal_thoughts=data.suicidal_thoughts,
        )
    )
    checkin = Checkin(
        patient_id=patient.id,
        idempotency_key=data.idempotency_key,
        created_at=at,
        pressure=data.pressure,
        mood=data.mood,
        sleep=data.sleep,
        warning_signs=signs,
        self_harm_urge=data.self_harm_urge,
        suicidal_thoughts=data.suicidal_thoughts,
        wants_contact=data.wants_contact,
        note=data.note or None,
        level=assessment.level,
        reasons=list(assessment.reasons),
    )
    # Stored once whatever the outbox resends: one INSERT that skips a key
    # already taken, outside the unit of work (nothing here changes it after).
    stored_as = db.execute(
        insert_once(db, Checkin, unique=("patient_id", "idempotency_key")), checkin.model_dump(exclude={"id"})
    ).scalar()
    if stored_as is None:  # the same submission, committed a moment ago by a retry
        earlier = db.exec(
            select(Checkin).where(
                Checkin.patient_id == patient.id, Checkin.idempotency_key == data.idempotency_key
            )
        ).one()
        return _result(db, earlier, bits=bits, duplicate=True, at=at)
    checkin.id = stored_as
    audit.record(
        db,
        actor=patient,
        action="checkin.write",
        object_type="checkin",
        object_id=checkin.id,
        patient_id=patient.id,
    )
    if data.wants_contact:
        message = sending.send_from_patient(
            db, patient=patient, client_id=f"checkin-{checkin.id}", body=CONTACT_MESSAGE, at=at
        )
        checkin.conversation_id = message.conversation_id
        db.execute(
            update(table_of(Checkin))
            .where(table_of(Checkin).c.id == checkin.id)
            .values(conversation_id=checkin.conversation_id)
        )
    if assessment.level == Level.red:
        # With a contact request the chat's offer is the one alert: one push, one live event.
        escalation.raise_alert(
            db,
            patient=patient,
            reason="red",
            level="red",
            checkin_id=checkin.id,
            conversation_id=checkin.conversation_id,
            at=at,
        )
        red_checkin.send(patient, db=db)
    return _result(db, checkin, bits=bits, duplicate=False, at=at)


# --- the patient's app -------------------------------------------------------------------


def _done_since(db: Session, patient_id: int, since: datetime) -> bool:
    return (
        db.exec(
            select(Checkin.id)
            .where(Checkin.patient_id == patient_id, col(Checkin.created_at) >= since)
            .limit(1)
        ).first()
        is not None
    )


def pending_reminder(db: Session, patient: User, *, at: datetime) -> PendingReminder | None:
    """The check-in the patient is asked for now and has not done: shown in the
    app when it opens (the fallback when push is off or did not arrive)."""
    row = schedule_row(db, patient.id)
    view = view_of(patient.id, row)
    today = at.astimezone(view.tz).date()
    follow = active_discharges(db, [patient.id], today)
    slots = []
    for day in (today - timedelta(days=1), today):
        in_follow_up = bool(active_discharges(db, [patient.id], day)) if day != today else bool(follow)
        slots += timing.slots_on(view, day, follow_up=in_follow_up)
    due = [s for s in slots if s.due_at <= at < s.due_at + PENDING_FOR]
    if not due:
        return None
    slot = max(due, key=lambda s: s.due_at)
    if _done_since(db, patient.id, slot.due_at - timing.EARLY_WINDOW):
        return None
    sent = db.exec(
        select(ReminderSent).where(
            ReminderSent.patient_id == patient.id,
            ReminderSent.local_date == slot.local_date,
            ReminderSent.kind == slot.kind,
            ReminderSent.step == ReminderStep.reminder,
        )
    ).first()
    return PendingReminder(
        kind=slot.kind,
        local_date=slot.local_date,
        due_at=slot.due_at,
        title=REMINDER_TITLES[slot.kind],
        pushed=bool(sent and sent.outcome in ("pushed", "pushing")),
    )


def state(db: Session, patient: User, *, at: datetime) -> CheckinState:
    bits = plan_link.plan_bits(db, patient.id)
    last = db.exec(
        select(Checkin.created_at)
        .where(Checkin.patient_id == patient.id)
        .order_by(col(Checkin.created_at).desc())
        .limit(1)
    ).first()
    return CheckinState(
        pending_reminder=pending_reminder(db, patient, at=at),
        warning_signs=bits.warning_signs,
        last_checkin_at=last,
        emergency_numbers=list(EMERGENCY_NUMBERS),
    )
