"""The one door for "who is on duty": for a team or a patient's care circle at
an instant, which tier chat and alerts go to first, and what the patient may be
told about who can answer.

Everything is read from the roster snapshot (nattlys/rosters/snapshot.py), so
chat offers, check-in alerts and the patient's screens all get the same answer
for the same instant.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from nattlys.accounts.models import Role, User
from nattlys.api.errors import not_found
from nattlys.care_circles import membership
from nattlys.care_circles.models import TeamKind
from nattlys.care_circles.schemas import LastResortIn
from nattlys.rosters.schedule import Duty
from nattlys.rosters.schemas import DutyPublic, PatientOnDutyPublic, TeamOnDutyPublic, TierOnDutyPublic
from nattlys.rosters.snapshot import RosterSnapshot, snapshot

# How far ahead "next on duty" looks; a circle with nobody for two days is
# shown as "no one planned" rather than a date far away.
NEXT_ON_DUTY_HORIZON = timedelta(hours=48)
DEFAULT_TIER_MINUTES = 3


@dataclass(frozen=True)
class FirstTier:
    position: int
    supporter_ids: list[int]
    team_kind: str
    # The tier's own time limit, and the same limit only when a later tier has
    # someone on duty to escalate to (None: this is the last tier to try).
    limit_minutes: int
    minutes: int | None
    # Offered to the patient's last supporter alone, before the tiers in order.
    preferred: bool = False


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


def on_duty_in_teams(
    db: Session, *, team_ids: Iterable[int] | None, at: datetime, patient_id: int | None = None
) -> list[DutyPublic]:
    """Everyone on duty at `at` in these teams (None: every team), team by team
    in id order; with `patient_id`, only in the teams of that patient's care circle."""
    snap = snapshot(db)
    wanted = set(snap.team_info if team_ids is None else team_ids) & set(snap.team_info)
    if patient_id is not None:
        wanted &= {team_id for tier in snap.circles.get(patient_id, ()) for team_id in tier.team_ids}
    return [_duty_public(snap, d) for team_id in sorted(wanted) for d in snap.roster(team_id).on_duty(at)]


def supporter_names(db: Session, supporter_ids: Iterable[int]) -> dict[int, str]:
    """The names of these supporters as the rosters show them (active supporters only)."""
    names = snapshot(db).names
    return {s: names[s] for s in supporter_ids if s in names}


def supporter_name(db: Session, supporter_id: int) -> str | None:
    """A supporter's name, also of one no longer active (an older message, a summary)."""
    name = snapshot(db).names.get(supporter_id)
    if name is None:
        user = db.get(User, supporter_id)
        name = user.display_name if user else None
    return name


