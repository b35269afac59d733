"""The in-memory snapshot of every published roster and care circle, which
every "who is on duty" question reads (nattlys/rosters/duty.py).

Rebuilt when the roster generation in the database changes, so a look-up costs
one primary-key read plus arithmetic, and an override added through any server
process is seen by all of them at once. Nothing outside rosters/ reads it.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_app_context
from sqlmodel import Session, col, select

from nattlys.accounts.models import Role, User
from nattlys.care_circles.models import CareTier, CareTierTeam, LastResort, Team, TeamKind, TeamMembership
from nattlys.care_circles.schemas import TeamRef
from nattlys.db import stored_id
from nattlys.rosters.generation import current_generation
from nattlys.rosters.models import (
    RosterOverride,
    RosterStatus,
    RosterVersion,
    Rotation,
    RotationMember,
    RotationShift,
)
from nattlys.rosters.schedule import Override, RotationRule, ShiftRule, TeamRoster


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
    # Each active supporter's team kinds ("bolig,kommune"), as the audit log keeps them.
    team_kinds: dict[int, str]
    # Each patient's last resort (label, phone): what she is shown when nobody can answer.
    last_resorts: dict[int, tuple[str, str]]
    # Answers duty.py worked out from this snapshot, each with the span of time
    # it holds for: dropped with the snapshot when the generation changes.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

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
                id=r.id,
                team_id=team_id,
                name=r.name,
                tz=ZoneInfo(r.timezone),
                start_date=r.start_date,
                period_days=r.period_days,
                members=tuple(uid for _, uid in sorted(members[r.id])),
                shifts=tuple(shifts[r.id]),
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
            chosen[v.team_id] = v.id
    rules = _rotation_rules(db, list(chosen.values()))

    overrides: dict[int, list[Override]] = defaultdict(list)
    for o in db.exec(select(RosterOverride)):
        overrides[o.team_id].append(
            Override(o.id, o.team_id, o.kind, o.user_id, o.replaces_user_id, o.starts_at, o.ends_at, o.reason)
        )
    members: dict[int, set[int]] = defaultdict(set)
    active_supporters = {
        stored_id(u): u.display_name
        for u in db.exec(select(User).where(User.role == Role.supporter, col(User.is_active).is_(True)))
    }
    for m in db.exec(select(TeamMembership)):
        if m.user_id in active_supporters:
            members[m.team_id].add(m.user_id)
    teams = {stored_id(t): TeamInfo(stored_id(t), t.name, t.kind) for t in db.exec(select(Team))}
    kinds_of: dict[int, set[str]] = defaultdict(set)
    for team_id, member_ids in members.items():
        for member_id in member_ids:
            kinds_of[member_id].add(str(teams[team_id].kind))

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
        team_kinds={user_id: ",".join(sorted(kinds_of[user_id])) for user_id in active_supporters},
        last_resorts={
            patient_id: (label, phone)
            for patient_id, label, phone in db.exec(
                select(LastResort.patient_id, LastResort.label, LastResort.phone)
            )
        },
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
        return cached
    snap = current_app.extensions[_CACHE_KEY].get(db)
    if has_app_context():
        setattr(g, _REQUEST_KEY, snap)
    return snap
