"""Small truths (issue 12.8): a supporter's proposal to the crisis plan reaches
the patient as a web push that says nothing clinical."""

from __future__ import annotations

from typing import Any

import pytest

from nattlys.push import service as push
from tests.push_double import VAPID, Browser, PushServer, push_server, subscribe  # noqa: F401 - fixtures
from tests.scenes.crisis_plans import MONA_PLAN, PlanCircle, propose, s, saved  # noqa: F401 - s is the fixture


@pytest.fixture
def app(make_app: Any) -> Any:
    return make_app(**VAPID)


def test_a_proposal_pushes_the_patient_a_text_with_nothing_clinical(
    app: Any,
    s: PlanCircle,  # noqa: F811
    push_server: PushServer,  # noqa: F811
) -> None:
    phone = Browser()
    assert subscribe(s.as_mona, push_server.url("mona"), phone).status_code == 201
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    signs = ["Jeg slutter å svare på telefonen"]
    response = propose(s.as_kari, s.mona, 1, {"warning_signs": signs}, note="Selvskading i går")
    assert response.status_code == 201, response.json
    assert push.dispatcher(app).drain(timeout=10)

    [sent] = push_server.requests
    assert phone.decrypt(sent["body"]) == {
        "title": "Du har noe å se på i Nattlys",
        "body": "Åpne Nattlys",
        "tag": "plan-proposal",
        "url": "/#/kriseplan/forslag",
    }


def test_a_refused_proposal_pushes_nothing(
    app: Any,
    s: PlanCircle,  # noqa: F811
    push_server: PushServer,  # noqa: F811
) -> None:
    assert subscribe(s.as_mona, push_server.url("mona"), Browser()).status_code == 201
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    same = propose(s.as_kari, s.mona, 1, {"warning_signs": MONA_PLAN["warning_signs"]})
    assert same.status_code == 400
    assert push.dispatcher(app).drain(timeout=10)
    assert push_server.requests == []
