"""The one roster service: who is on duty for a team or a patient at an
instant, coverage, drafts, publishing and overrides.

Chat routing, alerts and every screen that shows "on duty" call `on_duty` or
`on_duty_team`. They read an in-memory snapshot of all published rosters,
rebuilt when the roster generation in the database changes, so a look-up costs
one primary-key read plus arithmetic, and an override added through any server
process is seen by all of them at once.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_app_context
from sqlmodel import Session, col, delete, select

from server.accounts.models import Role, User
from server.api.errors import ApiError, not_found
from server.audit import writer as audit
from server.care_circles.models import CareTier, CareTierTeam, Team, TeamKind, TeamMembership, TeamRef
from server.clock import OSLO
from server.rosters.generation import bump_generation, current_generation
from server.rosters.models import (
    OverrideKind,
    OverrideReason,
    RosterOverride,
    RosterStatus,
    RosterVersion,
    Rotation,
    RotationMember,
    RotationShift,
)
from server.rosters.schedule import Duty, Override, RotationRule, ShiftRule, TeamRoster
from server.rosters.schemas import (
    DutyPublic,
    OverrideIn,
    OverridePublic,
    PatientOnDutyPublic,
    RosterDraftIn,
    RosterVersionPublic,
    RotationPublic,
    ShiftPublic,
    TeamOnDutyPublic,
    TierOnDutyPublic,
)

# Publishing a roster that leaves a patient with nobody between these local
# hours needs an explicit confirmation (PRODUCT.md: 76 % of admissions happen
# 16:00-08:00).
EVENING_STARTS = time(16, 0)
MORNING_ENDS = time(8, 0)
PUBLISH_CHECK_DAYS = 28


# --- snapshot ----------------------------------------------------------------


@dataclass(frozen=True)
class TeamInfo:
    id: int
    name: str
    kind: str

    def ref(self) -> TeamRef:
        return TeamRef.model_construct(id=self.id, name=self.name, kind=TeamKind(self.kind))


@dataclass(frozen=True)
class Tier:
    position: int
    team_ids: tuple[int, ...]
    escalate_after_minutes: int


@dataclass(frozen=True)
class RosterSnapshot:
    generation: int
    teams: dict[int, TeamRoster]
    team_info: dict[int, TeamInfo]
    circles: dict[int, tuple[Tier, ...]]
    names: dict[int, str]

    def roster(self, team_id: int) -> TeamRoster:
        return self.teams.get(team_id) or TeamRoster(team_id=team_id)


def _rotation_rules(db: Session, version_ids: list[int]) -> dict[int, list[RotationRule]]:
    """Rotation rules by team for the given roster versions."""
    if not version_ids:
        return {}
    versions = {v.id: v for v in db.exec(select(RosterVersion).where(col(RosterVersion.id).in_(version_ids)))}
    rotations = list(db.exec(select(Rotation).where(col(Rotation.version_id).in_(version_ids))))
    rotation_ids = [r.id for r in rotations]
    members: dict[int, list[tuple[int, int]]] = defaultdict(list)
    shifts: dict[int, list[ShiftRule]] = defaultdict(list)
    if rotation_ids:
        for m in db.exec(select(RotationMember).where(col(RotationMember.rotation_id).in_(rotation_ids))):
            members[m.rotation_id].append((m.position, m.user_id))
        for s in db.exec(select(RotationShift).where(col(RotationShift.rotation_id).in_(rotation_ids))):
            shifts[s.rotation_id].append(ShiftRule(s.weekdays, s.start_time, s.end_time, s.ends_next_day))
    by_team: dict[int, list[RotationRule]] = defaultdict(list)
    for r in rotations:
        team_id = versions[r.version_id].team_id
        by_team[team_id].append(
            RotationRule(
                id=r.id,  # type: ignore[arg-type]
                team_id=team_id,
                name=r.name,
                tz=ZoneInfo(r.timezone),
                start_date=r.start_date,
                period_days=r.period_days,
                members=tuple(uid for _, uid in sorted(members[r.id])),  # type: ignore[index]
                shifts=tuple(shifts[r.id]),  # type: ignore[index]
            )
        )
    return by_team


def load_snapshot(db: Session, *, draft_team_id: int | None = None) -> RosterSnapshot:
    """Read every published roster (or, for one team, its draft instead)."""
    generation = current_generation(db)
    versions = list(
        db.exec(
            select(RosterVersion).where(
                col(RosterVersion.status).in_([RosterStatus.published, RosterStatus.draft])
            )
        )
    )
    chosen: dict[int, int] = {}
    for v in versions:
        if (v.status == RosterStatus.published and v.team_id != draft_team_id) or (
            v.status == RosterStatus.draft and v.team_id == draft_team_id
        ):
            chosen[v.team_id] = v.id  # type: ignore[assignment]
    rules = _rotation_rules(db, list(chosen.values()))

    overrides: dict[int, list[Override]] = defaultdict(list)
    for o in db.exec(select(RosterOverride)):
        overrides[o.team_id].append(
            Override(o.id, o.team_id, o.kind, o.user_id, o.replaces_user_id, o.starts_at, o.ends_at, o.reason)  # type: ignore[arg-type]
        )
    members: dict[int, set[int]] = defaultdict(set)
    active_supporters = {
        u.id: u.display_name
        for u in db.exec(select(User).where(User.role == Role.supporter, col(User.is_active).is_(True)))
    }
    for m in db.exec(select(TeamMembership)):
        if m.user_id in active_supporters:
            members[m.team_id].add(m.user_id)
    teams = {t.id: TeamInfo(t.id, t.name, t.kind) for t in db.exec(select(Team))}  # type: ignore[misc]

    tiers: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    tier_rows = db.exec(
        select(
            CareTier.patient_id, CareTier.position, CareTier.escalate_after_minutes, CareTierTeam.team_id
        ).join(CareTierTeam, col(CareTierTeam.tier_id) == col(CareTier.id))
    )
    for patient_id, position, minutes, team_id in tier_rows:
        tiers[patient_id].append((position, minutes, team_id))
    circles: dict[int, tuple[Tier, ...]] = {}
    for patient_id, rows in tiers.items():
        grouped: dict[int, tuple[int, list[int]]] = {}
        for position, minutes, team_id in rows:
            grouped.setdefault(position, (minutes, []))[1].append(team_id)
        circles[patient_id] = tuple(
            Tier(position, tuple(sorted(team_ids)), minutes)
            for position, (minutes, team_ids) in sorted(grouped.items())
        )

    return RosterSnapshot(
        generation=generation,
        teams={
            team_id: TeamRoster.build(
                team_id, rules.get(team_id, ()), overrides.get(team_id, ()), members.get(team_id, ())
            )
            for team_id in teams
        },
        team_info=teams,
        circles=circles,
        names=active_supporters,
    )


class SnapshotCache:
    def __init__(self) -> None:
        self._snapshot: RosterSnapshot | None = None
        self._lock = threading.Lock()

    def get(self, db: Session) -> RosterSnapshot:
        generation = current_generation(db)
        snapshot = self._snapshot
        if snapshot is not None and snapshot.generation == generation:
            return snapshot
        with self._lock:
            if self._snapshot is None or self._snapshot.generation != generation:
                self._snapshot = load_snapshot(db)
            return self._snapshot


_CACHE_KEY = "nattlys_roster_cache"
_REQUEST_KEY = "roster_snapshot"


def init_app(app: Flask) -> None:
    app.extensions[_CACHE_KEY] = SnapshotCache()


def snapshot(db: Session) -> RosterSnapshot:
    """The roster snapshot, checked against the database once per unit of work
    (request, socket event or job run)."""
    if has_app_context() and (cached := g.get(_REQUEST_KEY)) is not None:
        return cached  # type: ignore[no-any-return]
    snap = current_app.extensions[_CACHE_KEY].get(db)
    if has_app_context():
        setattr(g, _REQUEST_KEY, snap)
    return snap


# --- who is on duty -----------------------------------------------------------


def _duty_public(snap: RosterSnapshot, duty: Duty) -> DutyPublic:
    # model_construct: the values come from our own snapshot, already valid, and
    # this runs for every supporter of every tier of every look-up.
    info = snap.team_info[duty.team_id]
    return DutyPublic.model_construct(
        user_id=duty.user_id,
        display_name=snap.names.get(duty.user_id, ""),
        team_id=duty.team_id,
        team_name=info.name,
        team_kind=TeamKind(info.kind),
        shift_starts_at=duty.starts_at,
        shift_ends_at=duty.ends_at,
        source=duty.source,
        rotation_name=duty.rotation_name,
        replaces_user_id=duty.replaces_user_id,
        replaces_name=snap.names.get(duty.replaces_user_id) if duty.replaces_user_id else None,
    )


def on_duty_team(
    db: Session, *, team_id: int, at: datetime, snap: RosterSnapshot | None = None
) -> TeamOnDutyPublic:
    snap = snap or snapshot(db)
    if team_id not in snap.team_info:
        raise not_found("No such team.")
    duties = snap.roster(team_id).on_duty(at)
    return TeamOnDutyPublic(
        team=snap.team_info[team_id].ref(), at=at, on_duty=[_duty_public(snap, d) for d in duties]
    )


def on_duty(
    db: Session, *, patient_id: int, at: datetime, snap: RosterSnapshot | None = None
) -> PatientOnDutyPublic:
    """Tier by tier of the patient's care circle, who is on duty at `at`."""
    snap = snap or snapshot(db)
    tiers: list[TierOnDutyPublic] = []
    first: int | None = None
    for tier in snap.circles.get(patient_id, ()):
        duties: list[DutyPublic] = []
        for team_id in tier.team_ids:
            duties.extend(_duty_public(snap, d) for d in snap.roster(team_id).on_duty(at))
        if duties and first is None:
            first = tier.position
        tiers.append(
            TierOnDutyPublic.model_construct(
                position=tier.position,
                teams=[snap.team_info[t].ref() for t in tier.team_ids],
                on_duty=duties,
            )
        )
    return PatientOnDutyPublic.model_construct(
        patient_id=patient_id, at=at, tiers=tiers, first_tier_on_duty=first
    )


