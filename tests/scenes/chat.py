"""The chat scene (tests/test_chat.py): Mona's circle, bolig (Kari 08-22, Ola
22-08) -> kommune (Ingrid 15:30-23) -> DPS (Silje round the clock), its
rosters, and the chat scheduler's tick."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from nattlys.care_circles.models import TeamKind
from nattlys.chat.models import Message, RoutingDecision
from nattlys.chat.tick import tick

OSLO = ZoneInfo("Europe/Oslo")


def cid() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def circle(factories: Any, clock: Any) -> dict[str, Any]:
    """Mona's circle: bolig (Kari 08-22, Ola 22-08) -> kommune (Ingrid 15:30-23) -> DPS (Silje round the clock)."""
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=OSLO))  # Wednesday evening
    kari = factories.supporter("kari", display_name="Kari")
    ola = factories.supporter("ola", display_name="Ola")
    ingrid = factories.supporter("ingrid", display_name="Ingrid")
    silje = factories.supporter("silje", display_name="Silje")
    outsider = factories.supporter("per", display_name="Per")
    bolig = factories.team(TeamKind.bolig, members=[kari, ola], name="Bolig Askøy")
    kommune = factories.team(TeamKind.kommune, members=[ingrid], name="Askøy kommune")
    dps = factories.team(TeamKind.dps, members=[silje], name="Øyane DPS")
    factories.team(TeamKind.bolig, members=[outsider], name="Annen bolig")
    mona = factories.patient("mona", display_name="Mona")
    factories.care_circle(mona, [[bolig], [kommune], [dps]])
    return {
        "kari": kari,
        "ola": ola,
        "ingrid": ingrid,
        "silje": silje,
        "outsider": outsider,
        "bolig": bolig,
        "kommune": kommune,
        "dps": dps,
        "mona": mona,
    }


def staff_rosters(factories: Any, c: dict[str, Any]) -> None:
    factories.published_roster(
        c["bolig"], [([c["kari"]], [("08:00", "22:00", False)]), ([c["ola"]], [("22:00", "08:00", True)])]
    )
    factories.published_roster(c["kommune"], [([c["ingrid"]], [("15:30", "23:00", False)])])
    factories.published_roster(c["dps"], [([c["silje"]], [("00:00", "00:00", True)])])


def messages_in_db(db: Any) -> int:
    count = db.exec(select(func.count()).select_from(Message)).one()
    db.commit()  # end the read: on SQLite it holds the write lock
    return count


def decisions(db: Any) -> list[str]:
    actions = [d.action for d in db.exec(select(RoutingDecision).order_by(RoutingDecision.id)).all()]
    db.commit()
    return actions


def run_tick(app: Any, clock: Any) -> dict[str, int]:
    from nattlys.db import get_db

    with app.app_context():
        return tick(get_db(), at=clock())
