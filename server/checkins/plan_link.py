"""What a check-in needs from the patient's crisis plan: their own warning
signs and their "what I can do myself" steps, read from the current version
through the plans service (server/plans owns the plan; nothing is copied)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import inspect
from sqlmodel import Session

log = logging.getLogger(__name__)
_INSTALLED: set[str] = set()


@dataclass(frozen=True)
class PlanBits:
    warning_signs: list[str] = field(default_factory=list)
    self_help: list[str] = field(default_factory=list)
    # {section key: [team kinds]} as the patient chose; empty if no plan.
    sharing: dict[str, list[str]] = field(default_factory=dict)
    exists: bool = False


def _plans_installed(db: Session) -> bool:
    """Whether the crisis plan tables exist yet (the plan migration may land
    after this one); querying them before then would fail the transaction."""
    key = str(db.get_bind().engine.url)
    if key in _INSTALLED:
        return True
    # Through the session's own connection: on SQLite a second connection
    # would wait for the write lock this transaction holds.
    if inspect(db.connection()).has_table("crisis_plan_versions"):
        _INSTALLED.add(key)
        return True
    return False


def plan_bits(db: Session, patient_id: int) -> PlanBits:
    if not _plans_installed(db):
        return PlanBits()
    from server.plans import service as plans

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
