# The SQL here is assembled only from this module's constants; every value is a
# bound parameter.
# ruff: noqa: S608
"""The outcome figures, per month (Oslo time) and per team, computed by SQL
aggregates over the event tables: only counts, shares and percentiles leave the
database, never a patient's rows.

A patient belongs to every team in their care circle, and to the whole
municipality (team id 0 in SQL, None outside). A group of fewer than
MIN_PATIENTS patients is suppressed: its values are None and `suppressed` is
set (never rounded, so nobody can be singled out).

Oslo time comes from Python's zone database, the same for SQLite (which has
no time zones) and PostgreSQL: each month's start and each change of the UTC
offset as an instant in UTC, which the stored UTC columns are compared with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, bindparam, text
from sqlmodel import Session, col, select

from nattlys.care_circles.models import Team
from nattlys.clock import OSLO
from nattlys.db import UTCDateTime
from nattlys.outcomes.models import NightOutcomeKind

MIN_PATIENTS = 5
_KINDS = tuple(k.value for k in NightOutcomeKind)
OFFICE_START, OFFICE_END = 8, 16  # office hours 08:00-16:00, Oslo time
# Seed 001 (N=15,587 discharges): 45 % had outpatient contact in the first week.
BASELINE_CONTACT_7_DAYS = 0.45
# Seed 000: one round of the acute loop (ambulance twice, legevakt, police, 2.5 days at PAM).
COST_PER_ROUND_NOK = 47_500

_GROUPS = """grp AS (
    SELECT DISTINCT ct.patient_id AS patient_id, ctt.team_id AS team_id
    FROM care_tiers ct JOIN care_tier_teams ctt ON ctt.tier_id = ct.id
    UNION
    SELECT u.id, 0 FROM users u WHERE u.role = 'patient'
)"""


def _offsets(first: date, last: date) -> tuple[list[tuple[datetime, int]], int]:
    """Oslo's offsets from UTC in whole hours from the start of `first` to the
    end of `last`: each with the UTC instant it gives way at, and the last one."""

    def offset(at: datetime) -> int:
        return (at.astimezone(OSLO).utcoffset() or timedelta()) // timedelta(hours=1)

    day = datetime.combine(first, time(0), tzinfo=UTC)
    current, until = offset(day), []
    while day.date() <= last:
        if offset(day + timedelta(days=1)) != current:
            change = next(
                day + timedelta(hours=h) for h in range(1, 25) if offset(day + timedelta(hours=h)) != current
            )
            until.append((change, current))
            current = offset(change)
        day += timedelta(days=1)
    return until, current


def _number(month: date) -> int:
    return month.year * 100 + month.month


def _below(col: str, bounds: list[tuple[str, int]], otherwise: int) -> str:
    """The value of the first bound a stored column is below, else `otherwise`."""
    if not bounds:
        return str(otherwise)
    whens = " ".join(f"WHEN {col} < '{bound}' THEN {value}" for bound, value in bounds)
    return f"CASE {whens} ELSE {otherwise} END"


class _Dialect:
    """Oslo wall-clock months and hours of stored UTC columns, by comparing each
    value with instants worked out here (the months' starts, the offset changes)
    instead of converting a year of events row by row."""

    def __init__(self, name: str, starts: list[date], end_day: date) -> None:
        self.pg = name == "postgresql"
        self.starts = starts
        # Right for the months and the months either side up to the next offset change.
        self.offsets, self.last_offset = _offsets(starts[0], end_day)

    def offset(self, col: str) -> str:
        """Oslo's offset from UTC in hours at a stored UTC column."""
        return _below(
            col, [(f"{at:%Y-%m-%d %H:%M:%S}", hours) for at, hours in self.offsets], self.last_offset
        )

    def month(self, col: str) -> str:
        """The Oslo month as a number, YYYYMM (integers group fast), of a stored
        UTC column within the months."""
        ends = [f"{_utc(start).astimezone(UTC):%Y-%m-%d %H:%M:%S}" for start in self.starts[1:]]
        return _below(
            col,
            [(end, _number(month)) for end, month in zip(ends, self.starts, strict=False)],
            _number(self.starts[-1]),
        )

    def month_of_day(self, day: str) -> str:
        """The month of a date as a number, YYYYMM."""
        if self.pg:
            return f"CAST(date_part('year', {day}) * 100 + date_part('month', {day}) AS integer)"
        return f"CAST(substr({day}, 1, 4) || substr({day}, 6, 2) AS integer)"

    def hour(self, col: str) -> str:
        utc_hour = f"date_part('hour', {col})" if self.pg else f"substr({col}, 12, 2)"
        return f"(CAST({utc_hour} AS integer) + {self.offset(col)}) % 24"

    def percentiles(self, keys: str, values: str) -> str:
        """Nearest-rank median and 90th percentile of `v` per `keys` (the smallest
        value with at least half, or 90 %, of the values at or below it), from a
        subquery `values` with columns keys, patient_id, v."""
        counts = f"SELECT {keys}, COUNT(DISTINCT patient_id) AS patients, COUNT(*) AS n"
        if self.pg:
            return (
                f"{counts}, percentile_disc(0.5) WITHIN GROUP (ORDER BY v) AS p50, "
                f"percentile_disc(0.9) WITHIN GROUP (ORDER BY v) AS p90 FROM ({values}) vals GROUP BY {keys}"
            )
        return f"""{counts}, MIN(CASE WHEN cd >= 0.5 THEN v END) AS p50, MIN(CASE WHEN cd >= 0.9 THEN v END) AS p90
            FROM (
                SELECT {keys}, patient_id, v, CUME_DIST() OVER (PARTITION BY {keys} ORDER BY v) AS cd
                FROM ({values}) vals
            ) ranked GROUP BY {keys}"""

    def seconds(self, start: str, end: str) -> str:
        """Whole seconds between two stored UTC columns."""
        if self.pg:
            return f"CAST(extract(epoch from ({end} - {start})) AS integer)"
        return f"CAST(round((julianday({end}) - julianday({start})) * 86400.0) AS integer)"

    def days(self, day: str, col: str) -> str:
        """Days from a date to the Oslo date of a stored UTC column."""
        if self.pg:
            return f"(CAST({col} + {self.offset(col)} * interval '1 hour' AS date) - {day})"
        return f"CAST(julianday(date({col}, {self.offset(col)} || ' hours')) - julianday({day}) AS integer)"


def _out_of_hours(hour: str) -> str:
    return f"CASE WHEN {hour} >= {OFFICE_END} OR {hour} < {OFFICE_START} THEN 1 ELSE 0 END"


@dataclass
class Row:
    figure: str
    team_id: int | None
    month: str | None
    patients: int | None
    suppressed: bool
    values: dict[str, float | int | None]
    tier: int | None = None
    hour: int | None = None


@dataclass
class Figures:
    months: list[str]
    teams: list[tuple[int, str]]
    rows: list[Row] = field(default_factory=list)


def _row(
    figure: str, team: int, month: int | None, patients: int, values: dict[str, Any], **extra: Any
) -> Row:
    small = patients < MIN_PATIENTS
    return Row(
        figure=figure,
        team_id=team or None,
        month=None if month is None else f"{int(month) // 100:04d}-{int(month) % 100:02d}",
        patients=None if small else patients,
        suppressed=small,
        values=dict.fromkeys(values) if small else values,
        **extra,
    )


def _share(part: Any, whole: Any) -> float | None:
    return round(part / whole, 4) if whole else None


def _month_starts(last_month: date, months: int) -> list[date]:
    starts, year, month = [], last_month.year, last_month.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=OSLO)


