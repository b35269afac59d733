"""Coverage: where a patient has nobody on duty in any tier (a gap), and where
the first tier is empty but a later tier covers (a fallback).

Computed on merged intervals per team, then per distinct care-circle shape, so
scanning every patient for four weeks costs about as much as the teams do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from nattlys.care_circles.models import TeamKind
from nattlys.clock import OSLO
from nattlys.rosters.schedule import TeamRoster, local_instant
from nattlys.rosters.schemas import (
    CoverageByNightPublic,
    NightCoveragePublic,
    NightGapPublic,
    TeamNightPublic,
)
from nattlys.rosters.snapshot import RosterSnapshot, TeamInfo, Tier, load_snapshot

# The evening and night each gap report and the publish check look at
# (PRODUCT.md: 76 % of admissions happen 16:00-08:00).
EVENING_STARTS = time(16, 0)
MORNING_ENDS = time(8, 0)

Intervals = list[tuple[datetime, datetime]]


def union(*sets: Intervals) -> Intervals:
    items = sorted(i for s in sets for i in s)
    merged: Intervals = []
    for s, e in items:
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def complement(covered: Intervals, start: datetime, end: datetime) -> Intervals:
    out: Intervals = []
    cursor = start
    for s, e in covered:
        if e <= cursor:
            continue
        if s > cursor:
            out.append((cursor, min(s, end)))
        cursor = max(cursor, e)
        if cursor >= end:
            break
    if cursor < end:
        out.append((cursor, end))
    return [(s, e) for s, e in out if s < e]


def intersect(a: Intervals, b: Intervals) -> Intervals:
    out: Intervals = []
    i = j = 0
    while i < len(a) and j < len(b):
        s = max(a[i][0], b[j][0])
        e = min(a[i][1], b[j][1])
        if s < e:
            out.append((s, e))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def window(start_day: date, days: int, tz: ZoneInfo = OSLO) -> tuple[datetime, datetime]:
    start = datetime.combine(start_day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(start_day + timedelta(days=days), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def hour_starts(start: datetime, end: datetime) -> list[datetime]:
    """Local hour slots as UTC instants. Oslo's offsets are whole hours, so UTC
    hour steps are local hour boundaries; DST days have 23 or 25 slots."""
    out = []
    cursor = start
    while cursor < end:
        out.append(cursor)
        cursor += timedelta(hours=1)
    return out


def evening_windows(start_day: date, days: int, tz: ZoneInfo = OSLO) -> Intervals:
    """16:00 to 08:00 next morning, local time, for each day in the period."""
    out = []
    for n in range(-1, days):
        day = start_day + timedelta(days=n)
        s = datetime.combine(day, EVENING_STARTS, tzinfo=tz).astimezone(UTC)
        e = datetime.combine(day + timedelta(days=1), MORNING_ENDS, tzinfo=tz).astimezone(UTC)
        out.append((s, e))
    return out


class CoverageScan:
    """Covered intervals per team and per care-circle shape over one period."""

    def __init__(self, snap: RosterSnapshot, start: datetime, end: datetime) -> None:
        self.snap = snap
        self.start = start
        self.end = end
        self._teams: dict[int, Intervals] = {}
        self._shapes: dict[tuple[tuple[int, ...], ...], tuple[Intervals, Intervals]] = {}

    def team(self, team_id: int) -> Intervals:
        if team_id not in self._teams:
            roster = self.snap.teams.get(team_id) or TeamRoster(team_id=team_id)
            self._teams[team_id] = roster.covered_intervals(self.start, self.end)
        return self._teams[team_id]

    def patient(self, tiers: tuple[Tier, ...]) -> tuple[Intervals, Intervals]:
        """(gaps, fallbacks) for a care circle of these tiers."""
        shape = tuple(t.team_ids for t in tiers)
        if shape not in self._shapes:
            tier_cover = [union(*(self.team(tid) for tid in team_ids)) for team_ids in shape]
            anyone = union(*tier_cover) if tier_cover else []
            gaps = complement(anyone, self.start, self.end)
            first = tier_cover[0] if tier_cover else []
            fallbacks = intersect(complement(first, self.start, self.end), anyone)
            self._shapes[shape] = (gaps, fallbacks)
        return self._shapes[shape]


def _touching(hours: list[datetime], intervals: Intervals) -> list[bool]:
    """For each one-hour slot, whether any interval overlaps it (one sweep)."""
    out = [False] * len(hours)
    i = 0
    for s, e in intervals:
        while i < len(hours) and hours[i] + timedelta(hours=1) <= s:
            i += 1
        j = i
        while j < len(hours) and hours[j] < e:
            out[j] = True
            j += 1
    return out


def grid(hours: list[datetime], gaps: Intervals, fallbacks: Intervals) -> str:
    """One letter per hour: g if any moment has nobody, else f if a later tier
    covers any moment, else c."""
    gap = _touching(hours, gaps)
    fallback = _touching(hours, fallbacks)
    return "".join("g" if g else ("f" if f else "c") for g, f in zip(gap, fallback, strict=True))


def team_grid(hours: list[datetime], covered: Intervals) -> str:
    letters = []
    for h in hours:
        slot_end = h + timedelta(hours=1)
        inside = intersect([(h, slot_end)], covered)
        total = sum(((e - s) for s, e in inside), timedelta())
        letters.append("c" if total == timedelta(hours=1) else ("p" if inside else "-"))
    return "".join(letters)


def evening_gaps(
    snap: RosterSnapshot, *, start: date, days: int, team_id: int | None = None
) -> list[tuple[int, datetime, datetime]]:
    """(patient, from, to) for every stretch between 16:00 and 08:00 with nobody
    on duty, for the patients whose care circle includes `team_id` (or all)."""
    begin, end = window(start, days)
    scan = CoverageScan(snap, begin, end)
    evenings = intersect(evening_windows(start, days), [(begin, end)])
    out: list[tuple[int, datetime, datetime]] = []
    for patient_id, tiers in sorted(snap.circles.items()):
        if team_id is not None and not any(team_id in t.team_ids for t in tiers):
            continue
        gaps, _ = scan.patient(tiers)
        out.extend((patient_id, s, e) for s, e in intersect(gaps, evenings))
    return out


# --- the coming evenings and nights, summarised -------------------------------------------

NIGHT_GAP_WEEKS = 4


@dataclass(frozen=True)
class NightGapPattern:
    """Evenings whose gap has the same local start and end: "Wednesdays
    22:00-08:00, 4 nights". Weekdays are those of the evening (0 = Monday)."""

    weekdays: tuple[int, ...]
    starts: time
    ends: time
    nights: int
    first_evening: date
    last_evening: date