def is_on_duty_for(db: Session, *, supporter_id: int, patient_id: int, at: datetime) -> bool:
    """Whether the supporter is on duty in any tier of this patient's circle now."""
    snap = snapshot(db)
    for tier in snap.circles.get(patient_id, ()):
        for team_id in tier.team_ids:
            if any(d.user_id == supporter_id for d in snap.roster(team_id).on_duty(at)):
                return True
    return False


def patients_on_duty_for(db: Session, *, supporter_id: int, at: datetime) -> set[int]:
    """Every patient this supporter is on duty for now: each team is asked
    once, not once per patient."""
    snap = snapshot(db)
    duty_teams = {
        team_id
        for team_id, roster in snap.teams.items()
        if supporter_id in roster.members and any(d.user_id == supporter_id for d in roster.on_duty(at))
    }
    return {
        patient_id
        for patient_id, tiers in snap.circles.items()
        if any(team_id in duty_teams for tier in tiers for team_id in tier.team_ids)
    }


# --- reading and editing rosters ------------------------------------------------


def _version(db: Session, team_id: int, status: RosterStatus) -> RosterVersion | None:
    return db.exec(
        select(RosterVersion).where(RosterVersion.team_id == team_id, RosterVersion.status == status)
    ).first()


def _weekdays(mask: int) -> list[int]:
    return [d for d in range(7) if mask & (1 << d)]


