"""Shift expansion across Europe/Oslo's daylight-saving changes (pure, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from nattlys.rosters.schedule import ALL_WEEK, RotationRule, ShiftRule, TeamRoster, shifts_between

OSLO = ZoneInfo("Europe/Oslo")
DAY, NIGHT = 1, 2  # user ids
# (Saturday before the change, the Sunday of the change)
SPRING = [
    (date(2026, 3, 28), date(2026, 3, 29)),
    (date(2027, 3, 27), date(2027, 3, 28)),
    (date(2028, 3, 25), date(2028, 3, 26)),
]
AUTUMN = [
    (date(2026, 10, 24), date(2026, 10, 25)),
    (date(2027, 10, 30), date(2027, 10, 31)),
    (date(2028, 10, 28), date(2028, 10, 29)),
]


def rotation(rotation_id: int, user: int, start: time, end: time, next_day: bool) -> RotationRule:
    return RotationRule(
        id=rotation_id,
        team_id=1,
        name=f"r{rotation_id}",
        tz=OSLO,
        start_date=date(2026, 1, 1),
        period_days=7,
        members=(user,),
        shifts=(ShiftRule(ALL_WEEK, start, end, next_day),),
    )


DPS = TeamRoster.build(
    1,
    [rotation(1, DAY, time(8), time(20), False), rotation(2, NIGHT, time(20), time(8), True)],
    [],
    [DAY, NIGHT],
)


def night_shift(saturday: date) -> tuple[datetime, datetime]:
    night = rotation(2, NIGHT, time(20), time(8), True)
    start = datetime.combine(saturday, time(12), tzinfo=OSLO)
    shifts = [s for s in shifts_between(night, start, start + timedelta(days=1)) if s.local_date == saturday]
    assert len(shifts) == 1
    return shifts[0].starts_at, shifts[0].ends_at


@pytest.mark.parametrize(("saturday", "sunday"), SPRING)
def test_night_shift_over_spring_forward_lasts_eleven_hours(saturday: date, sunday: date) -> None:
    start, end = night_shift(saturday)
    assert end - start == timedelta(hours=11)
    assert start.astimezone(OSLO).hour == 20 and end.astimezone(OSLO).hour == 8


@pytest.mark.parametrize(("saturday", "sunday"), AUTUMN)
def test_night_shift_over_fall_back_lasts_thirteen_hours(saturday: date, sunday: date) -> None:
    start, end = night_shift(saturday)
    assert end - start == timedelta(hours=13)


@pytest.mark.parametrize(("saturday", "sunday"), SPRING + AUTUMN)
def test_exactly_one_person_on_duty_every_minute_of_the_transition_weekend(
    saturday: date, sunday: date
) -> None:
    start = datetime.combine(saturday, time(6), tzinfo=OSLO).astimezone(UTC)
    moment = start
    while moment < start + timedelta(hours=52):
        duties = DPS.on_duty(moment)
        assert len(duties) == 1, (moment, duties)
        expected = NIGHT if duties[0].starts_at.astimezone(OSLO).hour == 20 else DAY
        assert duties[0].user_id == expected
        moment += timedelta(minutes=1)


@pytest.mark.parametrize(("saturday", "sunday"), SPRING + AUTUMN)
def test_coverage_of_the_transition_weekend_has_no_gap(saturday: date, sunday: date) -> None:
    start = datetime.combine(saturday, time(0), tzinfo=OSLO).astimezone(UTC)
    end = datetime.combine(sunday + timedelta(days=1), time(0), tzinfo=OSLO).astimezone(UTC)
    assert DPS.covered_intervals(start, end) == [(start, end)]


@pytest.mark.parametrize(("saturday", "sunday"), SPRING)
def test_a_boundary_in_the_missing_hour_means_the_same_wall_time_one_hour_later(
    saturday: date, sunday: date
) -> None:
    # 02:30 does not exist on the spring-forward night: both shifts meet at 03:30 summer time.
    early = rotation(1, DAY, time(18), time(2, 30), True)
    late = rotation(2, NIGHT, time(2, 30), time(10), False)
    team = TeamRoster.build(1, [early, late], [], [DAY, NIGHT])
    meet = datetime(sunday.year, sunday.month, sunday.day, 1, 30, tzinfo=UTC)
    assert meet.astimezone(OSLO).strftime("%H:%M %Z") == "03:30 CEST"
    assert [d.user_id for d in team.on_duty(meet - timedelta(seconds=1))] == [DAY]
    assert [d.user_id for d in team.on_duty(meet)] == [NIGHT]
    evening = datetime.combine(saturday, time(18), tzinfo=OSLO)
    first = next(
        s for s in shifts_between(early, evening, evening + timedelta(hours=1)) if s.local_date == saturday
    )
    assert first.ends_at == meet and first.ends_at - first.starts_at == timedelta(hours=8, minutes=30)


@pytest.mark.parametrize(("saturday", "sunday"), AUTUMN)
def test_a_boundary_in_the_repeated_hour_means_its_first_occurrence(saturday: date, sunday: date) -> None:
    # 02:30 happens twice on the fall-back night: the boundary is the first (summer time) one.
    early = rotation(1, DAY, time(18), time(2, 30), True)
    late = rotation(2, NIGHT, time(2, 30), time(10), False)
    team = TeamRoster.build(1, [early, late], [], [DAY, NIGHT])
    meet = datetime(sunday.year, sunday.month, sunday.day, 0, 30, tzinfo=UTC)
    assert meet.astimezone(OSLO).strftime("%H:%M %Z") == "02:30 CEST"
    assert [d.user_id for d in team.on_duty(meet - timedelta(seconds=1))] == [DAY]
    assert [d.user_id for d in team.on_duty(meet)] == [NIGHT]
    # The second 02:30 (winter time) is inside the late shift, which ends at 10:00 CET.
    second = meet + timedelta(hours=1)
    duty = team.on_duty(second)[0]
    assert duty.user_id == NIGHT and duty.ends_at == datetime(
        sunday.year, sunday.month, sunday.day, 9, tzinfo=UTC
    )


def test_daily_rotation_hands_over_at_the_local_day_not_the_utc_day() -> None:
    team = TeamRoster.build(
        1,
        [
            RotationRule(
                id=1,
                team_id=1,
                name="døgn",
                tz=OSLO,
                start_date=date(2026, 3, 28),
                period_days=1,
                members=(DAY, NIGHT),
                shifts=(ShiftRule(ALL_WEEK, time(0), time(0), True),),
            )
        ],
        [],
        [DAY, NIGHT],
    )
    # Sunday 29 March 2026 is 23 hours long; Night has all of it.
    sunday_start = datetime(2026, 3, 29, tzinfo=OSLO)
    assert [d.user_id for d in team.on_duty(sunday_start)] == [NIGHT]
    duty = team.on_duty(sunday_start)[0]
    assert duty.ends_at - duty.starts_at == timedelta(hours=23)
    assert [d.user_id for d in team.on_duty(datetime(2026, 3, 30, 0, 0, tzinfo=OSLO))] == [DAY]