def as_audited(db: Session, user_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """The role and team kinds the audit log keeps for those of these users
    who are active supporters, from the roster snapshot (in memory)."""
    kinds = snapshot(db).team_kinds
    return {user_id: (Role.supporter.value, kinds[user_id]) for user_id in user_ids if user_id in kinds}


def team_kind_of(db: Session, *, supporter_id: int, patient_id: int) -> str | None:
    """The team kind the patient knows this supporter by: the first tier of the
    care circle with a team the supporter is in. Read from the roster snapshot
    (in memory); a primary contact outside the circle's teams falls back to the
    database."""
    snap = snapshot(db)
    for tier in snap.circles.get(patient_id, ()):
        for team_id in tier.team_ids:
            if supporter_id in snap.roster(team_id).members:
                return snap.team_info[team_id].kind
    kinds = membership.team_kinds_in_circle(db, supporter_id=supporter_id, patient_id=patient_id)
    return kinds[0] if kinds else None


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


def tier_minutes(db: Session, patient_id: int, position: int | None) -> int:
    tiers = snapshot(db).circles.get(patient_id, ())
    if position is not None and 0 <= position < len(tiers):
        return tiers[position].escalate_after_minutes
    return DEFAULT_TIER_MINUTES


def tier_kind(db: Session, patient_id: int, position: int | None) -> str | None:
    """The team kind the patient knows a tier by (its first team's kind)."""
    snap = snapshot(db)
    tiers = snap.circles.get(patient_id, ())
    if position is None or not 0 <= position < len(tiers) or not tiers[position].team_ids:
        return None
    return snap.team_info[tiers[position].team_ids[0]].kind


def first_tier(
    db: Session, patient_id: int, at: datetime, after: int | None = None, prefer: int | None = None
) -> FirstTier | None:
    """The first tier (after tier index `after`) with someone on duty at `at`.
    With `prefer` (the supporter the patient last talked to) on duty in any
    tier, and no tier tried yet: that supporter alone, with the time limit of
    the tier they are on duty in; the tiers in order are the fallback. When
    they are all the first tier has on duty, that is an ordinary first offer:
    a second round of the same tier would only double the wait."""
    duty = on_duty(db, patient_id=patient_id, at=at)
    staffed = [t for t in duty.tiers if t.on_duty and (after is None or t.position > after)]
    if not staffed:
        return None
    if prefer is not None and after is None and {d.user_id for d in staffed[0].on_duty} != {prefer}:
        for candidate in staffed:
            mine = [d for d in candidate.on_duty if d.user_id == prefer]
            if mine:
                limit = tier_minutes(db, patient_id, candidate.position)
                return FirstTier(
                    position=candidate.position,
                    supporter_ids=[prefer],
                    team_kind=str(mine[0].team_kind),
                    limit_minutes=limit,
                    minutes=limit,
                    preferred=True,
                )
    tier = staffed[0]
    limit = tier_minutes(db, patient_id, tier.position)
    return FirstTier(
        position=tier.position,
        supporter_ids=sorted({d.user_id for d in tier.on_duty}),
        team_kind=str(tier.on_duty[0].team_kind),
        limit_minutes=limit,
        minutes=limit if len(staffed) > 1 else None,
    )


def duty_ends_at(db: Session, *, supporter_id: int, patient_id: int, at: datetime) -> datetime | None:
    """When the supporter stops being on duty for this patient (shifts that
    follow on without a break joined), or None when not on duty at `at`."""
    snap = snapshot(db)
    team_ids = {team_id for tier in snap.circles.get(patient_id, ()) for team_id in tier.team_ids}
    end: datetime | None = None
    point = at
    for _ in range(7):  # a week of back-to-back shifts is as far as anyone needs to look
        ends = [
            d.ends_at for t in team_ids for d in snap.roster(t).on_duty(point) if d.user_id == supporter_id
        ]
        if not ends:
            break
        end = point = max(ends)
    return end


def everyone_on_duty(db: Session, patient_id: int, at: datetime) -> list[int]:
    """Every supporter on duty for the patient now, in any tier."""
    duty = on_duty(db, patient_id=patient_id, at=at)
    return sorted({d.user_id for t in duty.tiers for d in t.on_duty})


@dataclass(frozen=True)
class _KindsWhile:
    """Reachable kinds that hold from `since` until `until` (the next instant
    any of the circle's teams may change who is on duty)."""

    since: datetime
    until: datetime
    kinds: tuple[str, ...]


# How far ahead a remembered answer looks for the next change of duty.
_KINDS_SPAN = timedelta(hours=6)


def reachable_kinds(db: Session, patient_id: int, at: datetime) -> list[str]:
    """The team kinds with someone on duty for the patient now, in tier order:
    what the patient may know before writing (never names). Asked with every
    status she is shown, so the answer is kept with the snapshot until the next
    shift or override boundary in her circle."""
    snap = snapshot(db)
    key = ("reachable_kinds", patient_id)
    known: _KindsWhile | None = snap.memo.get(key)
    if known is not None and known.since <= at < known.until:
        return list(known.kinds)
    team_ids = [team_id for tier in snap.circles.get(patient_id, ()) for team_id in tier.team_ids]
    kinds: list[str] = []
    for team_id in team_ids:
        if snap.roster(team_id).on_duty(at):
            kind = str(TeamKind(snap.team_info[team_id].kind))
            if kind not in kinds:
                kinds.append(kind)
    end = at + _KINDS_SPAN
    until = min(
        (p for team_id in team_ids for p in snap.roster(team_id).boundaries(at, end) if p > at), default=end
    )
    snap.memo[key] = _KindsWhile(since=at, until=until, kinds=tuple(kinds))
    return kinds


def last_resort(db: Session, patient_id: int) -> LastResortIn | None:
    """The number her care circle gives for when nobody on duty can answer."""
    found = snapshot(db).last_resorts.get(patient_id)
    return None if found is None else LastResortIn.model_construct(label=found[0], phone=found[1])


def next_on_duty_at(db: Session, patient_id: int, at: datetime) -> datetime | None:
    """When someone is next on duty in any tier of the circle (at most
    NEXT_ON_DUTY_HORIZON ahead), or None."""
    snap = snapshot(db)
    end = at + NEXT_ON_DUTY_HORIZON
    best: datetime | None = None
    for tier in snap.circles.get(patient_id, ()):
        for team_id in tier.team_ids:
            roster = snap.roster(team_id)
            for point in roster.boundaries(at, end):
                if best is not None and point >= best:
                    break
                if roster.on_duty(point):
                    best = point
                    break
    return best