def version_public(db: Session, version: RosterVersion | None) -> RosterVersionPublic | None:
    if version is None:
        return None
    from server.care_circles.services import member_public

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
                id=r.id,  # type: ignore[arg-type]
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
        id=version.id,  # type: ignore[arg-type]
        status=version.status,
        created_at=version.created_at,
        published_at=version.published_at,
        rotations=out,
    )


def published_version(db: Session, team_id: int) -> RosterVersion | None:
    return _version(db, team_id, RosterStatus.published)


def draft_version(db: Session, team_id: int) -> RosterVersion | None:
    return _version(db, team_id, RosterStatus.draft)


def _team_supporters(db: Session, team_id: int) -> set[int]:
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
            db.add(RotationMember(rotation_id=copy.id, position=m.position, user_id=m.user_id))  # type: ignore[arg-type]
        for s in db.exec(select(RotationShift).where(RotationShift.rotation_id == r.id)).all():
            db.add(
                RotationShift(
                    rotation_id=copy.id,  # type: ignore[arg-type]
                    weekdays=s.weekdays,
                    start_time=s.start_time,
                    end_time=s.end_time,
                    ends_next_day=s.ends_next_day,
                )
            )


def start_draft(db: Session, *, actor: User, team: Team, at: datetime) -> RosterVersion:
    """The team's draft, created as a copy of the published roster if none exists."""
    draft = draft_version(db, team.id)  # type: ignore[arg-type]
    if draft is not None:
        return draft
    draft = RosterVersion(team_id=team.id, status=RosterStatus.draft, created_at=at, created_by_id=actor.id)  # type: ignore[arg-type]
    db.add(draft)
    db.flush()
    published = published_version(db, team.id)  # type: ignore[arg-type]
    if published is not None:
        _copy_rotations(db, published.id, draft.id)  # type: ignore[arg-type]
    audit.record(db, actor=actor, action="roster.draft", object_type="roster", object_id=draft.id)
    return draft


