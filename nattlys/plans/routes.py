"""/api/patients/<id>/crisis-plan: the patient's own plan, versions, sharing and proposals.

Who may call what:
- the patient: everything about their own plan except proposing and
  recording a meeting agreement;
- a supporter while the patient is in their care circle: read the sections
  shared with their team kinds, propose changes to those sections, record a
  proposal as agreed in a meeting, co-sign a colleague's meeting agreement
  (it takes effect only then, or when the patient confirms it);
- administrators: nothing (plans are clinical content).
"""

from __future__ import annotations

from flask import Blueprint, g

from nattlys.access import Need
from nattlys.accounts.models import User
from nattlys.api.endpoints import endpoint
from nattlys.db import get_db
from nattlys.plans import meetings, notify, proposals, service
from nattlys.plans.schemas import (
    AgreedInMeetingIn,
    BaseVersionIn,
    CrisisPlanPublic,
    PlanUpdate,
    ProposalIn,
    ProposalPublic,
    ProposalQuery,
    SharingPublic,
    SharingUpdate,
    VersionDetail,
    VersionSummary,
)

bp = Blueprint("plans", __name__, url_prefix="/api/patients/<int:patient_id>/crisis-plan")
TAG = "crisis plan"


@bp.get("")
@endpoint(
    "The crisis plan as the caller may see it (supporters: shared sections, 'meeting' first; audited)",
    tag=TAG,
    response=CrisisPlanPublic,
    patient=Need.plan,
)
def get_plan(patient: User) -> CrisisPlanPublic:
    db = get_db()
    return service.read_plan(db, viewer=g.user, patient=patient)


@bp.put("")
@endpoint(
    "Change sections of one's own plan (a new version); a stale base_version answers 409",
    tag=TAG,
    body=PlanUpdate,
    response=CrisisPlanPublic,
    errors=(409,),
    patient=Need.own_clinical,
)
def put_plan(patient: User, body: PlanUpdate) -> CrisisPlanPublic:
    db = get_db()
    return service.update_plan(db, patient=patient, data=body)


@bp.put("/sharing")
@endpoint(
    "Choose which team kinds see each section, and the offline copy",
    tag=TAG,
    body=SharingUpdate,
    response=SharingPublic,
    patient=Need.own_clinical,
)
def put_sharing(patient: User, body: SharingUpdate) -> SharingPublic:
    db = get_db()
    return service.update_sharing(db, patient=patient, data=body)


@bp.get("/versions")
@endpoint(
    "Every version of one's own plan, newest first",
    tag=TAG,
    response=list[VersionSummary],
    patient=Need.own_clinical,
)
def list_versions(patient: User) -> list[VersionSummary]:
    db = get_db()
    return service.list_versions(db, patient=patient)


@bp.get("/versions/<int:number>")
@endpoint(
    "One version, with what changed from the version before",
    tag=TAG,
    response=VersionDetail,
    patient=Need.own_clinical,
)
def get_version(patient: User, number: int) -> VersionDetail:
    db = get_db()
    return service.version_detail(db, patient=patient, number=number)


@bp.post("/versions/<int:number>/restore")
@endpoint(
    "Bring back an older version (as a new version)",
    tag=TAG,
    body=BaseVersionIn,
    response=CrisisPlanPublic,
    errors=(409,),
    patient=Need.own_clinical,
)
def restore_version(patient: User, number: int, body: BaseVersionIn) -> CrisisPlanPublic:
    db = get_db()
    return service.restore_version(db, patient=patient, number=number, base_version=body.base_version)


@bp.get("/proposals")
@endpoint(
    "Proposed changes (supporters: those on sections shared with them; audited)",
    tag=TAG,
    query=ProposalQuery,
    response=list[ProposalPublic],
    patient=Need.plan,
)
def list_proposals(patient: User, query: ProposalQuery) -> list[ProposalPublic]:
    db = get_db()
    return proposals.list_proposals(db, viewer=g.user, patient=patient, status=query.status)


@bp.post("/proposals")
@endpoint(
    "Propose a change (supporters); it takes effect when the patient approves",
    tag=TAG,
    body=ProposalIn,
    response=ProposalPublic,
    status=201,
    errors=(409,),
    patient=Need.propose_clinical,
)
def create_proposal(patient: User, body: ProposalIn) -> ProposalPublic:
    db = get_db()
    proposal = proposals.create_proposal(db, supporter=g.user, patient=patient, data=body)
    notify.proposal_waiting(patient)
    return proposal


@bp.post("/proposals/<int:proposal_id>/approve")
@endpoint(
    "Approve a proposal, or confirm a meeting agreement (the patient): a new version",
    tag=TAG,
    body=BaseVersionIn,
    response=ProposalPublic,
    errors=(409,),
    patient=Need.own_clinical,
)
def approve_proposal(patient: User, proposal_id: int, body: BaseVersionIn) -> ProposalPublic:
    db = get_db()
    return proposals.approve_proposal(
        db, patient=patient, proposal_id=proposal_id, base_version=body.base_version
    )


@bp.post("/proposals/<int:proposal_id>/reject")
@endpoint(
    "Reject a proposal (the patient)",
    tag=TAG,
    response=ProposalPublic,
    errors=(409,),
    patient=Need.own_clinical,
)
def reject_proposal(patient: User, proposal_id: int) -> ProposalPublic:
    db = get_db()
    return proposals.reject_proposal(db, patient=patient, proposal_id=proposal_id)


@bp.post("/proposals/<int:proposal_id>/agree-in-meeting")
@endpoint(
    "Record a proposal as agreed together with the patient in a meeting (supporters); it takes effect "
    "when the patient confirms it or a second supporter co-signs",
    tag=TAG,
    body=AgreedInMeetingIn,
    response=ProposalPublic,
    errors=(409,),
    patient=Need.propose_clinical,
)
def agree_in_meeting(patient: User, proposal_id: int, body: AgreedInMeetingIn) -> ProposalPublic:
    db = get_db()
    return meetings.record_agreement(
        db, supporter=g.user, patient=patient, proposal_id=proposal_id, data=body
    )


@bp.post("/proposals/<int:proposal_id>/co-sign")
@endpoint(
    "Co-sign a meeting agreement (a supporter in the circle who neither proposed nor recorded it): a new version",
    tag=TAG,
    body=BaseVersionIn,
    response=ProposalPublic,
    errors=(409,),
    patient=Need.propose_clinical,
)
def co_sign(patient: User, proposal_id: int, body: BaseVersionIn) -> ProposalPublic:
    db = get_db()
    return meetings.co_sign(db, supporter=g.user, patient=patient, proposal_id=proposal_id, data=body)
