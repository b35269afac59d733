"""Crisis plans: reading (filtered per viewer, audited), versioned writes and
sharing (supporters' proposals: proposals.py). Services never commit; the endpoint does.

Writes lock the plan row (PostgreSQL: SELECT ... FOR UPDATE; SQLite
serialises writers anyway) and check the caller's base_version, so two
devices can never silently overwrite each other. The unique (plan, number)
constraint is the last line of defence.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from nattlys import access, clock
from nattlys.accounts.models import User
from nattlys.api.errors import ApiError, conflict, not_found
from nattlys.audit import writer as audit
from nattlys.care_circles import membership
from nattlys.db import table_of
from nattlys.plans import diff as plan_diff
from nattlys.plans.models import (
    CrisisPlan,
    CrisisPlanProposal,
    CrisisPlanVersion,
    ProposalStatus,
    VersionKind,
)
from nattlys.plans.schemas import (
    DEFAULT_SHARING,
    SECTION_KEYS,
    CrisisPlanPublic,
    PersonRef,
    PlanSections,
    PlanUpdate,
    SectionKey,
    SectionsView,
    SharingPublic,
    SharingUpdate,
    VersionDetail,
    VersionSummary,
)

MAX_PENDING_PROPOSALS = 20
# Proposals that have not taken effect and can still be decided.
OPEN_STATUSES = (ProposalStatus.pending, ProposalStatus.awaiting_confirmation)


# Plan rows and content


def empty_content() -> dict[str, Any]:
    return PlanSections().model_dump(mode="json")


def _normalised(content: dict[str, Any]) -> dict[str, Any]:
    """Every section present (a version written before a section existed gets its empty value)."""
    base = empty_content()
    base.update({k: v for k, v in content.items() if k in base})
    return base


# Every check-in reads the plan's warning signs: these are built once.
_PLAN = select(CrisisPlan).where(CrisisPlan.patient_id == bindparam("patient_id"))
_PLAN_LOCKED = _PLAN.with_for_update()
_VERSION = select(CrisisPlanVersion).where(
    CrisisPlanVersion.plan_id == bindparam("plan_id"), CrisisPlanVersion.number == bindparam("number")
)


def find_plan(db: Session, patient_id: int, *, lock: bool = False) -> CrisisPlan | None:
    return db.exec(_PLAN_LOCKED if lock else _PLAN, params={"patient_id": patient_id}).first()


def get_or_create_plan(db: Session, patient: User, *, lock: bool = False) -> CrisisPlan:
    """The patient's plan, created empty (version 0, default sharing) on first use."""
    plan = find_plan(db, patient.id, lock=lock)
    if plan is not None:
        return plan
    plan = CrisisPlan(patient_id=patient.id, created_at=clock.now())
    try:
        with db.begin_nested():
            db.add(plan)
    except IntegrityError:
        # Another request created it a moment ago.
        plan = find_plan(db, patient.id, lock=lock)
        if plan is None:
            raise
    return plan


def _version_row(db: Session, plan: CrisisPlan, number: int) -> CrisisPlanVersion | None:
    return db.exec(_VERSION, params={"plan_id": plan.id, "number": number}).first()


def _content_of(number: int, stored: dict[str, Any] | None) -> dict[str, Any]:
    """Version `number`'s content with every section (version 0: the empty plan);
    `stored` None is a version that does not exist."""
    if number == 0:
        return empty_content()
    if stored is None:
        raise not_found("No such version.")
    return _normalised(stored)


def content_at(db: Session, plan: CrisisPlan, number: int) -> dict[str, Any]:
    row = _version_row(db, plan, number) if number else None
    return _content_of(number, row.content if row else None)


def current_content(db: Session, plan: CrisisPlan) -> dict[str, Any]:
    return content_at(db, plan, plan.current_version)


_PLANS = table_of(CrisisPlan)
_VERSIONS = table_of(CrisisPlanVersion)
# Every check-in reads its patient's current plan: one statement, built once.
_CURRENT = (
    select(_PLANS.c.sharing, _PLANS.c.current_version, _VERSIONS.c.content)
    .select_from(_PLANS)
    .outerjoin(
        _VERSIONS,
        (_VERSIONS.c.plan_id == _PLANS.c.id) & (_VERSIONS.c.number == _PLANS.c.current_version),
    )
    .where(_PLANS.c.patient_id == bindparam("patient_id"))
)


def current_content_and_sharing(
    db: Session, patient_id: int
) -> tuple[dict[str, Any], dict[str, list[str]]] | None:
    """The patient's plan as it stands (every section) and whom each section
    is shared with, read together; None if she has no plan."""
    row = db.execute(_CURRENT, {"patient_id": patient_id}).first()
    if row is None:
        return None
    return _content_of(row.current_version, row.content), _effective(row.sharing)


def effective_sharing(plan: CrisisPlan) -> dict[str, list[str]]:
    return _effective(plan.sharing)