def _clear_rotations(db: Session, version_id: int) -> None:
    rotation_ids = list(db.exec(select(Rotation.id).where(Rotation.version_id == version_id)).all())
    if rotation_ids:
        db.exec(delete(RotationMember).where(col(RotationMember.rotation_id).in_(rotation_ids)))  # type: ignore[call-overload]
        db.exec(delete(RotationShift).where(col(RotationShift.rotation_id).in_(rotation_ids)))  # type: ignore[call-overload]
        db.exec(delete(Rotation).where(col(Rotation.id).in_(rotation_ids)))  # type: ignore[call-overload]


def replace_draft(
    db: Session, *, actor: User, team: Team, data: RosterDraftIn, at: datetime
) -> RosterVersion:
    """Replace the draft's rotations wholesale; invalid input changes nothing."""
    supporters = _team_supporters(db, team.id)  # type: ignore[arg-type]
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
    _clear_rotations(db, draft.id)  # type: ignore[arg-type]
    db.flush()
    for rotation in data.rotations:
        row = Rotation(
            version_id=draft.id,  # type: ignore[arg-type]
            name=rotation.name,
            timezone=rotation.timezone,
            start_date=rotation.start_date,
            period_days=rotation.period_days,
        )
        db.add(row)
        db.flush()
        for position, uid in enumerate(rotation.member_ids):
            db.add(RotationMember(rotation_id=row.id, position=position, user_id=uid))  # type: ignore[arg-type]
        for shift in rotation.shifts:
            db.add(
                RotationShift(
                    rotation_id=row.id,  # type: ignore[arg-type]
                    weekdays=sum(1 << d for d in shift.weekdays),
                    start_time=shift.start,
                    end_time=shift.end,
                    ends_next_day=shift.ends_next_day,
                )
            )
    audit.record(db, actor=actor, action="roster.draft_update", object_type="roster", object_id=draft.id)
    return draft


def discard_draft(db: Session, *, actor: User, team: Team) -> None:
    draft = draft_version(db, team.id)  # type: ignore[arg-type]
    if draft is None:
        raise not_found("This team has no draft roster.")
    _clear_rotations(db, draft.id)  # type: ignore[arg-type]
    db.delete(draft)
    audit.record(db, actor=actor, action="roster.discard", object_type="roster", object_id=draft.id)


