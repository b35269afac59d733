"""The one routing question every alert and chat asks the roster: which tier of
this patient's care circle has someone on duty now, and what may the patient be
told about who can answer.

Built on `on_duty`, so chat offers, check-in alerts and the patient's screens
all get the same answer for the same instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from server.rosters import service as rosters

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


def tier_minutes(db: Session, patient_id: int, position: int | None) -> int:
    tiers = rosters.snapshot(db).circles.get(patient_id, ())
    if position is not None and 0 <= position < len(tiers):
        return tiers[position].escalate_after_minutes
    return DEFAULT_TIER_MINUTES


def tier_kind(db: Session, patient_id: int, position: int | None) -> str | None:
    """The team kind the patient knows a tier by (its first team's kind)."""
    snap = rosters.snapshot(db)
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
    duty = rosters.on_duty(db, patient_id=patient_id, at=at)
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
    snap = rosters.snapshot(db)
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
    duty = rosters.on_duty(db, patient_id=patient_id, at=at)
    return sorted({d.user_id for t in duty.tiers for d in t.on_duty})


def reachable_kinds(db: Session, patient_id: int, at: datetime) -> list[str]:
    """The team kinds with someone on duty for the patient now, in tier order:
    what the patient may know before writing (never names)."""
    duty = rosters.on_duty(db, patient_id=patient_id, at=at)
    kinds: list[str] = []
    for tier in duty.tiers:
        for d in tier.on_duty:
            if str(d.team_kind) not in kinds:
                kinds.append(str(d.team_kind))
    return kinds


def next_on_duty_at(db: Session, patient_id: int, at: datetime) -> datetime | None:
    """When someone is next on duty in any tier of the circle (at most
    NEXT_ON_DUTY_HORIZON ahead), or None."""
    snap = rosters.snapshot(db)
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
