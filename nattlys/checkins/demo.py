"""Demo check-in schedules and history: a year of evening check-ins (and the
reminder record that says which scheduled evenings were done) for pasient1..
pasient5, four weeks for pasient6 and pasient7, the discharges after the
demo's admissions, and pasient7's recent discharge. Generated, seeded by the
patient, relative to the clock, and written in bulk through the tables' own
column types (so answers are encrypted as the app stores them). Idempotent: a
patient who already has any check-in is left alone; a discharge already
recorded for that date is not made again."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from nattlys import clock
from nattlys.accounts.models import User
from nattlys.checkins import timing
from nattlys.checkins.levels import Answers, Level, assess
from nattlys.checkins.models import (
    AfterMissed,
    Checkin,
    CheckinSchedule,
    Discharge,
    ReminderSent,
    ReminderStep,
    SlotKind,
)
from nattlys.checkins.plan_link import plan_bits
from nattlys.clock import OSLO
from nattlys.db import table_of

# username: (evening, night, weekdays, after missed, base pressure, weekly swing)
SCHEDULES = {
    "pasient1": (time(20, 0), None, [0, 1, 2, 3, 4, 5, 6], AfterMissed.tell_on_duty, 3.5, 2.0),
    "pasient2": (time(20, 0), time(23, 30), [0, 1, 2, 3, 4, 5, 6], AfterMissed.tell_on_duty, 4.0, 2.0),
    "pasient3": (time(20, 30), None, [0, 1, 2, 3, 4, 5, 6], AfterMissed.nothing, 3.0, 1.5),
    "pasient4": (time(20, 0), None, [0, 1, 2, 3, 4], AfterMissed.nothing, 2.5, 1.0),
    "pasient5": (time(21, 0), time(23, 30), [0, 1, 2, 3, 4, 5, 6], AfterMissed.tell_on_duty, 3.5, 2.0),
    "pasient6": (time(20, 0), None, [0, 1, 2, 3, 4, 5, 6], AfterMissed.tell_on_duty, 3.5, 1.5),
    "pasient7": (time(21, 0), None, [0, 1, 2, 3, 4, 5, 6], AfterMissed.tell_on_duty, 5.5, 1.5),
}
YEAR_PATIENTS = ("pasient1", "pasient2", "pasient3", "pasient4", "pasient5")
YEAR, WEEKS = 365, 28
# The last two weeks stay short of red, so pasient2's red evening a week ago
# (the one the demo's "what happened" record is about) is the recent one.
CALM_DAYS = 14
RED_DAY = ("pasient2", 7)
NOTES = ("Rolig kveld.", "Litt urolig etter middag.", "Var ute og gikk.", "Snakket med søsteren min.", "")
SPELL_NOTES = ("Tung dag.", "Sov dårlig i natt.", "Mye uro i kroppen.", "")


@dataclass(frozen=True)
class DemoEvening:
    """A stored evening check-in, as the other demo histories build on it."""

    day: date
    at: datetime
    level: str


def _spells(rng: random.Random) -> list[tuple[int, int, float]]:
    """A year's bad spells: (first day ago, length in days, extra pressure at the worst)."""
    count = 4 + rng.randint(0, 1)
    return [(rng.randint(15, YEAR), rng.randint(6, 20), rng.uniform(2.0, 3.5)) for _ in range(count)]


def _spell_pressure(spells: list[tuple[int, int, float]], days_ago: int) -> float:
    extra = 0.0
    for start, length, depth in spells:
        into = start - days_ago
        if 0 <= into < length:
            extra += depth * math.sin(math.pi * (into + 0.5) / length)
    return extra


