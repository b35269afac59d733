"""The need-to-know scene (tests/test_need_to_know.py): Mona's circle with its
rosters published, Ingrid her named primary contact, discharged on 20
November; Wednesday 20:00."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from nattlys.care_circles.models import TeamKind

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def circle(factories: Any, clock: Any) -> dict[str, Any]:
    """Mona: bolig (Kari 08-22, Ola 22-08) -> DPS (Silje round the clock);
    Ingrid (kommune, days) is her named primary contact. Wednesday 20:00."""
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=OSLO))
    kari = factories.supporter("kari", display_name="Kari")
    ola = factories.supporter("ola", display_name="Ola")
    silje = factories.supporter("silje", display_name="Silje")
    ingrid = factories.supporter("ingrid", display_name="Ingrid")
    bolig = factories.team(TeamKind.bolig, members=[kari, ola], name="Bolig Askøy")
    dps = factories.team(TeamKind.dps, members=[silje], name="Øyane DPS")
    factories.team(TeamKind.kommune, members=[ingrid], name="Askøy kommune")
    mona = factories.patient("mona", display_name="Mona")
    factories.care_circle(mona, [[bolig], [dps]], contacts=[ingrid])
    factories.published_roster(
        bolig, [([kari], [("08:00", "22:00", False)]), ([ola], [("22:00", "08:00", True)])]
    )
    factories.published_roster(dps, [([silje], [("00:00", "00:00", True)])])
    factories.discharge(mona, date(2026, 11, 20), by=kari)
    factories.admin("admin")
    return {"mona": mona, "kari": kari, "ola": ola, "silje": silje, "ingrid": ingrid, "bolig": bolig}
