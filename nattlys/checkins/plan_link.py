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
    plan = plans.find_plan(db, patient_id)
    if plan is None or plan.current_version == 0:
        return PlanBits(sharing=plans.effective_sharing(plan) if plan else {}, exists=plan is not None)
    content = plans.current_content(db, plan)
    return PlanBits(
        warning_signs=[str(s) for s in content.get("warning_signs") or []],
        self_help=[str(s) for s in content.get("self_help") or []],
        sharing=plans.effective_sharing(plan),
        exists=True,
    )
