"""Roster benchmark: `on_duty(patient, at)` and the 4-week coverage scan.

    .venv/bin/python -m tests.perf.bench_rosters [--database-url URL]

1,000 patients, 50 teams (6 supporters, a day and a night weekly rotation each,
20 overrides a year each), care circles of three tiers. Times each look-up at
random instants of a year after warm-up, and reports p50/p99 next to a bare
baseline measured in the same run (one primary-key SELECT on the same
connection), because this machine is noisy. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time as walltime
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import text

from nattlys import create_app
from nattlys.accounts.models import Role, User
from nattlys.care_circles.models import CareTier, CareTierTeam, Team, TeamKind, TeamMembership
from nattlys.cli import upgrade_database
from nattlys.db import get_db
from nattlys.rosters import coverage, duty, snapshot
from nattlys.rosters.generation import bump_generation
from nattlys.rosters.models import RosterOverride, RosterVersion, Rotation, RotationMember, RotationShift

TEAMS, SUPPORTERS_PER_TEAM, PATIENTS, OVERRIDES_PER_TEAM = 50, 6, 1000, 20
KINDS = [TeamKind.bolig, TeamKind.kommune, TeamKind.dps]


def build(db) -> list[int]:
    rng = random.Random(7)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    teams_by_kind: dict[str, list[int]] = {k: [] for k in KINDS}
    for t in range(TEAMS):
        kind = KINDS[t % 3]
        team = Team(name=f"Team {t}", kind=kind)
        db.add(team)
        db.flush()
        teams_by_kind[kind].append(team.id)
        members = []
        for s in range(SUPPORTERS_PER_TEAM):
            user = User(username=f"s{t}-{s}", display_name=f"S {t}.{s}", role=Role.supporter)
            db.add(user)
            db.flush()
            members.append(user.id)
            db.add(TeamMembership(team_id=team.id, user_id=user.id))
        version = RosterVersion(team_id=team.id, status="published", created_at=now, published_at=now)
        db.add(version)
        db.flush()
        for name, start, end, nxt, who in (
            ("Dag", 8, 20, False, members[:3]),
            ("Natt", 20, 8, True, members[3:]),
        ):
            rot = Rotation(version_id=version.id, name=name, start_date=date(2026, 1, 5), period_days=7)
            db.add(rot)
            db.flush()
            for i, uid in enumerate(who):
                db.add(RotationMember(rotation_id=rot.id, position=i, user_id=uid))
            days = 0b1111111 if kind == TeamKind.dps else 0b0011111
            db.add(
                RotationShift(
                    rotation_id=rot.id,
                    weekdays=days,
                    start_time=time(start),
                    end_time=time(end),
                    ends_next_day=nxt,
                )
            )
        for _ in range(OVERRIDES_PER_TEAM):
            start_at = now + timedelta(hours=rng.randrange(0, 365 * 24))
            sick, cover = rng.sample(members, 2)
            db.add(
                RosterOverride(
                    team_id=team.id,
                    kind="replace",
                    user_id=cover,
                    replaces_user_id=sick,
                    starts_at=start_at,
                    ends_at=start_at + timedelta(hours=rng.choice([8, 12, 24, 72])),
                    reason="sickness",
                    created_at=now,
                )
            )
    patients = []
    for p in range(PATIENTS):
        user = User(username=f"p{p}", display_name=f"P {p}", role=Role.patient)
        db.add(user)
        db.flush()
        patients.append(user.id)
        for position, kind in enumerate(KINDS):
            tier = CareTier(patient_id=user.id, position=position)
            db.add(tier)
            db.flush()
            db.add(CareTierTeam(tier_id=tier.id, team_id=rng.choice(teams_by_kind[kind])))
    bump_generation(db)
    db.commit()
    return patients


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--lookups", type=int, default=20000)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    upgrade_database(url)
    app = create_app(
        {"ENV": "testing", "DATABASE_URL": url, "SOCKETIO_ASYNC_MODE": "threading", "REDIS_URL": ""}
    )
    rng = random.Random(11)
    with app.app_context():
        db = get_db()
        t0 = walltime.perf_counter()
        patients = build(db)
        print(
            f"built {TEAMS} teams, {PATIENTS} patients in {walltime.perf_counter() - t0:.1f} s on {url.split(':')[0]}"
        )
        year = datetime(2026, 1, 1, tzinfo=UTC)
        instants = [year + timedelta(seconds=rng.randrange(0, 365 * 86400)) for _ in range(args.lookups)]
        picks = [rng.choice(patients) for _ in range(args.lookups)]

        t0 = walltime.perf_counter()
        snapshot.snapshot(db)
        print(f"snapshot load (cold): {1000 * (walltime.perf_counter() - t0):.0f} ms")
        for i in range(500):  # warm-up
            duty.on_duty(db, patient_id=picks[i], at=instants[i])
            db.execute(text("SELECT value FROM roster_generation WHERE id = 1")).one()

        baseline, lookups = [], []
        for patient_id, at in zip(picks, instants, strict=True):
            t = walltime.perf_counter()
            db.execute(text("SELECT value FROM roster_generation WHERE id = 1")).one()
            baseline.append(walltime.perf_counter() - t)
            t = walltime.perf_counter()
            duty.on_duty(db, patient_id=patient_id, at=at)
            lookups.append(walltime.perf_counter() - t)
        b50, b99 = percentiles(baseline)
        l50, l99 = percentiles(lookups)
        print(f"baseline PK select : p50 {b50 * 1e6:7.1f} us  p99 {b99 * 1e6:7.1f} us")
        print(
            f"on_duty(patient,at): p50 {l50 * 1e6:7.1f} us  p99 {l99 * 1e6:7.1f} us"
            f"  (ratio to baseline p50 {l50 / b50:.1f}x, p99 {l99 / b99:.1f}x)"
        )

        snap = snapshot.snapshot(db)
        runs = []
        for _ in range(3):
            t = walltime.perf_counter()
            begin, end = coverage.window(date(2026, 11, 23), 28)
            scan = coverage.CoverageScan(snap, begin, end)
            hours = coverage.hour_starts(begin, end)
            for patient_id in patients:
                gaps, fallbacks = scan.patient(snap.circles.get(patient_id, ()))
                coverage.grid(hours, gaps, fallbacks)
            runs.append(walltime.perf_counter() - t)
        t = walltime.perf_counter()
        for _ in range(len(patients)):
            pass
        print(
            f"coverage scan, {PATIENTS} patients x 4 weeks with hour grids: best {min(runs):.2f} s, "
            f"median {statistics.median(runs):.2f} s"
        )


if __name__ == "__main__":
    main()
