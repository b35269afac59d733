"""Reading and editing a team's roster: the published version, the draft an
administrator works on, and publishing it (with the evening check)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, delete, select

from nattlys.accounts.models import Role, User
from nattlys.api.errors import ApiError, not_found
from nattlys.audit import writer as audit
from nattlys.care_circles.models import Team, TeamMembership
from nattlys.care_circles.service import member_public
from nattlys.clock import OSLO
from nattlys.rosters import coverage
from nattlys.rosters.generation import bump_generation
from nattlys.rosters.models import (
    RosterStatus,
    RosterVersion,
    Rotation,
    RotationMember,
    RotationShift,
)
from nattlys.rosters.schemas import (
    RosterDraftIn,
    RosterVersionPublic,
    RotationPublic,
    ShiftPublic,
)
from nattlys.rosters.snapshot import load_snapshot

# Publishing a roster that leaves a patient with nobody in the evening or at
# night in the next four weeks needs an explicit confirmation.
PUBLISH_CHECK_DAYS = 28


def _version(db: Session, team_id: int, status: RosterStatus) -> RosterVersion | None:
    return db.exec(
        select(RosterVersion).where(RosterVersion.team_id == team_id, RosterVersion.status == status)
    ).first()


def _weekdays(mask: int) -> list[int]:
    return [d for d in range(7) if mask & (1 << d)]


def version_public(db: Session, version: RosterVersion | None) -> RosterVersionPublic | None:
    if version is None:
        return None

    rotations = list(
        db.exec(select(Rotation).where(Rotation.version_id == version.id).order_by(col(Rotation.id)))
    )
    out = []
    for r in rotations:
        members = db.exec(
            select(User)
            .join(RotationMember, col(RotationMember.user_id) == col(User.id))
            .where(RotationMember.rotation_id == r.id)
            .order_by(col(RotationMember.position))
        ).all()
        shifts = db.exec(
            select(RotationShift).where(RotationShift.rotation_id == r.id).order_by(col(RotationShift.id))
        )
        out.append(
            RotationPublic(
                id=r.id,
                name=r.name,
                timezone=r.timezone,
                start_date=r.start_date,
                period_days=r.period_days,
                members=[member_public(m) for m in members],
                shifts=[
                    ShiftPublic(
                        weekdays=_weekdays(s.weekdays),
                        start=s.start_time,
                        end=s.end_time,
                        ends_next_day=s.ends_next_day,
                    )
                    for s in shifts
                ],
            )
        )
    return RosterVersionPublic(
        id=version.id,
        status=version.status,
        created_at=version.created_at,
        published_at=version.published_at,
        rotations=out,
    )


def published_version(db: Session, team_id: int) -> RosterVersion | None:
    return _version(db, team_id, RosterStatus.published)


def draft_version(db: Session, team_id: int) -> RosterVersion | None:
    return _version(db, team_id, RosterStatus.draft)


def team_supporters(db: Session, team_id: int) -> set[int]:
    return set(
        db.exec(
            select(TeamMembership.user_id)
            .join(User, col(User.id) == col(TeamMembership.user_id))
            .where(TeamMembership.team_id == team_id, User.role == Role.supporter)
        ).all()
    )


def _copy_rotations(db: Session, source_id: int, target_id: int) -> None:
    for r in db.exec(select(Rotation).where(Rotation.version_id == source_id)).all():
        copy = Rotation(
            version_id=target_id,
            name=r.name,
            timezone=r.timezone,
            start_date=r.start_date,
            period_days=r.period_days,
        )
        db.add(copy)
        db.flush()
        for m in db.exec(select(RotationMember).where(RotationMember.rotation_id == r.id)).all():
            db.add(RotationMember(rotation_id=copy.id, position=m.position, user_id=m.user_id))
        for s in db.exec(select(RotationShift).where(RotationShift.rotation_id == r.id)).all():
            db.add(
                RotationShift(
                    rotation_id=copy.id,
                    weekdays=s.weekdays,
                    start_time=s.start_time,
                    end_time=s.end_time,
                    ends_next_day=s.ends_next_day,
                )
            )


def start_draft(db: Session, *, actor: User, team: Team, at: datetime) -> RosterVersion:
    """The team's draft, created as a copy of the published roster if none exists."""
    draft = draft_version(db, team.id)
    if draft is not None:
        return draft
    draft = RosterVersion(team_id=team.id, status=RosterStatus.draft, created_at=at, created_by_id=actor.id)
    db.add(draft)
    db.flush()
    published = published_version(db, team.id)
    if published is not None:
        _copy_rotations(db, published.id, draft.id)
    audit.record(db, actor=actor, action="roster.draft", object_type="roster", object_id=draft.id)
    return draft


