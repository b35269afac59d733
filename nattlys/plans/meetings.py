"""Plan changes agreed in a meeting (ansvarsgruppemøte): separation of duties.

A supporter records that a proposal was agreed together with the patient. It
takes effect only when the patient confirms it in the app (the ordinary
approve) or a second supporter in the care circle co-signs it: someone other
than whoever proposed it and whoever recorded the agreement. Nobody on staff
changes a patient's plan alone.
"""

from __future__ import annotations

from sqlmodel import Session

from nattlys import clock
from nattlys.accounts.models import Role, User
from nattlys.api.errors import ApiError, forbidden
from nattlys.audit import writer as audit
from nattlys.plans.models import ProposalStatus, VersionKind
from nattlys.plans.proposals import apply_proposal, pending_proposal, proposal_public, require_shared
from nattlys.plans.schemas import AgreedInMeetingIn, BaseVersionIn, ProposalPublic
from nattlys.plans.service import current_content, get_or_create_plan, require_base


def record_agreement(
    db: Session, *, supporter: User, patient: User, proposal_id: int, data: AgreedInMeetingIn
) -> ProposalPublic:
    """The plan does not change yet: the proposal waits for the patient's
    confirmation or a colleague's co-signature."""
    if supporter.role != Role.supporter:
        raise forbidden()
    plan = get_or_create_plan(db, patient, lock=True)
    proposal = pending_proposal(db, plan, proposal_id, statuses=(ProposalStatus.pending,))
    require_shared(db, supporter, patient, plan, list(proposal.changes))
    require_base(plan, data.base_version)
    proposal.status = ProposalStatus.awaiting_confirmation
    proposal.meeting_recorded_by_id = supporter.id
    proposal.meeting_recorded_at = clock.now()
    proposal.decision_note = data.note
    db.add(proposal)
    audit.record(
        db,
        actor=supporter,
        action="crisis_plan.agreed_in_meeting",
        object_type="crisis_plan_proposal",
        object_id=proposal.id,
        patient_id=patient.id,
        details={"awaiting": "confirmation_or_co_sign"},
    )
    return proposal_public(db, plan, proposal, current_content(db, plan))


def co_sign(
    db: Session, *, supporter: User, patient: User, proposal_id: int, data: BaseVersionIn
) -> ProposalPublic:
    if supporter.role != Role.supporter:
        raise forbidden()
    plan = get_or_create_plan(db, patient, lock=True)
    proposal = pending_proposal(db, plan, proposal_id, statuses=(ProposalStatus.awaiting_confirmation,))
    if supporter.id in (proposal.author_id, proposal.meeting_recorded_by_id):
        raise ApiError(
            403,
            "second_person_needed",
            "A colleague who neither proposed this change nor recorded the meeting must co-sign it, "
            "or the patient confirms it in the app.",
        )
    require_shared(db, supporter, patient, plan, list(proposal.changes))
    require_base(plan, data.base_version)
    apply_proposal(
        db,
        plan=plan,
        proposal=proposal,
        decider=supporter,
        kind=VersionKind.agreed_in_meeting,
        status=ProposalStatus.agreed_in_meeting,
        note=proposal.decision_note,
    )
    audit.record(
        db,
        actor=supporter,
        action="crisis_plan.co_sign",
        object_type="crisis_plan_proposal",
        object_id=proposal.id,
        patient_id=patient.id,
        details={"version": proposal.resulting_version},
    )
    return proposal_public(db, plan, proposal, current_content(db, plan))
