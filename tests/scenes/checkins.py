"""The check-in scene (tests/test_checkins.py): Mona's circle, bolig (Kari
08-22, Ola 22-08) -> DPS (Silje round the clock), Per another patient; her
plan as the plans service gives it, check-in answers, and the reminder job."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from nattlys.care_circles.models import TeamKind
from nattlys.checkins import reminders
from nattlys.checkins.plan_link import PlanBits

OSLO = ZoneInfo("Europe/Oslo")
SIGNS = ["Jeg slutter å svare på telefonen", "Jeg sover nesten ikke", "Jeg går frem og tilbake"]
SELF_HELP = ["Gå en tur rundt blokka", "Ring søsteren min", "Dusje varmt og lytte til musikk"]


def key() -> str:
    return uuid.uuid4().hex


def answers(**over: Any) -> dict[str, Any]:
    body = {
        "idempotency_key": key(),
        "pressure": 2,
        "mood": 4,
        "sleep": "good",
        "warning_signs": [],
        "self_harm_urge": "none",
        "suicidal_thoughts": "none",
        "wants_contact": False,
    }
    body.update(over)
    return body


@pytest.fixture
def plan(monkeypatch: pytest.MonkeyPatch) -> PlanBits:
    """Mona's plan as the plans service gives it (warning signs shared with every kind)."""
    bits = PlanBits(
        warning_signs=SIGNS,
        self_help=SELF_HELP,
        sharing={"warning_signs": ["bolig", "kommune", "dps"]},
        exists=True,
    )
    monkeypatch.setattr("nattlys.checkins.plan_link.plan_bits", lambda db, patient_id: bits)
    return bits


@pytest.fixture
def circle(factories: Any, clock: Any) -> dict[str, Any]:
    """Mona: bolig (Kari 08-22, Ola 22-08) -> DPS (Silje round the clock). Per: another patient."""
    clock.set(datetime(2026, 11, 25, 20, 30, tzinfo=OSLO))  # Wednesday evening
    kari = factories.supporter("kari", display_name="Kari")
    ola = factories.supporter("ola", display_name="Ola")
    silje = factories.supporter("silje", display_name="Silje")
    outsider = factories.supporter("per.s", display_name="Per S")
    bolig = factories.team(TeamKind.bolig, members=[kari, ola], name="Bolig Askøy")
    dps = factories.team(TeamKind.dps, members=[silje], name="Øyane DPS")
    factories.team(TeamKind.bolig, members=[outsider], name="Annen bolig")
    mona = factories.patient("mona", display_name="Mona")
    per = factories.patient("per", display_name="Per")
    factories.care_circle(mona, [[bolig], [dps]])
    factories.care_circle(per, [[dps]])
    return {"kari": kari, "ola": ola, "silje": silje, "bolig": bolig, "dps": dps, "mona": mona, "per": per}


def staff(factories: Any, c: dict[str, Any]) -> None:
    factories.published_roster(
        c["bolig"], [([c["kari"]], [("08:00", "22:00", False)]), ([c["ola"]], [("22:00", "08:00", True)])]
    )
    factories.published_roster(c["dps"], [([c["silje"]], [("00:00", "00:00", True)])])


def count(db: Any, model: Any) -> int:
    n = db.exec(select(func.count()).select_from(model)).one()
    db.commit()
    return n


def run_job(app: Any, clock: Any) -> Any:
    from nattlys.db import get_db

    with app.app_context():
        return reminders.run(get_db(), at=clock())