def publish(db: Session, *, actor: User, team: Team, confirm_uncovered: bool, at: datetime) -> RosterVersion:
    """Make the draft the roster everyone reads. Leaving any patient with nobody
    on duty between 16:00 and 08:00 needs `confirm_uncovered`, and is logged."""
    from server.rosters import coverage

    draft = draft_version(db, team.id)  # type: ignore[arg-type]
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
    old = published_version(db, team.id)  # type: ignore[arg-type]
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
            reason=f"confirmed {len(gaps)} evening/night gaps for {len({g[0] for g in gaps})} patients",
        )
    else:
        audit.record(db, actor=actor, action="roster.publish", object_type="roster", object_id=draft.id)
    return draft


# --- overrides ------------------------------------------------------------------


def _as_instant(value: datetime, tz: ZoneInfo) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=tz).astimezone(UTC)
    return value.astimezone(UTC)


def _team_zone(db: Session, team_id: int) -> ZoneInfo:
    version = published_version(db, team_id) or draft_version(db, team_id)
    if version is not None:
        rotation = db.exec(select(Rotation).where(Rotation.version_id == version.id)).first()
        if rotation is not None:
            return ZoneInfo(rotation.timezone)
    return OSLO


def override_public(db: Session, o: RosterOverride) -> OverridePublic:
    user = db.get(User, o.user_id)
    replaced = db.get(User, o.replaces_user_id) if o.replaces_user_id else None
    return OverridePublic(
        id=o.id,  # type: ignore[arg-type]
        team_id=o.team_id,
        kind=OverrideKind(o.kind),
        user_id=o.user_id,
        user_name=user.display_name if user else "",
        replaces_user_id=o.replaces_user_id,
        replaces_name=replaced.display_name if replaced else None,
        starts_at=o.starts_at,
        ends_at=o.ends_at,
        reason=OverrideReason(o.reason),
        note=o.note,
    )


def list_overrides(db: Session, *, team_id: int, start: datetime, end: datetime) -> list[RosterOverride]:
    return list(
        db.exec(
            select(RosterOverride)
            .where(
                RosterOverride.team_id == team_id,
                RosterOverride.ends_at > start,
                RosterOverride.starts_at < end,
            )
            .order_by(col(RosterOverride.starts_at))
        )
    )


def add_override(db: Session, *, actor: User, team: Team, data: OverrideIn, at: datetime) -> RosterOverride:
    tz = _team_zone(db, team.id)  # type: ignore[arg-type]
    starts_at = _as_instant(data.starts_at, tz)
    ends_at = _as_instant(data.ends_at, tz)
    if ends_at <= starts_at:
        raise ApiError(
            400,
            "invalid_input",
            "The override ends before it starts.",
            fields=[{"loc": ["ends_at"], "type": "before_start", "message": "must be after starts_at"}],
        )
    if ends_at - starts_at > timedelta(days=92):
        raise ApiError(
            400,
            "invalid_input",
            "An override can last at most 92 days; change the roster instead.",
            fields=[{"loc": ["ends_at"], "type": "too_long", "message": "at most 92 days after starts_at"}],
        )
    supporters = _team_supporters(db, team.id)  # type: ignore[arg-type]
    people = {"user_id": data.user_id}
    if data.replaces_user_id is not None:
        people["replaces_user_id"] = data.replaces_user_id
    for field_name, uid in people.items():
        if uid not in supporters:
            raise ApiError(
                400,
                "not_team_members",
                "An override can only name supporters in this team.",
                fields=[{"loc": [field_name], "type": "not_team_member", "message": str(uid)}],
            )
    involved = set(people.values())
    clashes = [
        o
        for o in list_overrides(db, team_id=team.id, start=starts_at, end=ends_at)  # type: ignore[arg-type]
        if {o.user_id, o.replaces_user_id} & involved
    ]
    if clashes:
        raise ApiError(
            400,
            "overlapping_override",
            "This person already has an override in that period. Change or remove it first.",
            fields=[{"loc": ["starts_at"], "type": "overlaps", "message": f"override {clashes[0].id}"}],
        )
    override = RosterOverride(
        team_id=team.id,  # type: ignore[arg-type]
        kind=data.kind,
        user_id=data.user_id,
        replaces_user_id=data.replaces_user_id,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=data.reason,
        note=data.note,
        created_at=at,
        created_by_id=actor.id,
    )
    db.add(override)
    db.flush()
    bump_generation(db)
    audit.record(
        db, actor=actor, action="roster.override_add", object_type="roster_override", object_id=override.id
    )
    return override