def compute(db: Session, *, at: datetime, months: int = 12) -> Figures:
    """The figures for the `months` calendar months (Oslo) up to and including the current one."""

    today = at.astimezone(OSLO).date()
    starts = _month_starts(today.replace(day=1), months)
    first, end_day = starts[0], (starts[-1] + timedelta(days=32)).replace(day=1)
    d = _Dialect(db.get_bind().dialect.name, starts, end_day)
    params = {
        "start": _utc(first),
        "end": _utc(end_day),
        "now": at,
        "start_day": first,
        "end_day": end_day,
        "seven_days_ago": today - timedelta(days=7),
    }
    binds: list[Any] = [bindparam(name, type_=UTCDateTime) for name in ("start", "end", "now")]
    binds += [bindparam(name, type_=Date) for name in ("start_day", "end_day", "seven_days_ago")]

    def run(sql: str) -> list[Any]:
        named = set(re.findall(r":([a-z_]+)", sql))
        if d.pg:
            # Compiling these queries costs more than running them; their sorts
            # (a year of events) fit in memory with a little more than the default.
            db.connection().exec_driver_sql("SET LOCAL jit = off")
            db.connection().exec_driver_sql("SET LOCAL work_mem = '32MB'")
        stmt = text(f"WITH {sql}").bindparams(*(b for b in binds if b.key in named))
        used = {k: v for k, v in params.items() if k in named}
        return list(db.connection().execute(stmt, used).all())

    teams = [(int(t.id or 0), t.name) for t in db.exec(select(Team).order_by(col(Team.name))).all()]
    out = Figures(months=[s.strftime("%Y-%m") for s in starts], teams=teams)
    _follow_up(out, run, d)
    _events(out, run, d)
    _nights(out, run, d)
    # Each figure's rows by team, month, tier and hour, whichever order the database grouped them in.
    order = {figure: n for n, figure in enumerate(dict.fromkeys(r.figure for r in out.rows))}
    out.rows.sort(key=lambda r: (r.team_id or 0, r.month or "", r.tier is not None, r.tier or 0, r.hour or 0))
    out.rows.sort(key=lambda r: order[r.figure])  # stable: the figures in the order computed
    return out


