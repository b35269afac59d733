"""Expanding local shift rules into instants, and who is on duty at an instant.

Pure functions on immutable snapshots; no database here.

Wall-clock rules across daylight-saving changes (Europe/Oslo and any other zone):
- A shift starts and ends at local wall-clock times, so a 20:00-08:00 night
  shift lasts 11 hours over the spring-forward night and 13 hours over the
  fall-back night, and consecutive shifts meet exactly: no gap, no overlap.
- A boundary that falls in the missing spring hour (02:00-03:00) is read with
  the offset in force before the change, so 02:30 means 03:30 summer time; a
  boundary in the repeated autumn hour means its first occurrence (summer time).
  Both sides of a shared boundary use the same rule, so they still meet.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

WEEKDAY_BITS = tuple(1 << i for i in range(7))  # Monday .. Sunday
ALL_WEEK = 0b1111111


def local_instant(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a local date (fold=0, see above)."""
    return datetime.combine(day, wall, tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class ShiftRule:
    weekdays: int
    start: time
    end: time
    ends_next_day: bool

    def runs_on(self, day: date) -> bool:
        return bool(self.weekdays & WEEKDAY_BITS[day.weekday()])

    def bounds(self, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
        return _bounds(day, self.start, self.end, self.ends_next_day, tz)


@lru_cache(maxsize=200_000)
def _bounds(
    day: date, start: time, end: time, ends_next_day: bool, tz: ZoneInfo
) -> tuple[datetime, datetime]:
    # Time-zone conversion dominates a look-up; the same few shift rules are
    # expanded for the same days over and over, so remember them.
    end_day = day + timedelta(days=1) if ends_next_day else day
    return local_instant(day, start, tz), local_instant(end_day, end, tz)


@dataclass(frozen=True)
class RotationRule:
    id: int
    team_id: int
    name: str
    tz: ZoneInfo
    start_date: date
    period_days: int
    members: tuple[int, ...]
    shifts: tuple[ShiftRule, ...]

    def member_on(self, day: date) -> int | None:
        if day < self.start_date or not self.members:
            return None
        period = (day - self.start_date).days // self.period_days
        return self.members[period % len(self.members)]


@dataclass(frozen=True)
class Shift:
    team_id: int
    rotation_id: int
    rotation_name: str
    user_id: int
    starts_at: datetime
    ends_at: datetime
    local_date: date


@dataclass(frozen=True)
class Override:
    id: int
    team_id: int
    kind: str
    user_id: int
    replaces_user_id: int | None
    starts_at: datetime
    ends_at: datetime
    reason: str

    def active_at(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


@dataclass(frozen=True)
class Duty:
    """One supporter on duty for one team at an instant, and until when."""

    team_id: int
    user_id: int
    starts_at: datetime
    ends_at: datetime
    source: str  # "rotation" or "override"
    rotation_name: str | None = None
    override_id: int | None = None
    replaces_user_id: int | None = None


def shifts_between(rotation: RotationRule, start: datetime, end: datetime) -> Iterator[Shift]:
    """Every shift of the rotation that overlaps [start, end)."""
    first = start.astimezone(rotation.tz).date() - timedelta(days=1)
    last = end.astimezone(rotation.tz).date()
    day = first
    while day <= last:
        user_id = rotation.member_on(day)
        if user_id is not None:
            for rule in rotation.shifts:
                if not rule.runs_on(day):
                    continue
                s, e = rule.bounds(day, rotation.tz)
                if s < end and e > start and s < e:
                    yield Shift(rotation.team_id, rotation.id, rotation.name, user_id, s, e, day)
        day += timedelta(days=1)


def shifts_at(rotation: RotationRule, at: datetime) -> list[Shift]:
    """The rotation's shifts running at the instant `at` (start inclusive, end exclusive)."""
    return list(shifts_between(rotation, at, at + timedelta(microseconds=1)))


@dataclass(frozen=True)
class TeamRoster:
    """Everything that decides who is on duty for one team."""

    team_id: int
    rotations: tuple[RotationRule, ...] = ()
    overrides: tuple[Override, ...] = ()  # sorted by starts_at
    members: frozenset[int] = frozenset()  # active supporters in the team now
    _override_starts: tuple[datetime, ...] = field(default=(), compare=False)

    @classmethod
    def build(
        cls,
        team_id: int,
        rotations: Iterable[RotationRule],
        overrides: Iterable[Override],
        members: Iterable[int],
    ) -> TeamRoster:
        ordered = tuple(sorted(overrides, key=lambda o: (o.starts_at, o.id)))
        return cls(
            team_id=team_id,
            rotations=tuple(rotations),
            overrides=ordered,
            members=frozenset(members),
            _override_starts=tuple(o.starts_at for o in ordered),
        )

    def overrides_at(self, at: datetime) -> list[Override]:
        # Overrides are short and few per team; scan those that began by `at`.
        upto = bisect.bisect_right(self._override_starts, at)
        return [o for o in self.overrides[:upto] if o.active_at(at)]

    def overrides_between(self, start: datetime, end: datetime) -> list[Override]:
        upto = bisect.bisect_left(self._override_starts, end)
        return [o for o in self.overrides[:upto] if o.ends_at > start]

    def on_duty(self, at: datetime) -> list[Duty]:
        duties: list[Duty] = []
        for rotation in self.rotations:
            for shift in shifts_at(rotation, at):
                duties.append(
                    Duty(
                        team_id=self.team_id,
                        user_id=shift.user_id,
                        starts_at=shift.starts_at,
                        ends_at=shift.ends_at,
                        source="rotation",
                        rotation_name=shift.rotation_name,
                    )
                )
        active = self.overrides_at(at)
        for override in active:
            if override.kind == "replace":
                duties = [
                    Duty(
                        team_id=d.team_id,
                        user_id=override.user_id,
                        starts_at=max(d.starts_at, override.starts_at),
                        ends_at=min(d.ends_at, override.ends_at),
                        source="override",
                        rotation_name=d.rotation_name,
                        override_id=override.id,
                        replaces_user_id=d.user_id,
                    )
                    if d.user_id == override.replaces_user_id
                    else d
                    for d in duties
                ]
        for override in active:
            if override.kind == "remove":
                duties = [d for d in duties if d.user_id != override.user_id]
        for override in active:
            if override.kind == "add":
                duties.append(
                    Duty(
                        team_id=self.team_id,
                        user_id=override.user_id,
                        starts_at=override.starts_at,
                        ends_at=override.ends_at,
                        source="override",
                        override_id=override.id,
                    )
                )
        # A supporter who left the team or was disabled is never on duty.
        duties = [d for d in duties if d.user_id in self.members]
        by_user: dict[int, Duty] = {}
        for duty in duties:
            kept = by_user.get(duty.user_id)
            if kept is None or duty.ends_at > kept.ends_at:
                by_user[duty.user_id] = duty
        return sorted(by_user.values(), key=lambda d: (d.ends_at, d.user_id))

    def boundaries(self, start: datetime, end: datetime) -> list[datetime]:
        """Every instant in [start, end) where who is on duty may change."""
        points = {start}
        for rotation in self.rotations:
            for shift in shifts_between(rotation, start, end):
                points.update(p for p in (shift.starts_at, shift.ends_at) if start <= p < end)
        for override in self.overrides_between(start, end):
            points.update(p for p in (override.starts_at, override.ends_at) if start <= p < end)
        return sorted(points)

    def covered_intervals(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """Merged intervals within [start, end) with at least one supporter on duty."""
        points = self.boundaries(start, end)
        intervals: list[tuple[datetime, datetime]] = []
        for i, point in enumerate(points):
            segment_end = points[i + 1] if i + 1 < len(points) else end
            if self.on_duty(point):
                if intervals and intervals[-1][1] == point:
                    intervals[-1] = (intervals[-1][0], segment_end)
                else:
                    intervals.append((point, segment_end))
        return intervals
