"""A supporter's own shifts, and the notice before a shift starts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from nattlys.care_circles.models import TeamMembership
from nattlys.push import service as push
from nattlys.rosters.models import HandoffNotice
from nattlys.rosters.schedule import TeamRoster
from nattlys.rosters.snapshot import TeamInfo, snapshot


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
                push.queue(
                    [user_id],
                    push.PushMessage(
                        title="shift_starts",
                        tag=f"shift-{team_id}",
                        url="/#/mine-vakter",
                        ttl=int(notice.total_seconds()),
                    ),
                )
                sent += 1
    return sent