def remove_override(db: Session, *, actor: User, team: Team, override_id: int) -> None:
    override = db.get(RosterOverride, override_id)
    if override is None or override.team_id != team.id:
        raise not_found("No such override for this team.")
    db.delete(override)
    bump_generation(db)
    audit.record(
        db, actor=actor, action="roster.override_remove", object_type="roster_override", object_id=override_id
    )


# --- a supporter's own shifts ------------------------------------------------------


@dataclass(frozen=True)
class MyShift:
    team: TeamInfo
    starts_at: datetime
    ends_at: datetime
    takes_over_from: tuple[str, ...]


# Shifts last at most 24 hours; looking this far past the window's edges finds
# where a shift cut by the window really starts and ends.
SPAN_LOOKAROUND = timedelta(hours=36)


def duty_spans(
    roster: TeamRoster, start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Per supporter, the merged periods when they are on duty for this team
    that overlap [start, end), overrides included, with their real start and
    end even when the window cuts them."""
    outer_start, outer_end = start - SPAN_LOOKAROUND, end + SPAN_LOOKAROUND
    points = roster.boundaries(outer_start, outer_end)
    spans: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for i, point in enumerate(points):
        segment_end = points[i + 1] if i + 1 < len(points) else outer_end
        for duty in roster.on_duty(point):
            mine = spans[duty.user_id]
            if mine and mine[-1][1] == point:
                mine[-1] = (mine[-1][0], segment_end)
            else:
                mine.append((point, segment_end))
    return {
        user_id: kept
        for user_id, periods in spans.items()
        if (kept := [(s, e) for s, e in periods if s < end and e > start])
    }


def shifts_of(db: Session, *, user_id: int, start: datetime, end: datetime) -> list[MyShift]:
    """The periods in [start, end) when this supporter is on duty, per team,
    with who is on duty just before each one begins."""
    snap = snapshot(db)
    team_ids = db.exec(select(TeamMembership.team_id).where(TeamMembership.user_id == user_id)).all()
    out: list[MyShift] = []
    for team_id in team_ids:
        roster = snap.roster(team_id)
        for s, e in duty_spans(roster, start, end).get(user_id, []):
            before = roster.on_duty(s - timedelta(microseconds=1))
            names = tuple(sorted(snap.names.get(d.user_id, "") for d in before if d.user_id != user_id))
            out.append(MyShift(team=snap.team_info[team_id], starts_at=s, ends_at=e, takes_over_from=names))
    return sorted(out, key=lambda m: (m.starts_at, m.team.name))


def send_handoff_notices(db: Session, *, at: datetime, notice: timedelta) -> int:
    """Push "Vakten din begynner snart" once per shift, `notice` before it
    starts (the in-app notice on the supporter's home shows the same). A shift
    already started, or a notice already recorded, is skipped."""
    from sqlalchemy.exc import IntegrityError

    from server.push.service import PushMessage, queue
    from server.rosters.models import HandoffNotice

    snap = snapshot(db)
    sent = 0
    for team_id, roster in snap.teams.items():
        for user_id, periods in duty_spans(roster, at, at + notice).items():
            for starts_at, _ends_at in periods:
                if starts_at <= at:
                    continue
                try:
                    with db.begin_nested():
                        db.add(
                            HandoffNotice(
                                user_id=user_id, team_id=team_id, shift_starts_at=starts_at, sent_at=at
                            )
                        )
                        db.flush()
                except IntegrityError:
                    continue
                queue(
                    [user_id],
                    PushMessage(
                        title="Vakten din begynner snart",
                        tag=f"shift-{team_id}",
                        url="/#/mine-vakter",
                        ttl=int(notice.total_seconds()),
                    ),
                )
                sent += 1
    return sent