def _history(
    db: Session, patient: User, schedule: tuple[Any, ...], rng: random.Random
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The check-in rows, and a reminder record for each scheduled evening
    (its last step: done, or what the patient chose should happen)."""
    evening, _night, weekdays, after, base, swing = schedule
    signs = plan_bits(db, patient.id).warning_signs
    today = clock.now().astimezone(OSLO).date()
    days = YEAR if patient.username in YEAR_PATIENTS else WEEKS
    spells = _spells(rng) if days == YEAR else []
    checkins: list[dict[str, Any]] = []
    reminders: list[dict[str, Any]] = []
    for days_ago in range(days, 0, -1):
        day = today - timedelta(days=days_ago)
        if day.weekday() not in weekdays:
            continue
        spell = _spell_pressure(spells, days_ago)
        due = timing.local_instant(day, evening, OSLO)
        red_day = (patient.username, days_ago) == RED_DAY
        done = red_day or rng.random() >= (0.1 + 0.1 * min(spell, 2.0))  # missed more often in a bad spell
        reminders.append(
            {
                "patient_id": patient.id,
                "local_date": day,
                "kind": SlotKind.evening,
                "step": ReminderStep.missed,
                "due_at": due + timing.MISSED_AFTER,
                "sent_at": due + timing.MISSED_AFTER,
                "outcome": "done"
                if done
                else "told_on_duty"
                if after == AfterMissed.tell_on_duty
                else "not_chosen",
            }
        )
        if not done:
            continue
        pressure = base + swing * math.sin(days_ago / 7 * 2 * math.pi) + spell + rng.gauss(0, 1.2)
        pressure = 8 if red_day else max(0, min(10, round(pressure)))
        sleep = rng.choices(["good", "ok", "poor", "none"], weights=[4, 4, 2 + spell, 0.4 + spell / 4])[0]
        mood = max(1, min(5, round(5 - pressure / 2.5 + rng.gauss(0, 0.6))))
        ticked = [s for s in signs if pressure >= 6 and rng.random() < 0.35][:2]
        may_be_red = days_ago > CALM_DAYS and spell > 1.0
        suicidal = "some" if red_day or (may_be_red and pressure >= 7 and rng.random() < 0.6) else "none"
        urge = rng.random()
        self_harm = (
            "strong" if may_be_red and urge < 0.08 else "some" if pressure >= 7 and urge < 0.3 else "none"
        )
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
        note = rng.choice(SPELL_NOTES if spell > 1.0 else NOTES) or None
        checkins.append(
            {
                "patient_id": patient.id,
                "idempotency_key": f"demo-{day.isoformat()}",
                "created_at": due + timedelta(minutes=rng.randint(2, 40)),
                "pressure": pressure,
                "mood": mood,
                "sleep": sleep,
                "warning_signs": ticked,
                "self_harm_urge": self_harm,
                "suicidal_thoughts": suicidal,
                "wants_contact": False,
                "note": "Det ble for mye i kveld." if red_day else note,
                "level": assessment.level,
                "reasons": list(assessment.reasons),
                "conversation_id": None,
            }
        )
    return checkins, reminders


def ensure_demo_checkins(db: Session) -> int:
    """Schedules and history for the demo patients; returns check-ins made."""
    checkins: list[dict[str, Any]] = []
    reminders: list[dict[str, Any]] = []
    now = clock.now()
    for username, schedule in SCHEDULES.items():
        evening, night, weekdays, after, _base, _swing = schedule
        patient = db.exec(select(User).where(User.username == username)).first()
        if patient is None:
            continue
        if db.get(CheckinSchedule, patient.id) is None:
            db.add(
                CheckinSchedule(
                    patient_id=patient.id,
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
            made, told = _history(db, patient, schedule, random.Random(username))
            checkins += made
            reminders += told
    # Core executemany on the tables: the encrypted columns' types still encrypt.
    if checkins:
        db.execute(insert(table_of(Checkin)), checkins)
    if reminders:
        db.execute(insert(table_of(ReminderSent)), reminders)
    db.flush()
    return len(checkins)


def demo_evenings(db: Session, patient_id: int) -> list[DemoEvening]:
    """The patient's stored check-ins in time order (only the columns the other
    demo histories need: nothing decrypted)."""
    rows = db.exec(
        select(Checkin.created_at, Checkin.level)
        .where(Checkin.patient_id == patient_id)
        .order_by(col(Checkin.created_at))
    ).all()
    return [DemoEvening(day=at.astimezone(OSLO).date(), at=at, level=level) for at, level in rows]


def red_evenings(db: Session, patient_id: int) -> list[DemoEvening]:
    return [e for e in demo_evenings(db, patient_id) if e.level == Level.red]


def ensure_demo_discharges(db: Session, admitted: list[tuple[User, date]], *, staff: list[User]) -> None:
    """A discharge a few days after each admission, with the first contact
    recorded by someone in the circle: mostly within the week, now and then later."""
    for n, (patient, night) in enumerate(sorted(admitted, key=lambda a: a[1])):
        rng = random.Random(f"{patient.username}:{night.isoformat()}")
        discharged = night + timedelta(days=rng.randint(2, 9))
        known = db.exec(
            select(Discharge.id).where(
                Discharge.patient_id == patient.id, Discharge.discharge_date == discharged
            )
        ).first()
        if known is not None:
            continue
        days_to_contact = rng.randint(9, 16) if n % 3 == 1 else rng.randint(1, 6)  # one in three later
        db.add(
            Discharge(
                patient_id=patient.id,
                discharge_date=discharged,
                recorded_by_id=rng.choice(staff).id,
                recorded_at=timing.local_instant(discharged, time(13, rng.randint(0, 59)), OSLO),
                contact_at=timing.local_instant(
                    discharged + timedelta(days=days_to_contact),
                    time(rng.randint(10, 15), rng.randint(0, 59)),
                    OSLO,
                ),
                contact_by_id=rng.choice(staff).id,
            )
        )
    db.flush()


def ensure_demo_discharge(db: Session, username: str, *, recorded_by: User, days_ago: int) -> None:
    """A discharge `days_ago` days back (the 14 days of follow-up are under
    way, no contact recorded yet), unless the patient has one already."""
    patient = db.exec(select(User).where(User.username == username)).first()
    if patient is None or db.exec(select(Discharge.id).where(Discharge.patient_id == patient.id)).first():
        return
    now = clock.now()
    db.add(
        Discharge(
            patient_id=patient.id,
            discharge_date=now.astimezone(OSLO).date() - timedelta(days=days_ago),
            recorded_by_id=recorded_by.id,
            recorded_at=now - timedelta(days=days_ago),
        )
    )
    db.flush()