def _evening_of(instant: datetime, tz: ZoneInfo) -> date:
    local = instant.astimezone(tz)
    return local.date() - timedelta(days=1) if local.time() < MORNING_ENDS else local.date()


def summarise_night_gaps(gaps: Intervals, tz: ZoneInfo = OSLO) -> list[NightGapPattern]:
    """Group evening gaps by their local start and end times, first evening first."""
    evenings: dict[tuple[time, time], list[date]] = {}
    for s, e in gaps:
        times = (s.astimezone(tz).time(), e.astimezone(tz).time())
        evenings.setdefault(times, []).append(_evening_of(s, tz))
    patterns = [
        NightGapPattern(
            weekdays=tuple(sorted({d.weekday() for d in days})),
            starts=starts,
            ends=ends,
            nights=len(days),
            first_evening=min(days),
            last_evening=max(days),
        )
        for (starts, ends), days in evenings.items()
    ]
    return sorted(patterns, key=lambda p: (p.first_evening, p.starts))


def night_gaps(
    snap: RosterSnapshot, patient_ids: list[int], *, first_evening: date, evenings: int, now: datetime
) -> dict[int, list[NightGapPattern]]:
    """Each patient's stretches between 16:00 and 08:00 with nobody on duty in
    any tier, over `evenings` evenings from `first_evening` (each through the
    next morning), summarised; hours before `now` are left out."""
    nights = [
        (
            datetime.combine(day, EVENING_STARTS, tzinfo=OSLO).astimezone(UTC),
            datetime.combine(day + timedelta(days=1), MORNING_ENDS, tzinfo=OSLO).astimezone(UTC),
        )
        for day in (first_evening + timedelta(days=n) for n in range(evenings))
    ]
    begin, end = nights[0][0], nights[-1][1]
    scan = CoverageScan(snap, begin, end)
    wanted = intersect(nights, [(max(begin, now), end)])
    return {
        patient_id: summarise_night_gaps(intersect(scan.patient(snap.circles.get(patient_id, ()))[0], wanted))
        for patient_id in patient_ids
    }


def coming_night_gaps(
    snap: RosterSnapshot, patient_ids: list[int], *, now: datetime, weeks: int = NIGHT_GAP_WEEKS
) -> dict[int, list[NightGapPattern]]:
    """From now for `weeks` weeks, starting with the night now in progress."""
    yesterday = now.astimezone(OSLO).date() - timedelta(days=1)
    return night_gaps(snap, patient_ids, first_evening=yesterday, evenings=weeks * 7 + 1, now=now)