def _follow_up(out: Figures, run: Any, d: _Dialect) -> None:
    month = d.month_of_day("d.discharge_date")
    days = d.days("d.discharge_date", "d.contact_at")
    counts = run(f"""{_GROUPS}
        SELECT g.team_id, {month} AS month, COUNT(DISTINCT d.patient_id), COUNT(*),
            SUM(CASE WHEN d.contact_at IS NOT NULL AND {days} <= 7 THEN 1 ELSE 0 END),
            SUM(CASE WHEN d.contact_at IS NULL AND d.discharge_date > :seven_days_ago THEN 1 ELSE 0 END)
        FROM discharges d JOIN grp g ON g.patient_id = d.patient_id
        WHERE d.discharge_date >= :start_day AND d.discharge_date < :end_day
        GROUP BY g.team_id, {month}""")
    spread = {
        (r[0], r[1]): r
        for r in run(
            f"""{_GROUPS} {
                d.percentiles(
                    "team_id, month",
                    f"SELECT g.team_id, {month} AS month, d.patient_id, {days} AS v "
                    "FROM discharges d JOIN grp g ON g.patient_id = d.patient_id "
                    "WHERE d.contact_at IS NOT NULL AND d.discharge_date >= :start_day "
                    "AND d.discharge_date < :end_day",
                )
            }"""
        )
    }
    for team, mon, patients, discharges, within, pending in counts:
        p = spread.get((team, mon))
        out.rows.append(
            _row(
                "follow_up",
                team,
                mon,
                patients,
                {
                    "discharges": discharges,
                    "contact_within_7_days": within,
                    "waiting_under_7_days": pending,
                    "share_within_7_days": _share(within, discharges - pending),
                    "days_to_contact_median": p[4] if p else None,
                    "days_to_contact_p90": p[5] if p else None,
                },
            )
        )


