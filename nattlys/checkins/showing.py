"""What a viewer may see of a check-in: the warning signs and the "own
warning signs" reason only where the patient shares her plan's warning signs
with the viewer's team kind (nattlys/checkins/reasons.py); staff reads are audited."""

from __future__ import annotations

from sqlmodel import Session

from nattlys.accounts.models import Role, User
from nattlys.audit import writer as audit
from nattlys.checkins.models import Checkin
from nattlys.checkins.reasons import reasons_seen
from nattlys.checkins.schemas import CheckinPublic


def checkin_public(c: Checkin, *, show_signs: bool) -> CheckinPublic:
    return CheckinPublic(
        id=c.id,
        patient_id=c.patient_id,
        created_at=c.created_at,
        pressure=c.pressure,
        mood=c.mood,
        sleep=c.sleep,
        warning_signs=list(c.warning_signs) if show_signs else None,
        warning_sign_count=len(c.warning_signs) if show_signs else None,
        self_harm_urge=c.self_harm_urge,
        suicidal_thoughts=c.suicidal_thoughts,
        wants_contact=c.wants_contact,
        note=c.note,
        level=c.level,
        reasons=reasons_seen(c.reasons, show_signs=show_signs),
    )


def audit_read(
    db: Session, viewer: User, patient_id: int, what: str, details: dict[str, int] | None = None
) -> None:
    if viewer.role != Role.patient:
        audit.record(
            db, actor=viewer, action="checkin.read", object_type=what, patient_id=patient_id, details=details
        )
