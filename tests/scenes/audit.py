"""The audit scene (tests/test_audit.py): a patient, Kari in her bolig team, and
an administrator."""

from __future__ import annotations

import pytest

from nattlys.care_circles.models import TeamKind
from tests.factories import Factories
from tests.scenes.world import NUMBERED_TEAMS, CareCircle, build_care_circle


@pytest.fixture
def people(factories: Factories) -> CareCircle:
    """Kari ("Kari Bolig") in a numbered bolig, Mona, and an administrator; numbered usernames."""
    return build_care_circle(
        factories,
        supporters=("kari",),
        tiers=(TeamKind.bolig,),
        team_names=NUMBERED_TEAMS,
        named=False,
        surname=" Bolig",
        admin=True,
    )