def _effective(chosen: dict[str, Any] | None) -> dict[str, list[str]]:
    sharing = {key: list(kinds) for key, kinds in DEFAULT_SHARING.items()}
    sharing.update({k: list(v) for k, v in (chosen or {}).items() if k in sharing})
    return sharing


def require_base(plan: CrisisPlan, base_version: int) -> None:
    if base_version != plan.current_version:
        raise ApiError(
            409,
            "stale_version",
            f"The plan was changed elsewhere: you started from version {base_version}, "
            f"the current version is {plan.current_version}. Reload the plan and try again.",
            fields=[{"loc": ["base_version"], "type": "stale_version", "message": str(plan.current_version)}],
        )


def write_version(
    db: Session,
    plan: CrisisPlan,
    *,
    content: dict[str, Any],
    author: User | None,
    kind: VersionKind,
    note: str | None = None,
    proposal_id: int | None = None,
    restored_from: int | None = None,
) -> CrisisPlanVersion:
    number = plan.current_version + 1
    version = CrisisPlanVersion(
        plan_id=plan.id,
        number=number,
        content=content,
        kind=kind,
        author_id=author.id if author else None,
        author_role=str(author.role) if author else "unknown",
        created_at=clock.now(),
        note=note or None,
        proposal_id=proposal_id,
        restored_from=restored_from,
    )
    plan.current_version = number
    db.add(version)
    db.add(plan)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as exc:
        raise conflict(
            "stale_version", "The plan was changed elsewhere. Reload the plan and try again."
        ) from exc
    return version


def person_ref(user: User | None) -> PersonRef | None:
    return PersonRef(id=user.id, display_name=user.display_name) if user else None


def users_by_id(db: Session, ids: set[int | None]) -> dict[int | None, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in db.exec(select(User).where(col(User.id).in_(wanted))).all()}


def sections_view(content: dict[str, Any], keys: list[str]) -> SectionsView:
    return SectionsView.model_validate({k: content[k] for k in keys})


# Reading


def display_order(keys: list[str], *, for_supporter: bool) -> list[str]:
    """Plan order; for supporters "how I want to be met" comes first."""
    if for_supporter and SectionKey.meeting in keys:
        return [SectionKey.meeting.value, *[k for k in keys if k != SectionKey.meeting]]
    return list(keys)


def read_plan(
    db: Session, *, viewer: User, patient: User, purpose: str = "crisis_plan.read"
) -> CrisisPlanPublic:
    """The plan as this viewer may see it. Call after
    access.require_patient(db, viewer, patient.id, Need.plan). A
    supporter's read is audited with the sections shown (chat may pass its
    own `purpose`)."""
    plan = get_or_create_plan(db, patient)
    content = current_content(db, plan)
    sharing = effective_sharing(plan)
    is_patient = viewer.id == patient.id
    keys = access.visible_plan_sections(db, viewer, patient.id, sharing, list(SECTION_KEYS))
    keys = display_order(keys, for_supporter=not is_patient)
    current = _version_row(db, plan, plan.current_version) if plan.current_version else None
    author = db.get(User, current.author_id) if current and current.author_id else None
    pending = db.exec(
        select(CrisisPlanProposal).where(
            CrisisPlanProposal.plan_id == plan.id, col(CrisisPlanProposal.status).in_(OPEN_STATUSES)
        )
    ).all()
    extra: dict[str, Any]
    if is_patient:
        extra = {
            "sharing": sharing,
            "default_sharing": DEFAULT_SHARING,
            "offline_enabled": plan.offline_enabled,
        }
    else:
        kinds = membership.team_kinds_in_circle(db, supporter_id=viewer.id, patient_id=patient.id)
        extra = {"your_team_kinds": kinds}
        audit.record(
            db,
            actor=viewer,
            action=purpose,
            object_type="crisis_plan",
            object_id=plan.id,
            patient_id=patient.id,
            details={"version": plan.current_version, "sections_shown": keys},
        )
    return CrisisPlanPublic(
        patient_id=patient.id,
        patient_name=patient.display_name,
        viewer="patient" if is_patient else "supporter",
        version=plan.current_version,
        updated_at=current.created_at if current else None,
        updated_by=person_ref(author),
        updated_kind=VersionKind(current.kind) if current else None,
        sections=sections_view(content, keys),
        visible_sections=keys,  # type: ignore[arg-type]  # pydantic checks each str is a SectionKey
        pending_proposals=len([p for p in pending if is_patient or set(p.changes) <= set(keys)]),
        **extra,
    )


# The patient's writes


