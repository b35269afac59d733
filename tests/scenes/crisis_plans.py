"""The crisis plan scene (tests/test_crisis_plans.py): Mona's circle of three
teams, an outsider, another patient and an administrator, each with a logged-in
client; Mona's plan, and the helpers that save and propose plans."""

from __future__ import annotations

from typing import Any

import pytest

from nattlys.care_circles.models import TeamKind

MONA_PLAN = {
    "warning_signs": ["Jeg blir urolig og går frem og tilbake", "Jeg sover dårlig"],
    "self_help": ["Ta en varm dusj"],
    "contacts": [{"name": "Lene", "relation": "søster", "phone": "+47 400 00 001"}],
    "meeting": {"wants": "Snakk rolig med meg.", "does_not_help": "Mange spørsmål på en gang."},
}


def url(patient: Any, rest: str = "") -> str:
    return f"/api/patients/{patient.id}/crisis-plan{rest}"


@pytest.fixture
def s(factories: Any, auth: Any) -> dict[str, Any]:
    """Mona's circle: Bolig Askøy (Kari), Askøy kommune (Ingrid), Øyane DPS (Silje)."""
    kari = factories.supporter("kari", display_name="Kari")
    ingrid = factories.supporter("ingrid", display_name="Ingrid")
    silje = factories.supporter("silje", display_name="Silje")
    outsider = factories.supporter("utenfor", display_name="Utenfor")
    bolig = factories.team(TeamKind.bolig, members=[kari], name="Bolig Askøy")
    kommune = factories.team(TeamKind.kommune, members=[ingrid], name="Askøy kommune")
    dps = factories.team(TeamKind.dps, members=[silje], name="Øyane DPS")
    factories.team(TeamKind.bolig, members=[outsider], name="Bolig Florvåg")
    mona = factories.patient("mona", display_name="Mona")
    per = factories.patient("per", display_name="Per")
    factories.care_circle(mona, [[bolig], [kommune], [dps]])
    admin = factories.admin("admin")
    return {
        "mona": mona,
        "per": per,
        "kari": kari,
        "silje": silje,
        "outsider": outsider,
        "bolig": bolig,
        "kommune": kommune,
        "dps": dps,
        "as_mona": auth.client_for("mona"),
        "as_per": auth.client_for("per"),
        "as_kari": auth.client_for("kari"),
        "as_ingrid": auth.client_for("ingrid"),
        "as_silje": auth.client_for("silje"),
        "as_outsider": auth.client_for("utenfor"),
        "as_admin": auth.client_for(admin.username),
    }


def save(client: Any, patient: Any, base: int, sections: dict[str, Any], **extra: Any) -> Any:
    return client.put(url(patient), json={"base_version": base, "sections": sections, **extra})


def saved(client: Any, patient: Any, base: int, sections: dict[str, Any]) -> dict[str, Any]:
    response = save(client, patient, base, sections)
    assert response.status_code == 200, response.json
    return response.json


def propose(client: Any, patient: Any, base: int, sections: dict[str, Any], note: str = "") -> Any:
    return client.post(
        url(patient, "/proposals"), json={"base_version": base, "sections": sections, "note": note}
    )