def _waits(d: _Dialect) -> str:
    """A wait: the patient's messages after none or after a supporter's, and the
    supporter message that answers them, share the count of supporter messages
    before them; asked at the first of them, answered at the supporter's, in
    the tier of the routing decision that stood at that moment."""
    tier = (
        "(SELECT rd.tier_position FROM routing_decisions rd WHERE rd.conversation_id = w.conversation_id "
        "AND rd.tier_position IS NOT NULL AND rd.at <= w.answered_at ORDER BY rd.at DESC, rd.id DESC LIMIT 1)"
    )
    return f"""seq AS (
        SELECT m.conversation_id, m.created_at, m.sender_role,
            SUM(CASE WHEN m.sender_role = 'supporter' THEN 1 ELSE 0 END)
                OVER (PARTITION BY m.conversation_id ORDER BY m.id ROWS UNBOUNDED PRECEDING)
            - CASE WHEN m.sender_role = 'supporter' THEN 1 ELSE 0 END AS answers_before
        FROM messages m
        WHERE m.created_at >= :start AND m.created_at < :end AND m.sender_role IN ('patient', 'supporter')
    ), w AS (
        SELECT q.conversation_id, c.patient_id, q.asked_at, q.answered_at
        FROM (
            SELECT conversation_id, MIN(CASE WHEN sender_role = 'patient' THEN created_at END) AS asked_at,
                MIN(CASE WHEN sender_role = 'supporter' THEN created_at END) AS answered_at
            FROM seq GROUP BY conversation_id, answers_before
        ) q
        JOIN conversations c ON c.id = q.conversation_id
        WHERE q.asked_at IS NOT NULL
    ), waits AS MATERIALIZED (
        SELECT w.patient_id, w.asked_at, w.answered_at, {tier} AS tier, {d.month("w.asked_at")} AS month,
            {d.hour("w.asked_at")} AS hour, {d.seconds("w.asked_at", "w.answered_at")} AS secs
        FROM w
    )"""