def night_gaps_public(patterns: list[NightGapPattern]) -> list[NightGapPublic]:
    return [
        NightGapPublic(
            weekdays=list(p.weekdays),
            starts=p.starts,
            ends=p.ends,
            nights=p.nights,
            first_evening=p.first_evening,
            last_evening=p.last_evening,
        )
        for p in patterns
    ]


def patient_night_gaps(db: Session, patient_id: int, *, now: datetime) -> list[NightGapPublic]:
    """One patient's coming uncovered evenings and nights, with the care circle
    as it stands in this unit of work (just created or changed)."""
    found = coming_night_gaps(load_snapshot(db), [patient_id], now=now)
    return night_gaps_public(found[patient_id])


# --- a month of nights, night by night -------------------------------------------------------


@dataclass(frozen=True)
class TeamNight:
    team_id: int
    gap_minutes: int


@dataclass(frozen=True)
class NightCoverage:
    """One evening and night (16:00 to 08:00 local): each team's minutes with
    nobody on duty, and the patients with nobody in any tier of their circle."""

    evening: date
    starts_at: datetime
    ends_at: datetime
    teams: tuple[TeamNight, ...]
    gap_minutes: int
    patients_uncovered: int


def month_of(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=31)).replace(day=1)
    return first, following - timedelta(days=1)


def night_range(first: date | None, last: date | None, *, today: date) -> tuple[date, date]:
    """The evenings asked for; a missing end is filled from the other end's
    month, and with neither this month is meant."""
    if first is not None and last is not None:
        return first, last
    if first is not None:
        return first, month_of(first)[1]
    if last is not None:
        return month_of(last)[0], last
    return month_of(today)


def teams_in_tier_order(snap: RosterSnapshot) -> list[TeamInfo]:
    """Housing, municipality, DPS (the usual order of tiers), then by name."""
    order = [k.value for k in TeamKind]
    return sorted(snap.team_info.values(), key=lambda t: (order.index(t.kind), t.name))


def _minutes(intervals: Intervals) -> int:
    return int(sum(((e - s) for s, e in intervals), timedelta()).total_seconds() // 60)


def coverage_by_night(
    snap: RosterSnapshot, patient_ids: list[int], team_ids: list[int], *, first: date, last: date
) -> list[NightCoverage]:
    """Each night from the evening of `first` to the morning after `last`. The
    night's bounds are local wall-clock times (schedule.local_instant), so the
    nights into the last Sundays of March and October last 15 and 17 hours."""
    evenings = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    nights = [
        (
            local_instant(day, EVENING_STARTS, OSLO),
            local_instant(day + timedelta(days=1), MORNING_ENDS, OSLO),
        )
        for day in evenings
    ]
    scan = CoverageScan(snap, nights[0][0], nights[-1][1])
    patient_gaps = [scan.patient(snap.circles.get(pid, ()))[0] for pid in patient_ids]
    anyone_missing = union(*patient_gaps)
    out = []
    for day, (start, end) in zip(evenings, nights, strict=True):
        night = [(start, end)]
        out.append(
            NightCoverage(
                evening=day,
                starts_at=start,
                ends_at=end,
                teams=tuple(
                    TeamNight(tid, _minutes(complement(intersect(scan.team(tid), night), start, end)))
                    for tid in team_ids
                ),
                gap_minutes=_minutes(intersect(anyone_missing, night)),
                patients_uncovered=sum(1 for gaps in patient_gaps if intersect(gaps, night)),
            )
        )
    return out


def coverage_by_night_public(
    snap: RosterSnapshot, patient_ids: list[int], *, first: date, last: date, today: date
) -> CoverageByNightPublic:
    teams = teams_in_tier_order(snap)
    nights = coverage_by_night(snap, patient_ids, [t.id for t in teams], first=first, last=last)
    return CoverageByNightPublic(
        today=today,
        first_evening=first,
        last_evening=last,
        teams=[t.ref() for t in teams],
        nights=[
            NightCoveragePublic(
                evening=n.evening,
                starts_at=n.starts_at,
                ends_at=n.ends_at,
                minutes=_minutes([(n.starts_at, n.ends_at)]),
                teams=[
                    TeamNightPublic(team_id=t.team_id, covered=t.gap_minutes == 0, gap_minutes=t.gap_minutes)
                    for t in n.teams
                ],
                covered=n.patients_uncovered == 0,
                gap_minutes=n.gap_minutes,
                patients_uncovered=n.patients_uncovered,
            )
            for n in nights
        ],
    )
