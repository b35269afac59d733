"""Overrides on top of the published roster: sick leave, days off and swaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from nattlys.accounts.models import User
from nattlys.api.errors import ApiError, not_found
from nattlys.audit import writer as audit
from nattlys.care_circles.models import Team
from nattlys.clock import OSLO
from nattlys.rosters.editing import draft_version, published_version, team_supporters
from nattlys.rosters.generation import bump_generation
from nattlys.rosters.models import (
    OverrideKind,
    OverrideReason,
    RosterOverride,
    Rotation,
)
from nattlys.rosters.schemas import (
    OverrideIn,
    OverridePublic,
)


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
        id=o.id,
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
    tz = _team_zone(db, team.id)
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
    supporters = team_supporters(db, team.id)
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
        for o in list_overrides(db, team_id=team.id, start=starts_at, end=ends_at)
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
        team_id=team.id,
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