def _events(out: Figures, run: Any, d: _Dialect) -> None:
    """Everything drawn from the chat and the check-ins, in one statement so the
    waits and each event's local time are worked out once: chats and check-ins
    by month and hour (out of office hours), time to the first answer per tier,
    escalations and time alone, and check-in levels. Events are counted per
    patient before the teams are joined."""
    alone = d.seconds("cg.started_at", "COALESCE(cg.ended_at, :now)")
    off = _out_of_hours("hour")
    alone_kinds = "'chat_alone', 'red_alone', 'missed_alone', 'worry_alone'"
    response = d.percentiles(
        "team_id, month, tier",
        "SELECT g.team_id, waits.month, COALESCE(waits.tier, -1) AS tier, waits.patient_id, waits.secs AS v "
        "FROM waits JOIN grp g ON g.patient_id = waits.patient_id WHERE waits.answered_at IS NOT NULL",
    )
    rows = run(f"""{_GROUPS}, {_waits(d)}, ev AS MATERIALIZED (
        SELECT patient_id, month, hour, 1 AS chat, COUNT(*) AS n, 0 AS yellow, 0 AS red
        FROM waits GROUP BY patient_id, month, hour
        UNION ALL
        SELECT patient_id, month, hour, 0, COUNT(*), SUM(CASE WHEN level = 'yellow' THEN 1 ELSE 0 END),
            SUM(CASE WHEN level = 'red' THEN 1 ELSE 0 END)
        FROM (
            SELECT patient_id, {d.month("created_at")} AS month, {d.hour("created_at")} AS hour, level
            FROM checkins WHERE created_at >= :start AND created_at < :end
        ) c GROUP BY patient_id, month, hour
    ), per_month AS (
        SELECT patient_id, month, SUM(chat * n) AS chats, SUM(chat * n * {off}) AS chats_off,
            SUM((1 - chat) * n) AS checkins, SUM((1 - chat) * n * {off}) AS checkins_off,
            SUM(yellow) AS yellow, SUM(red) AS red
        FROM ev GROUP BY patient_id, month
    ), per_hour AS (
        SELECT patient_id, hour, SUM(chat * n) AS chats, SUM((1 - chat) * n) AS checkins
        FROM ev GROUP BY patient_id, hour
    ), esc AS (
        SELECT patient_id, month, SUM(esc) AS esc, SUM(last_resort) AS last_resort,
            SUM(unanswered) AS unanswered, SUM(alone) AS alone
        FROM (
            SELECT rd.patient_id, {d.month("rd.at")} AS month, 1 AS esc, 0 AS last_resort, 0 AS unanswered,
                0 AS alone
            FROM routing_decisions rd WHERE rd.action = 'escalate' AND rd.at >= :start AND rd.at < :end
            UNION ALL
            SELECT cg.patient_id, {d.month("cg.started_at")}, 0,
                CASE WHEN cg.kind IN ('chat_unanswered', 'alert_unanswered') THEN 1 ELSE 0 END, 0,
                CASE WHEN cg.kind IN ({alone_kinds}) THEN {alone} ELSE 0 END
            FROM care_gaps cg WHERE cg.started_at >= :start AND cg.started_at < :end
            UNION ALL
            SELECT patient_id, month, 0, 0, 1, 0 FROM waits WHERE answered_at IS NULL
        ) e GROUP BY patient_id, month
    )
        SELECT 'activity', g.team_id, p.month, -1, COUNT(*), SUM(p.chats), SUM(p.chats_off), SUM(p.checkins),
            SUM(p.checkins_off)
        FROM per_month p JOIN grp g ON g.patient_id = p.patient_id GROUP BY g.team_id, p.month
        UNION ALL
        SELECT 'hour', g.team_id, NULL, p.hour, 0, SUM(p.chats), 0, SUM(p.checkins), 0
        FROM per_hour p JOIN grp g ON g.patient_id = p.patient_id GROUP BY g.team_id, p.hour
        UNION ALL
        SELECT 'period', g.team_id, NULL, -1, COUNT(*), 0, 0, 0, 0
        FROM (SELECT DISTINCT patient_id FROM per_month) p JOIN grp g ON g.patient_id = p.patient_id
        GROUP BY g.team_id
        UNION ALL
        SELECT 'checkins', g.team_id, p.month, -1, COUNT(*), SUM(p.checkins), SUM(p.yellow), SUM(p.red), 0
        FROM per_month p JOIN grp g ON g.patient_id = p.patient_id WHERE p.checkins > 0
        GROUP BY g.team_id, p.month
        UNION ALL
        SELECT 'response', team_id, month, tier, patients, n, p50, p90, 0 FROM ({response}) response
        UNION ALL
        SELECT 'escalation', g.team_id, esc.month, -1, COUNT(*), SUM(esc.esc),
            SUM(esc.last_resort), SUM(esc.unanswered), SUM(esc.alone)
        FROM esc JOIN grp g ON g.patient_id = esc.patient_id GROUP BY g.team_id, esc.month""")
    by_kind: dict[str, list[Any]] = {}
    for kind, *rest in rows:
        by_kind.setdefault(kind, []).append(rest)
    for team, mon, _, patients, chats, chats_off, checkins, checkins_off, *_ in by_kind.get("activity", []):
        out.rows.append(
            _row(
                "activity",
                team,
                mon,
                int(patients),
                {
                    "chats": int(chats),
                    "chats_out_of_hours": int(chats_off),
                    "share_chats_out_of_hours": _share(chats_off, chats),
                    "checkins": int(checkins),
                    "checkins_out_of_hours": int(checkins_off),
                    "share_checkins_out_of_hours": _share(checkins_off, checkins),
                },
            )
        )
    hours = {(r[0], int(r[2])): (int(r[4]), int(r[6])) for r in by_kind.get("hour", [])}
    for team, _, _, patients, *_ in sorted(by_kind.get("period", [])):
        for hr in range(24):
            chats, checkins = hours.get((team, hr), (0, 0))
            out.rows.append(
                _row("by_hour", team, None, int(patients), {"chats": chats, "checkins": checkins}, hour=hr)
            )
    for team, mon, tier, patients, n, p50, p90, *_ in by_kind.get("response", []):
        out.rows.append(
            _row(
                "response",
                team,
                mon,
                int(patients),
                {
                    "answered": int(n),
                    "seconds_median": None if p50 is None else round(float(p50)),
                    "seconds_p90": None if p90 is None else round(float(p90)),
                },
                tier=None if tier < 0 else int(tier),
            )
        )
    for team, mon, _, patients, esc, last_resort, unanswered, alone_seconds, *_ in by_kind.get(
        "escalation", []
    ):
        out.rows.append(
            _row(
                "escalation",
                team,
                mon,
                int(patients),
                {
                    "escalations": int(esc),
                    "reached_last_resort": int(last_resort),
                    "unanswered_chats": int(unanswered),
                    "hours_nobody_on_duty": round(int(alone_seconds) / 3600, 1),
                },
            )
        )
    levels = {(r[0], r[1]): tuple(int(x) for x in r[3:7]) for r in by_kind.get("checkins", [])}
    _checkins(out, run, d, levels)


