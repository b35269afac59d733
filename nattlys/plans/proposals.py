"""Supporters' proposals to a patient's crisis plan: they take effect only when
the patient approves (or, agreed in a meeting, see meetings.py). Services never
commit; the endpoint does."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select

from nattlys import access, clock
from nattlys.accounts.models import User
from nattlys.api.errors import ApiError, conflict, not_found
from nattlys.audit import writer as audit
from nattlys.care_circles import membership
from nattlys.plans import diff as plan_diff
from nattlys.plans.models import CrisisPlan, CrisisPlanProposal, ProposalStatus, VersionKind
from nattlys.plans.schemas import SECTION_KEYS, ProposalIn, ProposalPublic
from nattlys.plans.service import (
    MAX_PENDING_PROPOSALS,
    OPEN_STATUSES,
    content_at,
    current_content,
    effective_sharing,
    get_or_create_plan,
    person_ref,
    require_base,
    sections_view,
    users_by_id,
    write_version,
)

# Proposals


def proposal_public(
    db: Session, plan: CrisisPlan, proposal: CrisisPlanProposal, current: dict[str, Any]
) -> ProposalPublic:
    keys = [k for k in SECTION_KEYS if k in proposal.changes]
    pending = proposal.status in OPEN_STATUSES
    diff = None
    conflicts: list[str] = []
    if pending:
        diff = plan_diff.diff(current, {**current, **proposal.changes}, keys)
        if proposal.base_version != plan.current_version:
            base = content_at(db, plan, proposal.base_version)
            conflicts = [k for k in keys if base[k] != current[k]]
    users = users_by_id(db, {proposal.author_id, proposal.decided_by_id, proposal.meeting_recorded_by_id})
    author = users.get(proposal.author_id)
    kinds = (
        membership.team_kinds_in_circle(db, supporter_id=author.id, patient_id=plan.patient_id)
        if author
        else []
    )
    return ProposalPublic(
        id=proposal.id,
        status=ProposalStatus(proposal.status),
        author=person_ref(author),
        author_team_kinds=kinds,  # type: ignore[arg-type]  # pydantic checks each str is a TeamKind
        created_at=proposal.created_at,
        base_version=proposal.base_version,
        note=proposal.note,
        sections=sections_view(proposal.changes, keys),
        diff=diff,  # type: ignore[arg-type]  # pydantic builds SectionDiff from the dicts
        conflicts=conflicts,  # type: ignore[arg-type]  # pydantic checks each str is a SectionKey
        decided_at=proposal.decided_at,
        decided_by=person_ref(users.get(proposal.decided_by_id)),
        decision_note=proposal.decision_note,
        resulting_version=proposal.resulting_version,
        meeting_recorded_by=person_ref(users.get(proposal.meeting_recorded_by_id)),
        meeting_recorded_at=proposal.meeting_recorded_at,
    )


def _visible_keys(db: Session, viewer: User, patient: User, plan: CrisisPlan) -> list[str]:
    return access.visible_plan_sections(db, viewer, patient.id, effective_sharing(plan), list(SECTION_KEYS))


def require_shared(db: Session, supporter: User, patient: User, plan: CrisisPlan, keys: list[str]) -> None:
    hidden = [k for k in keys if k not in _visible_keys(db, supporter, patient, plan)]
    if hidden:
        raise ApiError(
            403,
            "section_not_shared",
            "The patient has not shared these sections with your team: " + ", ".join(hidden),
            fields=[
                {"loc": ["sections", k], "type": "not_shared", "message": "not shared with you"}
                for k in hidden
            ],
        )


def list_proposals(
    db: Session, *, viewer: User, patient: User, status: ProposalStatus | None = None
) -> list[ProposalPublic]:
    """The patient sees every proposal; a supporter those whose sections are
    all shared with them (audited, like any read of the plan)."""
    plan = get_or_create_plan(db, patient)
    stmt = select(CrisisPlanProposal).where(CrisisPlanProposal.plan_id == plan.id)
    if status is not None:
        stmt = stmt.where(CrisisPlanProposal.status == status)
    rows = list(db.exec(stmt.order_by(col(CrisisPlanProposal.id).desc()).limit(200)).all())
    if viewer.id != patient.id:
        visible = set(_visible_keys(db, viewer, patient, plan))
        rows = [p for p in rows if set(p.changes) <= visible]
    if viewer.id != patient.id and rows:  # nothing shown, nothing read
        audit.record(
            db,
            actor=viewer,
            action="crisis_plan.proposals_read",
            object_type="crisis_plan",
            object_id=plan.id,
            patient_id=patient.id,
            details={"proposals_shown": len(rows)},
        )
    current = current_content(db, plan)
    return [proposal_public(db, plan, p, current) for p in rows]


def create_proposal(db: Session, *, supporter: User, patient: User, data: ProposalIn) -> ProposalPublic:
    plan = get_or_create_plan(db, patient, lock=True)
    changes = data.sections.changes()
    require_shared(db, supporter, patient, plan, list(changes))
    require_base(plan, data.base_version)
    current = current_content(db, plan)
    if all(current[k] == v for k, v in changes.items()):
        raise ApiError(
            400,
            "no_change",
            "The proposal is the same as the plan.",
            fields=[{"loc": ["sections"], "type": "no_change", "message": "nothing would change"}],
        )
    pending = db.exec(
        select(func.count())
        .select_from(CrisisPlanProposal)
        .where(CrisisPlanProposal.plan_id == plan.id, CrisisPlanProposal.status == ProposalStatus.pending)
    ).one()
    if pending >= MAX_PENDING_PROPOSALS:
        raise conflict(
            "too_many_proposals",
            "This plan already has many open proposals; agree on those with the patient first.",
        )
    proposal = CrisisPlanProposal(
        plan_id=plan.id,
        author_id=supporter.id,
        base_version=plan.current_version,
        changes=changes,
        note=data.note or None,
        created_at=clock.now(),
    )
    db.add(proposal)
    db.flush()
    audit.record(
        db,
        actor=supporter,
        action="crisis_plan.propose",
        object_type="crisis_plan_proposal",
        object_id=proposal.id,
        patient_id=patient.id,
        details={"sections_proposed": list(changes)},
    )
    return proposal_public(db, plan, proposal, current)


def pending_proposal(
    db: Session, plan: CrisisPlan, proposal_id: int, *, statuses: tuple[ProposalStatus, ...] = OPEN_STATUSES
) -> CrisisPlanProposal:
    proposal = db.exec(
        select(CrisisPlanProposal)
        .where(CrisisPlanProposal.id == proposal_id, CrisisPlanProposal.plan_id == plan.id)
        .with_for_update()
    ).first()
    if proposal is None:
        raise not_found("No such proposal.")
    if proposal.status not in statuses:
        raise conflict("proposal_closed", f"This proposal is already {proposal.status}.")
    return proposal


def apply_proposal(
    db: Session,
    *,
    plan: CrisisPlan,
    proposal: CrisisPlanProposal,
    decider: User,
    kind: VersionKind,
    status: ProposalStatus,
    note: str | None,
) -> None:
    before = current_content(db, plan)
    after = {**before, **proposal.changes}
    resulting = plan.current_version
    if after != before:
        author = db.get(User, proposal.author_id) if proposal.author_id else None
        version = write_version(
            db,
            plan,
            content=after,
            author=author,
            kind=kind,
            note=note if kind == VersionKind.agreed_in_meeting else proposal.note,
            proposal_id=proposal.id,
        )
        resulting = version.number
    proposal.status = status
    proposal.decided_at = clock.now()
    proposal.decided_by_id = decider.id
    proposal.decision_note = note
    proposal.resulting_version = resulting
    db.add(proposal)


def approve_proposal(db: Session, *, patient: User, proposal_id: int, base_version: int) -> ProposalPublic:
    plan = get_or_create_plan(db, patient, lock=True)
    proposal = pending_proposal(db, plan, proposal_id)
    require_base(plan, base_version)
    # The patient confirming a meeting agreement makes it take effect as such.
    meeting = proposal.status == ProposalStatus.awaiting_confirmation
    apply_proposal(
        db,
        plan=plan,
        proposal=proposal,
        decider=patient,
        kind=VersionKind.agreed_in_meeting if meeting else VersionKind.approved_proposal,
        status=ProposalStatus.agreed_in_meeting if meeting else ProposalStatus.approved,
        note=proposal.decision_note if meeting else None,
    )
    audit.record(
        db,
        actor=patient,
        action="crisis_plan.proposal_approve",
        object_type="crisis_plan_proposal",
        object_id=proposal.id,
        patient_id=patient.id,
        details={"version": proposal.resulting_version},
    )
    return proposal_public(db, plan, proposal, current_content(db, plan))


def reject_proposal(db: Session, *, patient: User, proposal_id: int) -> ProposalPublic:
    plan = get_or_create_plan(db, patient, lock=True)
    proposal = pending_proposal(db, plan, proposal_id)
    proposal.status = ProposalStatus.rejected
    proposal.decided_at = clock.now()
    proposal.decided_by_id = patient.id
    db.add(proposal)
    audit.record(
        db,
        actor=patient,
        action="crisis_plan.proposal_reject",
        object_type="crisis_plan_proposal",
        object_id=proposal.id,
        patient_id=patient.id,
    )
    return proposal_public(db, plan, proposal, current_content(db, plan))
