"""The crisis plan scene (tests/test_crisis_plans.py): Mona's circle of three
teams, an outsider, another patient and an administrator, each with a logged-in
client; Mona's plan, and the helpers that save and propose plans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import AuthActions
from tests.factories import Factories
from tests.scenes.world import CareCircle, build_care_circle, extend

MONA_PLAN = {
    "warning_signs": ["Jeg blir urolig og går frem og tilbake", "Jeg sover dårlig"],
    "self_help": ["Ta en varm dusj"],
    "contacts": [{"name": "Lene", "relation": "søster", "phone": "+47 400 00 001"}],
    "meeting": {"wants": "Snakk rolig med meg.", "does_not_help": "Mange spørsmål på en gang."},
}


def url(patient: Any, rest: str = "") -> str:
    return f"/api/patients/{patient.id}/crisis-plan{rest}"


@dataclass(frozen=True, kw_only=True)
class PlanCircle(CareCircle):
    """The circle with a logged-in client (an ApiClient) for each of its
    people. Typed Any, as the tests' other clients are: they read
    `response.json`, which Werkzeug types as optional."""

    as_mona: Any
    as_per: Any
    as_kari: Any
    as_ingrid: Any
    as_silje: Any
    as_outsider: Any
    as_admin: Any


@pytest.fixture
def s(factories: Factories, auth: AuthActions) -> PlanCircle:
    """Mona's circle: Bolig Askøy (Kari), Askøy kommune (Ingrid), Øyane DPS (Silje);
    Utenfor in Bolig Florvåg, Per another patient, an administrator."""
    c = build_care_circle(
        factories,
        supporters=("kari", "ingrid", "silje"),
        outsider=("utenfor", "Utenfor"),
        outsider_team="Bolig Florvåg",
        other_patient="Per",
        admin=True,
    )
    return extend(
        c,
        PlanCircle,
        as_mona=auth.client_for("mona"),
        as_per=auth.client_for("per"),
        as_kari=auth.client_for("kari"),
        as_ingrid=auth.client_for("ingrid"),
        as_silje=auth.client_for("silje"),
        as_outsider=auth.client_for("utenfor"),
        as_admin=auth.client_for(c.admin.username),
    )


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
