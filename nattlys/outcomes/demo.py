"""The demo's "what happened" records: after most of the year's older red
evenings a supporter recorded how the night ended (mostly nothing more, now
and then legevakt or an admission); and pasient2's red evening a week ago
ended with nothing more, as Kari recorded. Idempotent per patient and night."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert
from sqlmodel import Session, col, select

from nattlys import clock
from nattlys.accounts.models import User
from nattlys.checkins import timing
from nattlys.checkins.demo import red_evenings
from nattlys.clock import OSLO
from nattlys.db import table_of
from nattlys.outcomes.models import NightOutcome, NightOutcomeKind

# Nights recorded this long ago or more, so an admission's discharge and its
# 14 days of follow-up are over before today.
RECORDED_AFTER_DAYS = 45
# No second admission while the first (and its discharge, nattlys/checkins/demo.py) is under way.
IN_HOSPITAL = timedelta(days=14)
OUTCOME_WEIGHTS = {NightOutcomeKind.nothing: 5, NightOutcomeKind.legevakt: 2, NightOutcomeKind.admission: 2}


def ensure_demo_night_outcomes(
    db: Session, patients: list[User], *, recorded_by: list[User]
) -> list[tuple[User, date]]:
    """Records for the older red evenings; returns every recorded admission
    (patient, night), new or already there."""
    today = clock.now().astimezone(OSLO).date()
    rows, admitted = [], []
    for patient in patients:
        known = {
            night: outcome
            for night, outcome in db.exec(
                select(col(NightOutcome.night), col(NightOutcome.outcome)).where(
                    NightOutcome.patient_id == patient.id
                )
            ).all()
        }
        last_admission = date.min
        for evening in red_evenings(db, patient.id):
            if (today - evening.day).days < RECORDED_AFTER_DAYS or evening.day - last_admission < IN_HOSPITAL:
                continue
            rng = random.Random(f"{patient.username}:{evening.day.isoformat()}")
            if rng.random() < 0.15:
                continue  # not every night gets a record
            outcome = (
                known.get(evening.day)
                or rng.choices(list(OUTCOME_WEIGHTS), weights=list(OUTCOME_WEIGHTS.values()))[0]
            )
            if outcome == NightOutcomeKind.admission:
                admitted.append((patient, evening.day))
                last_admission = evening.day
            if evening.day in known:
                continue
            rows.append(
                {
                    "patient_id": patient.id,
                    "night": evening.day,
                    "outcome": outcome,
                    "recorded_by_id": rng.choice(recorded_by).id,
                    "recorded_at": _next_morning(evening.day, rng),
                }
            )
    if rows:
        db.execute(insert(table_of(NightOutcome)), rows)
    return admitted


def _next_morning(night: date, rng: random.Random) -> datetime:
    return timing.local_instant(night + timedelta(days=1), time(rng.randint(8, 11), rng.randint(0, 59)), OSLO)


def ensure_demo_night_outcome(db: Session, *, recorded_by: User) -> None:
    patient = db.exec(select(User).where(User.username == "pasient2")).first()
    if patient is None:
        return
    now = clock.now()
    # Her red check-in (nattlys/checkins/demo.py).
    night = now.astimezone(OSLO).date() - timedelta(days=7)
    if db.exec(
        select(NightOutcome.id).where(NightOutcome.patient_id == patient.id, NightOutcome.night == night)
    ).first():
        return
    db.add(
        NightOutcome(
            patient_id=patient.id,
            night=night,
            outcome=NightOutcomeKind.nothing,
            recorded_by_id=recorded_by.id,
            recorded_at=now - timedelta(days=6),
        )
    )
    db.flush()
