"""The demo's "what happened" record: pasient2's red evening a week ago ended
with nothing more (no legevakt, no admission), as Kari recorded."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from server import clock
from server.accounts.models import User
from server.clock import OSLO
from server.outcomes.models import NightOutcome, NightOutcomeKind


def ensure_demo_night_outcome(db: Session, *, recorded_by: User) -> None:
    patient = db.exec(select(User).where(User.username == "pasient2")).first()
    if (
        patient is None
        or db.exec(select(NightOutcome.id).where(NightOutcome.patient_id == patient.id)).first()
    ):
        return
    now = clock.now()
    db.add(
        NightOutcome(
            patient_id=patient.id,  # type: ignore[arg-type]
            # Her red check-in (server/checkins/demo.py).
            night=now.astimezone(OSLO).date() - timedelta(days=7),
            outcome=NightOutcomeKind.nothing,
            recorded_by_id=recorded_by.id,
            recorded_at=now - timedelta(days=6),
        )
    )
    db.flush()
