"""The roster scene (tests/test_rosters.py): Mona's circle of three teams with an
administrator's client, and the helpers that write rotations and publish them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from nattlys.care_circles.models import TeamKind

OSLO = ZoneInfo("Europe/Oslo")
EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO)


def rotation(name: str, members: list[Any], shifts: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "start_date": extra.pop("start_date", "2026-11-02"),
        "period_days": extra.pop("period_days", 7),
        "member_ids": [m.id for m in members],
        "shifts": shifts,
        **extra,
    }


def shift(start: str, end: str, days: list[int] = EVERY_DAY, next_day: bool = False) -> dict[str, Any]:
    return {"weekdays": days, "start": start, "end": end, "ends_next_day": next_day}


def publish(admin_client: Any, team: Any, rotations: list[dict[str, Any]], confirm: bool = True) -> Any:
    put = admin_client.put(f"/api/teams/{team.id}/roster/draft", json={"rotations": rotations})
    assert put.status_code == 200, put.json
    return admin_client.post(f"/api/teams/{team.id}/roster/publish", json={"confirm_uncovered": confirm})


@pytest.fixture
def setting(factories: Any, auth: Any) -> dict[str, Any]:
    kari = factories.supporter("kari", display_name="Kari")
    ola = factories.supporter("ola", display_name="Ola")
    ingrid = factories.supporter("ingrid", display_name="Ingrid")
    silje = factories.supporter("silje", display_name="Silje")
    bolig = factories.team(TeamKind.bolig, members=[kari, ola], name="Bolig Askøy")
    kommune = factories.team(TeamKind.kommune, members=[ingrid], name="Askøy kommune")
    dps = factories.team(TeamKind.dps, members=[silje], name="Øyane DPS")
    mona = factories.patient("mona", display_name="Mona")
    factories.care_circle(mona, [[bolig], [kommune], [dps]])
    admin = factories.admin("admin")
    return {
        "kari": kari,
        "ola": ola,
        "ingrid": ingrid,
        "silje": silje,
        "bolig": bolig,
        "kommune": kommune,
        "dps": dps,
        "mona": mona,
        "admin": auth.client_for(admin.username),
    }
