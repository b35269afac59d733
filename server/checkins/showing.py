"""What a viewer may see of a check-in: the warning signs and the "own
warning signs" reason only where the patient shares her plan's warning signs
with the viewer's team kind; staff reads are audited."""

from __future__ import annotations

from sqlmodel import Session

from server import access
from server.accounts.models import Role, User
from server.audit import writer as audit
from server.checkins import plan_link
from server.checkins.models import Checkin
from server.checkins.plan_link import PlanBits
from server.checkins.schemas import CheckinPublic


def sees_warning_signs(db: Session, viewer: User, patient_id: int, bits: PlanBits) -> bool:
    if viewer.role == Role.patient:
        return viewer.id == patient_id
    if not bits.exists:
        # No plan yet: the signs could only have come from a plan; show nothing.
        return False
    return "warning_signs" in access.visible_plan_sections(
        db, viewer, patient_id, bits.sharing, ["warning_signs"]
    )


WARNING_SIGNS_REASON = "yellow.warning_signs"


def reasons_seen(reasons: list[str], *, show_signs: bool) -> list[str]:
    """ "My own warning signs" is a reason only where the patient shares the
    plan's warning signs with the viewer's team kind."""
    return list(reasons) if show_signs else [r for r in reasons if r != WARNING_SIGNS_REASON]


def shared_reasons(db: Session, viewer: User, patient_id: int, reasons: list[str]) -> list[str]:
    """The reasons for a level this viewer may see."""
    if WARNING_SIGNS_REASON not in reasons:
        return list(reasons)
    show = sees_warning_signs(db, viewer, patient_id, plan_link.plan_bits(db, patient_id))
    return reasons_seen(reasons, show_signs=show)


def checkin_public(c: Checkin, *, show_signs: bool) -> CheckinPublic:
    return CheckinPublic(
        id=c.id,  # type: ignore[arg-type]
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
