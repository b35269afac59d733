"""Demo check-in schedules and four weeks of check-in history for
pasient1..pasient7, and pasient7's recent discharge, so the charts and lists show something real. Idempotent:
a patient who already has a schedule or any check-in is left alone."""

from __future__ import annotations

import math
import random
from datetime import time, timedelta

from sqlmodel import Session, select

from server import clock
from server.accounts.models import User
from server.checkins import timing
from server.checkins.levels import Answers, assess
from server.checkins.models import AfterMissed, Checkin, CheckinSchedule, Discharge
from server.checkins.plan_link import plan_bits
from server.clock import OSLO

# username: (evening, night, weekdays, after missed, base pressure, weekly swing)
SCHEDULES = {
    "pasient1": (time(20, 0), None, [0, 1, 2, 3, 4, 5, 6], AfterMissed.tell_on_duty, 4.0, 2.0),
    "pasient2": (time(20, 0), time(23, 30), [0, 1, 2, 3, 4, 5, 6], AfterMissed.tell_on_duty, 5.0, 2.5),
    "pasient3": (time(20, 30), None, [0, 1, 2, 3, 4, 5, 6], AfterMissed.nothing, 3.0, 1.5),
    "pasient4": (time(20, 0), None, [0, 1, 2, 3, 4], AfterMissed.nothing, 2.5, 1.0),
    "pasient5": (time(21, 0), time(23, 30), [0, 1, 2, 3, 4, 5, 6], AfterMissed.tell_on_duty, 4.5, 2.0),
    "pasient6": (time(20, 0), None, [0, 1, 2, 3, 4, 5, 6], AfterMissed.tell_on_duty, 3.5, 1.5),
    "pasient7": (time(21, 0), None, [0, 1, 2, 3, 4, 5, 6], AfterMissed.tell_on_duty, 5.5, 1.5),
}
DAYS = 28
NOTES = ("Rolig kveld.", "Litt urolig etter middag.", "Var ute og gikk.", "Snakket med søsteren min.", "")


def _history(db: Session, patient: User, base: float, swing: float, rng: random.Random) -> int:
    signs = plan_bits(db, patient.id).warning_signs  # type: ignore[arg-type]
    today = clock.now().astimezone(OSLO).date()
    made = 0
    for days_ago in range(DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        if rng.random() < 0.12:
            continue  # a missed evening now and then
        red_day = patient.username == "pasient2" and days_ago == 7
        pressure = base + swing * math.sin(days_ago / 7 * 2 * math.pi) + rng.gauss(0, 1.2)
        pressure = 8 if red_day else max(0, min(10, round(pressure)))
        sleep = rng.choices(["good", "ok", "poor", "none"], weights=[4, 4, 2, 0.4])[0]
        mood = max(1, min(5, round(5 - pressure / 2.5 + rng.gauss(0, 0.6))))
        ticked = [s for s in signs if pressure >= 6 and rng.random() < 0.35][:2]
        suicidal = "some" if red_day else "none"
        self_harm = "some" if pressure >= 7 and rng.random() < 0.3 else "none"
        assessment = assess(
            Answers(
                pressure=pressure,
                mood=mood,
                sleep=sleep,
                warning_signs=ticked,
                self_harm_urge=self_harm,
                suicidal_thoughts=suicidal,
            )
        )
        at = timing.local_instant(day, time(20, rng.randint(2, 40)), OSLO)
        db.add(
            Checkin(
                patient_id=patient.id,  # type: ignore[arg-type]
                idempotency_key=f"demo-{day.isoformat()}",
                created_at=at,
                pressure=pressure,
                mood=mood,
                sleep=sleep,
                warning_signs=ticked,
                self_harm_urge=self_harm,
                suicidal_thoughts=suicidal,
                wants_contact=False,
                note=(rng.choice(NOTES) or None) if not red_day else "Det ble for mye i kveld.",
                level=assessment.level,
                reasons=list(assessment.reasons),
            )
        )
        made += 1
    return made


def ensure_demo_checkins(db: Session) -> int:
    """Schedules and history for the demo patients; returns check-ins made."""
    made = 0
    now = clock.now()
    for username, (evening, night, weekdays, after, base, swing) in SCHEDULES.items():
        patient = db.exec(select(User).where(User.username == username)).first()
        if patient is None:
            continue
        if db.get(CheckinSchedule, patient.id) is None:
            db.add(
                CheckinSchedule(
                    patient_id=patient.id,  # type: ignore[arg-type]
                    evening_time=evening,
                    night_time=night,
                    weekdays=timing.mask_from_days(weekdays),
                    quiet_start=time(1, 0),
                    quiet_end=time(7, 0),
                    after_missed=after,
                    updated_at=now,
                    updated_by_id=patient.id,
                )
            )
        has_any = db.exec(select(Checkin.id).where(Checkin.patient_id == patient.id).limit(1)).first()
        if has_any is None:
            made += _history(db, patient, base, swing, random.Random(username))
    db.flush()
    return made


def ensure_demo_discharge(db: Session, username: str, *, recorded_by: User, days_ago: int) -> None:
    """A discharge `days_ago` days back (the 14 days of follow-up are under
    way, no contact recorded yet), unless the patient has one already."""
    patient = db.exec(select(User).where(User.username == username)).first()
    if patient is None or db.exec(select(Discharge.id).where(Discharge.patient_id == patient.id)).first():
        return
    now = clock.now()
    db.add(
        Discharge(
            patient_id=patient.id,  # type: ignore[arg-type]
            discharge_date=now.astimezone(OSLO).date() - timedelta(days=days_ago),
            recorded_by_id=recorded_by.id,
            recorded_at=now - timedelta(days=days_ago),
        )
    )
    db.flush()