def _clear_rotations(db: Session, version_id: int) -> None:
    rotation_ids = list(db.exec(select(Rotation.id).where(Rotation.version_id == version_id)).all())
    if rotation_ids:
        db.exec(delete(RotationMember).where(col(RotationMember.rotation_id).in_(rotation_ids)))
        db.exec(delete(RotationShift).where(col(RotationShift.rotation_id).in_(rotation_ids)))
        db.exec(delete(Rotation).where(col(Rotation.id).in_(rotation_ids)))


def replace_draft(
    db: Session, *, actor: User, team: Team, data: RosterDraftIn, at: datetime
) -> RosterVersion:
    """Replace the draft's rotations wholesale; invalid input changes nothing."""
    supporters = team_supporters(db, team.id)
    for i, rotation in enumerate(data.rotations):
        strangers = [uid for uid in rotation.member_ids if uid not in supporters]
        if strangers:
            raise ApiError(
                400,
                "not_team_members",
                "Every person in a rotation must be a supporter in this team.",
                fields=[
                    {
                        "loc": ["rotations", str(i), "member_ids"],
                        "type": "not_team_member",
                        "message": str(strangers),
                    }
                ],
            )
    draft = start_draft(db, actor=actor, team=team, at=at)
    _clear_rotations(db, draft.id)
    db.flush()
    for rotation in data.rotations:
        row = Rotation(
            version_id=draft.id,
            name=rotation.name,
            timezone=rotation.timezone,
            start_date=rotation.start_date,
            period_days=rotation.period_days,
        )
        db.add(row)
        db.flush()
        for position, uid in enumerate(rotation.member_ids):
            db.add(RotationMember(rotation_id=row.id, position=position, user_id=uid))
        for shift in rotation.shifts:
            db.add(
                RotationShift(
                    rotation_id=row.id,
                    weekdays=sum(1 << d for d in shift.weekdays),
                    start_time=shift.start,
                    end_time=shift.end,
                    ends_next_day=shift.ends_next_day,
                )
            )
    audit.record(db, actor=actor, action="roster.draft_update", object_type="roster", object_id=draft.id)
    return draft


def discard_draft(db: Session, *, actor: User, team: Team) -> None:
    draft = draft_version(db, team.id)
    if draft is None:
        raise not_found("This team has no draft roster.")
    _clear_rotations(db, draft.id)
    db.delete(draft)
    audit.record(db, actor=actor, action="roster.discard", object_type="roster", object_id=draft.id)


def publish(db: Session, *, actor: User, team: Team, confirm_uncovered: bool, at: datetime) -> RosterVersion:
    """Make the draft the roster everyone reads. Leaving any patient with nobody
    on duty between 16:00 and 08:00 needs `confirm_uncovered`, and is logged."""
    draft = draft_version(db, team.id)
    if draft is None:
        raise not_found("This team has no draft roster to publish.")
    preview = load_snapshot(db, draft_team_id=team.id)
    start = at.astimezone(OSLO).date()
    gaps = coverage.evening_gaps(preview, start=start, days=PUBLISH_CHECK_DAYS, team_id=team.id)
    if gaps and not confirm_uncovered:
        raise ApiError(
            409,
            "uncovered_hours",
            "With this roster some patients have nobody on duty in the evening or at night. "
            "Confirm to publish anyway.",
            fields=[
                {
                    "loc": ["patients", str(pid)],
                    "type": "uncovered",
                    "message": f"{s.isoformat()}/{e.isoformat()}",
                }
                for pid, s, e in gaps[:200]
            ],
        )
    old = published_version(db, team.id)
    if old is not None:
        old.status = RosterStatus.archived
        db.add(old)
        db.flush()
    draft.status = RosterStatus.published
    draft.published_at = at
    draft.published_by_id = actor.id
    db.add(draft)
    bump_generation(db)
    if gaps:
        audit.record(
            db,
            actor=actor,
            action="roster.publish_uncovered",
            object_type="roster",
            object_id=draft.id,
            details={"gaps_confirmed": len(gaps), "patients": len({g[0] for g in gaps})},
        )
    else:
        audit.record(db, actor=actor, action="roster.publish", object_type="roster", object_id=draft.id)
    return draft