def _checkins(out: Figures, run: Any, d: _Dialect, levels: dict[tuple[int, int], tuple[int, ...]]) -> None:
    """Adherence (scheduled check-ins done, counted at each slot's last step)
    beside the share of yellow and red, only as aggregates. A month's patients
    are the larger of those who checked in and those with a check-in due."""
    slots = {
        (r[0], r[1]): tuple(int(x) for x in r[2:])
        for r in run(f"""{_GROUPS}, per AS MATERIALIZED (
            SELECT patient_id, {d.month_of_day("local_date")} AS month, COUNT(*) AS n,
                SUM(CASE WHEN outcome = 'done' THEN 1 ELSE 0 END) AS done
            FROM checkin_reminders
            WHERE step = 'missed' AND local_date >= :start_day AND local_date < :end_day
            GROUP BY patient_id, {d.month_of_day("local_date")}
        )
            SELECT g.team_id, per.month, COUNT(DISTINCT per.patient_id), SUM(n), SUM(done)
            FROM per JOIN grp g ON g.patient_id = per.patient_id GROUP BY g.team_id, per.month""")
    }
    for key in sorted(set(levels) | set(slots)):
        lp, total, yellow, red = levels.get(key, (0, 0, 0, 0))
        sp, due, done = slots.get(key, (0, 0, 0))
        out.rows.append(
            _row(
                "checkins",
                key[0],
                key[1],
                max(lp, sp),
                {
                    "checkins": total,
                    "share_yellow": _share(yellow, total),
                    "share_red": _share(red, total),
                    "scheduled": due,
                    "scheduled_done": done,
                    "adherence": _share(done, due),
                },
            )
        )


def _nights(out: Figures, run: Any, d: _Dialect) -> None:
    """What happened after the nights staff recorded, and the estimate of the
    acute loop avoided (each "nothing" counted as one round not taken: an
    assumption, shown with the figure)."""
    counts = ", ".join(f"SUM(CASE WHEN n.outcome = '{k}' THEN 1 ELSE 0 END)" for k in _KINDS)
    month = d.month_of_day("n.night")
    for team, mon, patients, *numbers in run(f"""{_GROUPS}
        SELECT g.team_id, {month}, COUNT(DISTINCT n.patient_id), {counts}
        FROM night_outcomes n JOIN grp g ON g.patient_id = n.patient_id
        WHERE n.night >= :start_day AND n.night < :end_day GROUP BY g.team_id, {month}"""):
        values: dict[str, Any] = dict(zip(_KINDS, numbers, strict=True))
        values["cost_avoided_nok_estimate"] = values["nothing"] * COST_PER_ROUND_NOK
        values["cost_of_admissions_nok_estimate"] = values["admission"] * COST_PER_ROUND_NOK
        out.rows.append(_row("nights", team, mon, patients, values))
