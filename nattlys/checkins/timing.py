"""When check-ins and their reminder steps are due, in the patient's local
time. Pure functions, no database: easy to test across DST.

Each due instant is computed from a local date plus a wall-clock time with
zoneinfo, never by adding 24 hours to yesterday's instant, so 20:00 stays
20:00 on the days the clocks change. A wall time that does not exist (the
hour skipped in spring) is moved forward by the gap (02:30 becomes 03:30); a
wall time that happens twice (autumn) means its first occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from nattlys.checkins.models import ALL_WEEKDAYS, ReminderStep, SlotKind
from nattlys.clock import OSLO

# A check-in made up to this long before the chosen time counts for it.
EARLY_WINDOW = timedelta(hours=2)
# The one gentle reminder, then the patient's after-missed choice.
GENTLE_AFTER = timedelta(minutes=60)
MISSED_AFTER = timedelta(minutes=120)
# A step is still taken if the scheduler was down for at most this long after
# it was due; older steps are not sent late (the app shows what is pending).
CATCH_UP = timedelta(minutes=30)
# Daily check-ins for this many days after a discharge.
DISCHARGE_FOLLOW_UP_DAYS = 14
STEP_OFFSETS = {
    ReminderStep.reminder: timedelta(0),
    ReminderStep.gentle: GENTLE_AFTER,
    ReminderStep.missed: MISSED_AFTER,
}


def local_instant(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of `wall` o'clock on local date `day`."""
    naive = datetime.combine(day, wall.replace(tzinfo=None, fold=0))
    aware = naive.replace(tzinfo=tz)
    instant = aware.astimezone(UTC)
    # A skipped wall time: zoneinfo resolves it with the offset from before the
    # gap, which lands after it; keep that (02:30 -> 03:30 summer time).
    return instant


def weekday_on(mask: int, day: date) -> bool:
    return bool(mask & (1 << day.weekday()))


def mask_from_days(days: list[int]) -> int:
    mask = 0
    for d in days:
        mask |= 1 << d
    return mask


def days_from_mask(mask: int) -> list[int]:
    return [d for d in range(7) if mask & (1 << d)]


def in_quiet_hours(local_wall: time, start: time | None, end: time | None) -> bool:
    """Whether a local wall time is inside quiet hours [start, end), which may
    wrap past midnight (22:00-07:00)."""
    if start is None or end is None or start == end:
        return False
    t = local_wall.replace(tzinfo=None, second=0, microsecond=0)
    if start < end:
        return start <= t < end
    return t >= start or t < end


@dataclass(frozen=True)
class Slot:
    """One check-in the patient is asked for: local date, kind, due instant."""

    patient_id: int
    local_date: date
    kind: SlotKind
    due_at: datetime

    def step_at(self, step: ReminderStep) -> datetime:
        return self.due_at + STEP_OFFSETS[step]


@dataclass(frozen=True)
class ScheduleView:
    """What the timing needs of a schedule (a stored one, or the defaults)."""

    patient_id: int
    tz: ZoneInfo
    evening_time: time
    night_time: time | None
    weekdays: int = ALL_WEEKDAYS
    quiet_start: time | None = None
    quiet_end: time | None = None
    enabled: bool = True


def slots_on(view: ScheduleView, day: date, *, follow_up: bool = False) -> list[Slot]:
    """The slots of local date `day`. During a discharge follow-up the evening
    check-in is daily, whatever the chosen weekdays."""
    out: list[Slot] = []
    on_weekday = view.enabled and weekday_on(view.weekdays, day)
    if on_weekday or follow_up:
        out.append(
            Slot(view.patient_id, day, SlotKind.evening, local_instant(day, view.evening_time, view.tz))
        )
    if on_weekday and view.night_time is not None:
        out.append(Slot(view.patient_id, day, SlotKind.night, local_instant(day, view.night_time, view.tz)))
    return out


def is_quiet(view: ScheduleView, at: datetime) -> bool:
    return in_quiet_hours(at.astimezone(view.tz).time(), view.quiet_start, view.quiet_end)


# The evening and night a supporter's list and a conversation's reason cover.
TONIGHT_STARTS = time(16, 0)


def tonight_start(at: datetime) -> datetime:
    """The most recent 16:00 in Oslo at or before `at`."""
    local = at.astimezone(OSLO)
    day = local.date() if local.time() >= TONIGHT_STARTS else local.date() - timedelta(days=1)
    return local_instant(day, TONIGHT_STARTS, OSLO)
