"""The demo's next of kin: Lene (`parorende1`), Mona's sister, sees the parts of
Mona's plan Mona chose, is told after a red check-in, and may say she is worried."""

from __future__ import annotations

from sqlmodel import Session, col, select

from nattlys import clock
from nattlys.accounts.models import User
from nattlys.next_of_kin.models import NextOfKinConsent

DEMO_SECTIONS = ["warning_signs", "meeting", "professionals", "who_does_what"]


def ensure_demo_next_of_kin(db: Session, *, patient: User, kin: User) -> None:
    consent = db.exec(
        select(NextOfKinConsent).where(
            NextOfKinConsent.patient_id == patient.id,
            NextOfKinConsent.next_of_kin_id == kin.id,
            col(NextOfKinConsent.withdrawn_at).is_(None),
        )
    ).first()
    if consent is not None:
        return
    db.add(
        NextOfKinConsent(
            patient_id=patient.id,
            next_of_kin_id=kin.id,
            sections=list(DEMO_SECTIONS),
            notify_on_red=True,
            may_signal_worry=True,
            created_at=clock.now(),
        )
    )
    db.flush()
