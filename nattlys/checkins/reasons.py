"""Which reasons for a check-in's level a viewer may see: the warning signs and
the "own warning signs" reason only where the patient shares her plan's warning
signs with the viewer's team kind. Chat shows tonight's reasons with a
conversation, so this sits below chat; the rest of check-ins sits above it."""

from __future__ import annotations

from sqlmodel import Session

from nattlys import access
from nattlys.accounts.models import Role, User
from nattlys.checkins import plan_link
from nattlys.checkins.plan_link import PlanBits


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
