"""Outcome figures benchmark: a year of a 500-patient municipality.

    .venv/bin/python -m tests.perf.bench_outcomes [--database-url URL] [--patients 500] [--runs 5]

Generates (bulk inserts, seeded so every run is the same) 20 teams, 500
patients with three-tier care circles, and a year of events: an evening
check-in on most days and its reminder record, a chat on about one evening in
seven (a wait, the routing decisions, the first answer and a few more
messages), escalations and gap-log rows, discharges with or without contact,
and "what happened" records. Then times the figures endpoint
(GET /api/outcomes, 12 months, as an administrator: role check, every SQL
aggregate, the audit row, JSON) `--runs` times after one warm-up, and prints
the median and the slowest. The goal is under 1 s. Not a test: it asserts
nothing. Default database: a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import g
from sqlalchemy import insert, select
from sqlmodel import Session

from nattlys import clock, create_app
from nattlys.accounts.models import Role, User
from nattlys.alerts.models import CareGap
from nattlys.care_circles.models import CareTier, CareTierTeam, Team, TeamKind
from nattlys.chat.models import Conversation, Message, RoutingDecision
from nattlys.checkins.models import Checkin, Discharge, ReminderSent
from nattlys.cli import upgrade_database
from nattlys.db import get_engine
from nattlys.outcomes.models import NightOutcome
from nattlys.outcomes.routes import outcome_figures

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
CHUNK = 5000


def _table(model: Any) -> Any:
    return model.__table__


def _bulk(db: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.execute(insert(_table(model)), rows[start : start + CHUNK])


def _ids(db: Session, model: Any) -> list[int]:
    return list(db.execute(select(_table(model).c.id).order_by(_table(model).c.id)).scalars())


def generate(db: Session, patients: int, rng: random.Random) -> dict[str, int]:
    teams = [(f"Team {kind.value} {n}", kind) for kind in TeamKind for n in range({"dps": 4}.get(kind, 8))]
    _bulk(db, Team, [{"name": name, "kind": kind, "created_at": NOW} for name, kind in teams])
    team_ids: dict[TeamKind, list[int]] = {kind: [] for kind in TeamKind}
    for team_id, kind in db.execute(select(_table(Team).c.id, _table(Team).c.kind)).all():
        team_ids[TeamKind(kind)].append(team_id)
    _bulk(
        db,
        User,
        [
            {
                "username": "bench-admin",
                "display_name": "Admin",
                "role": Role.admin,
                "is_active": True,
                "created_at": NOW,
            }
        ],
    )
    _bulk(
        db,
        User,
        [
            {
                "username": "bench-kari",
                "display_name": "Kari",
                "role": Role.supporter,
                "is_active": True,
                "created_at": NOW,
            }
        ],
    )
    supporter = db.execute(
        select(_table(User).c.id).where(_table(User).c.username == "bench-kari")
    ).scalar_one()
    _bulk(
        db,
        User,
        [
            {
                "username": f"bench-p{n}",
                "display_name": f"P {n}",
                "role": Role.patient,
                "is_active": True,
                "created_at": NOW,
            }
            for n in range(patients)
        ],
    )
    patient_ids = list(
        db.execute(
            select(_table(User).c.id).where(_table(User).c.role == Role.patient).order_by("id")
        ).scalars()
    )
    _bulk(
        db,
        CareTier,
        [
            {"patient_id": p, "position": pos, "escalate_after_minutes": 3}
            for p in patient_ids
            for pos in range(3)
        ],
    )
    tiers = db.execute(
        select(_table(CareTier).c.id, _table(CareTier).c.patient_id, _table(CareTier).c.position)
    ).all()
    kinds = (TeamKind.bolig, TeamKind.kommune, TeamKind.dps)
    _bulk(
        db,
        CareTierTeam,
        [
            {"tier_id": t, "team_id": team_ids[kinds[pos]][p % len(team_ids[kinds[pos]])]}
            for t, p, pos in tiers
        ],
    )
    _bulk(
        db,
        Conversation,
        [
            {
                "patient_id": p,
                "state": "idle",
                "offered_to": [],
                "created_at": NOW,
                "updated_at": NOW,
                "last_message_id": 0,
                "delivered_upto_id": 0,
                "read_upto_id": 0,
                "patient_read_upto_id": 0,
            }
            for p in patient_ids
        ],
    )
    conv_of = dict(db.execute(select(_table(Conversation).c.patient_id, _table(Conversation).c.id)).all())

    checkins, reminders, messages, decisions, gaps, discharges, nights = [], [], [], [], [], [], []
    first_day = (NOW - timedelta(days=365)).date()
    for p in patient_ids:
        for d in range(365):
            day = first_day + timedelta(days=d)
            evening = datetime(day.year, day.month, day.day, 19, rng.randint(0, 59), tzinfo=UTC)
            done = rng.random() < 0.8
            if done:
                level = rng.choices(["green", "yellow", "red"], weights=[80, 16, 4])[0]
                checkins.append(
                    {
                        "patient_id": p,
                        "idempotency_key": f"{p}-{d}",
                        "created_at": evening,
                        "pressure": 3,
                        "mood": 3,
                        "sleep": "ok",
                        "warning_signs": [],
                        "self_harm_urge": "none",
                        "suicidal_thoughts": "none",
                        "wants_contact": False,
                        "note": None,
                        "level": level,
                        "reasons": [],
                    }
                )
                if level == "red" and rng.random() < 0.5:
                    nights.append(
                        {
                            "patient_id": p,
                            "night": day,
                            "outcome": rng.choice(["nothing", "nothing", "legevakt", "admission", "police"]),
                            "recorded_at": evening + timedelta(hours=14),
                        }
                    )
            reminders.append(
                {
                    "patient_id": p,
                    "local_date": day,
                    "kind": "evening",
                    "step": "missed",
                    "due_at": evening,
                    "sent_at": evening,
                    "outcome": "done" if done else "not_chosen",
                }
            )
            if rng.random() < 1 / 7:
                asked = evening + timedelta(hours=rng.randint(0, 6), minutes=rng.randint(0, 59))
                answered = asked + timedelta(seconds=rng.randint(20, 900))
                conv = conv_of[p]
                tier = 0 if answered - asked < timedelta(minutes=3) else 1
                decisions.append(
                    {
                        "conversation_id": conv,
                        "patient_id": p,
                        "at": asked,
                        "action": "offer",
                        "tier_position": 0,
                        "supporter_ids": [],
                        "reason": "bench",
                    }
                )
                if tier:
                    decisions.append(
                        {
                            "conversation_id": conv,
                            "patient_id": p,
                            "at": asked + timedelta(minutes=3),
                            "action": "escalate",
                            "tier_position": 1,
                            "supporter_ids": [],
                            "reason": "bench",
                        }
                    )
                for n, (who, role, at) in enumerate(
                    [
                        (p, "patient", asked),
                        (p, "patient", asked + timedelta(seconds=10)),
                        (supporter, "supporter", answered),
                        (p, "patient", answered + timedelta(minutes=2)),
                        (supporter, "supporter", answered + timedelta(minutes=4)),
                    ]
                ):
                    messages.append(
                        {
                            "conversation_id": conv,
                            "sender_id": who,
                            "sender_role": role,
                            "client_id": f"{d}-{n}",
                            "body": "hei",
                            "notice": None,
                            "created_at": at,
                        }
                    )
            if rng.random() < 0.01:
                start = evening + timedelta(hours=3)
                gaps.append(
                    {
                        "patient_id": p,
                        "kind": rng.choice(["chat_alone", "red_alone", "chat_unanswered"]),
                        "started_at": start,
                        "ended_at": start + timedelta(minutes=rng.randint(5, 240)),
                        "shown": "bench",
                        "reoffers": 0,
                    }
                )
        for _ in range(2):
            discharged = first_day + timedelta(days=rng.randint(0, 364))
            contact = rng.choice([None, 1, 2, 5, 8, 13])
            discharges.append(
                {
                    "patient_id": p,
                    "discharge_date": discharged,
                    "recorded_at": NOW,
                    "contact_at": None
                    if contact is None
                    else datetime(discharged.year, discharged.month, discharged.day, 10, tzinfo=UTC)
                    + timedelta(days=contact),
                }
            )
    for model, rows in (
        (Checkin, checkins),
        (ReminderSent, reminders),
        (RoutingDecision, decisions),
        (Message, messages),
        (CareGap, gaps),
        (Discharge, discharges),
        (NightOutcome, nights),
    ):
        _bulk(db, model, rows)
    db.commit()
    return {
        "check-ins": len(checkins),
        "reminders": len(reminders),
        "messages": len(messages),
        "routing decisions": len(decisions),
        "gaps": len(gaps),
        "discharges": len(discharges),
        "nights": len(nights),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--patients", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench-outcomes.db"
    upgrade_database(url)
    app = create_app(
        {"ENV": "testing", "DATABASE_URL": url, "SOCKETIO_ASYNC_MODE": "threading", "STARTUP_CHECKS": "off"}
    )
    clock.install(app, lambda: NOW)
    started = time.perf_counter()
    with app.app_context(), Session(get_engine(app)) as db:
        counts = generate(db, args.patients, random.Random(18))
    if get_engine(app).dialect.name == "postgresql":
        # As autovacuum would have left a year-old database: statistics and the visibility map.
        with get_engine(app).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    print(f"database: {url.split('@')[-1]}")
    print(
        f"generated in {time.perf_counter() - started:.1f} s: {args.patients} patients, "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
    )
    timings = []
    for _ in range(args.runs + 1):
        with app.test_request_context("/api/outcomes"):
            with Session(get_engine(app)) as db:
                g.user = db.execute(select(User).where(_table(User).c.username == "bench-admin")).scalar_one()
            t0 = time.perf_counter()
            response = outcome_figures()
            timings.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    timings = timings[1:]
    print(
        f"GET /api/outcomes (12 months, {len(body['rows'])} rows): median {statistics.median(timings) * 1000:.0f} ms, "
        f"slowest {max(timings) * 1000:.0f} ms over {len(timings)} runs (goal < 1000 ms)"
    )


if __name__ == "__main__":
    main()