def update_plan(db: Session, *, patient: User, data: PlanUpdate) -> CrisisPlanPublic:
    plan = get_or_create_plan(db, patient, lock=True)
    require_base(plan, data.base_version)
    changes = data.sections.changes()
    before = current_content(db, plan)
    after = {**before, **changes}
    if after != before:
        version = write_version(
            db, plan, content=after, author=patient, kind=VersionKind.edit, note=data.note
        )
        changed = [d["section"] for d in plan_diff.diff(before, after)]
        audit.record(
            db,
            actor=patient,
            action="crisis_plan.edit",
            object_type="crisis_plan",
            object_id=plan.id,
            patient_id=patient.id,
            details={"version": version.number, "sections_changed": changed},
        )
    return read_plan(db, viewer=patient, patient=patient)


def restore_version(db: Session, *, patient: User, number: int, base_version: int) -> CrisisPlanPublic:
    plan = get_or_create_plan(db, patient, lock=True)
    if number < 1 or _version_row(db, plan, number) is None:
        raise not_found("No such version.")
    require_base(plan, base_version)
    before = current_content(db, plan)
    after = content_at(db, plan, number)
    if after != before:
        version = write_version(
            db, plan, content=after, author=patient, kind=VersionKind.restore, restored_from=number
        )
        audit.record(
            db,
            actor=patient,
            action="crisis_plan.restore",
            object_type="crisis_plan",
            object_id=plan.id,
            patient_id=patient.id,
            details={"version": version.number, "restored_from": number},
        )
    return read_plan(db, viewer=patient, patient=patient)


def sharing_public(plan: CrisisPlan) -> SharingPublic:
    return SharingPublic(
        sharing=effective_sharing(plan),  # type: ignore[arg-type]  # pydantic checks the str keys/kinds
        default_sharing=DEFAULT_SHARING,  # type: ignore[arg-type]  # pydantic checks the str keys/kinds
        offline_enabled=plan.offline_enabled,
    )


def update_sharing(db: Session, *, patient: User, data: SharingUpdate) -> SharingPublic:
    """Who may see which section, and the offline copy. Not a content version."""
    plan = get_or_create_plan(db, patient, lock=True)
    before = effective_sharing(plan)
    after = dict(before)
    for key, kinds in (data.sharing or {}).items():
        after[str(key)] = [str(k) for k in kinds]
    changed = [k for k in SECTION_KEYS if before[k] != after[k]]
    details: dict[str, Any] = {"sections_changed": changed} if changed else {}
    if data.offline_enabled is not None and data.offline_enabled != plan.offline_enabled:
        plan.offline_enabled = data.offline_enabled
        details["offline_copy"] = "on" if data.offline_enabled else "off"
    if details:
        # Store only what differs from the defaults, so better defaults reach old plans.
        plan.sharing = {k: v for k, v in after.items() if v != DEFAULT_SHARING[k]}
        plan.sharing_changed_at = clock.now()
        db.add(plan)
        audit.record(
            db,
            actor=patient,
            action="crisis_plan.sharing",
            object_type="crisis_plan",
            object_id=plan.id,
            patient_id=patient.id,
            details=details,
        )
    return sharing_public(plan)


# Versions (the patient only)


def _summaries(db: Session, rows: list[CrisisPlanVersion]) -> list[VersionSummary]:
    proposals: dict[int | None, CrisisPlanProposal] = {
        p.id: p
        for p in db.exec(
            select(CrisisPlanProposal).where(col(CrisisPlanProposal.id).in_({r.proposal_id for r in rows}))
        ).all()
    }
    users = users_by_id(db, {r.author_id for r in rows} | {p.decided_by_id for p in proposals.values()})
    out = []
    for row in rows:
        proposal = proposals.get(row.proposal_id)
        out.append(
            VersionSummary(
                number=row.number,
                kind=VersionKind(row.kind),
                author=person_ref(users.get(row.author_id)),
                author_role=row.author_role,
                created_at=row.created_at,
                note=row.note,
                proposal_id=row.proposal_id,
                decided_by=person_ref(users.get(proposal.decided_by_id)) if proposal else None,
                restored_from=row.restored_from,
            )
        )
    return out


def list_versions(db: Session, *, patient: User) -> list[VersionSummary]:
    plan = get_or_create_plan(db, patient)
    rows = db.exec(
        select(CrisisPlanVersion)
        .where(CrisisPlanVersion.plan_id == plan.id)
        .order_by(col(CrisisPlanVersion.number).desc())
    ).all()
    return _summaries(db, list(rows))


def version_detail(db: Session, *, patient: User, number: int) -> VersionDetail:
    plan = get_or_create_plan(db, patient)
    row = _version_row(db, plan, number) if number >= 1 else None
    if row is None:
        raise not_found("No such version.")
    content = _normalised(row.content)
    previous = content_at(db, plan, number - 1)
    summary = _summaries(db, [row])[0]
    return VersionDetail(
        **summary.model_dump(),
        sections=PlanSections.model_validate(content),
        previous_number=number - 1 if number > 1 else None,
        diff=plan_diff.diff(previous, content),  # type: ignore[arg-type]  # pydantic builds SectionDiff from the dicts
    )
