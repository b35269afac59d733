"""What a check-in needs from the patient's crisis plan: their own warning
signs and their "what I can do myself" steps, read from the current version
through the plans service (nattlys/plans owns the plan; nothing is copied)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from nattlys.plans import service as plans


@dataclass(frozen=True)
class PlanBits:
    warning_signs: list[str] = field(default_factory=list)
    self_help: list[str] = field(default_factory=list)
    # {section key: [team kinds]} as the patient chose; empty if no plan.
    sharing: dict[str, list[str]] = field(default_factory=dict)
    exists: bool = False


def plan_bits(db: Session, patient_id: int) -> PlanBits:
    found = plans.current_content_and_sharing(db, patient_id)
    if found is None:
        return PlanBits()
    content, sharing = found
    return PlanBits(
        warning_signs=[str(s) for s in content.get("warning_signs") or []],
        self_help=[str(s) for s in content.get("self_help") or []],
        sharing=sharing,
        exists=True,
    )
