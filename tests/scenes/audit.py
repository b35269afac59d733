"""The audit scene (tests/test_audit.py): a patient, Kari in her bolig team, and
an administrator."""

from __future__ import annotations

from typing import Any

import pytest

from nattlys.care_circles.models import TeamKind


@pytest.fixture
def people(factories: Any) -> dict[str, Any]:
    kari = factories.supporter(display_name="Kari Bolig")
    patient = factories.patient(display_name="Mona")
    bolig = factories.team(TeamKind.bolig, members=[kari])
    factories.care_circle(patient, [[bolig]])
    return {"kari": kari, "patient": patient, "bolig": bolig, "admin": factories.admin()}
