"""Care circles: tiers in order, primary contacts, team membership and visibility."""

from __future__ import annotations

from typing import Any

import pytest

from nattlys.care_circles.models import TeamKind


@pytest.fixture
def setup(factories: Any, auth: Any) -> dict[str, Any]:
    kari = factories.supporter(display_name="Kari")
    ingrid = factories.supporter(display_name="Ingrid")
    silje = factories.supporter(display_name="Silje")
    bolig = factories.team(TeamKind.bolig, members=[kari], name="Bolig Askøy")
    kommune = factories.team(TeamKind.kommune, members=[ingrid], name="Psykisk helse Askøy")
    dps = factories.team(TeamKind.dps, members=[silje], name="Øyane DPS")
    return {
        "admin": auth.client_for(factories.admin().username),
        "patient": factories.patient(),
        "kari": kari,
        "ingrid": ingrid,
        "silje": silje,
        "bolig": bolig,
        "kommune": kommune,
        "dps": dps,
    }


def _circle_url(patient: Any) -> str:
    return f"/api/patients/{patient.id}/care-circle"


def _shape(body: dict[str, Any]) -> tuple[list[list[int]], list[int]]:
    return (
        [[team["id"] for team in tier["teams"]] for tier in body["tiers"]],
        sorted(c["id"] for c in body["primary_contacts"]),
    )


def _put_three_tiers(s: dict[str, Any]) -> Any:
    return s["admin"].put(
        _circle_url(s["patient"]),
        json={
            "tiers": [
                {"team_ids": [s["bolig"].id], "escalate_after_minutes": 3},
                {"team_ids": [s["kommune"].id], "escalate_after_minutes": 5},
                {"team_ids": [s["dps"].id]},
            ],
            "primary_contact_ids": [s["kari"].id],
        },
    )


def test_admin_sets_tiers_in_order_and_primary_contacts(setup: dict[str, Any]) -> None:
    s = setup
    response = _put_three_tiers(s)
    assert response.status_code == 200, response.json
    expected = ([[s["bolig"].id], [s["kommune"].id], [s["dps"].id]], [s["kari"].id])
    assert _shape(response.json) == expected

    got = s["admin"].get(_circle_url(s["patient"]))
    assert got.status_code == 200
    assert _shape(got.json) == expected
    assert [t["position"] for t in got.json["tiers"]] == [0, 1, 2]
    assert [t["escalate_after_minutes"] for t in got.json["tiers"]] == [3, 5, 3]
    assert [t["teams"][0]["kind"] for t in got.json["tiers"]] == ["bolig", "kommune", "dps"]
    assert got.json["primary_contacts"][0]["display_name"] == "Kari"


def test_the_order_given_is_the_order_kept(setup: dict[str, Any]) -> None:
    s = setup
    order = [s["dps"].id, s["bolig"].id, s["kommune"].id]
    response = s["admin"].put(_circle_url(s["patient"]), json={"tiers": [{"team_ids": [i]} for i in order]})
    assert response.status_code == 200
    assert _shape(s["admin"].get(_circle_url(s["patient"])).json)[0] == [[i] for i in order]


def test_a_put_replaces_the_whole_circle(setup: dict[str, Any]) -> None:
    s = setup
    _put_three_tiers(s)
    response = s["admin"].put(
        _circle_url(s["patient"]), json={"tiers": [{"team_ids": [s["kommune"].id, s["dps"].id]}]}
    )
    assert response.status_code == 200
    tiers, contacts = _shape(s["admin"].get(_circle_url(s["patient"])).json)
    assert [sorted(t) for t in tiers] == [sorted([s["kommune"].id, s["dps"].id])]
    assert contacts == []


@pytest.mark.parametrize(
    ("make_body", "status", "error"),
    [
        (lambda s: {"tiers": [{"team_ids": [s["bolig"].id]}, {"team_ids": [987654]}]}, 400, "unknown_team"),
        (
            lambda s: {"tiers": [{"team_ids": [s["bolig"].id]}], "primary_contact_ids": [s["patient"].id]},
            400,
            "not_supporters",
        ),
        (
            lambda s: {"tiers": [{"team_ids": [s["bolig"].id]}], "primary_contact_ids": [987654]},
            400,
            "not_supporters",
        ),
        (
            lambda s: {"tiers": [{"team_ids": [s["bolig"].id]}, {"team_ids": [s["bolig"].id]}]},
            400,
            "team_repeated",
        ),
        (lambda s: {"tiers": [{"team_ids": [s["dps"].id, s["dps"].id]}]}, 400, "team_repeated"),
        (lambda s: {"tiers": []}, 400, "invalid_input"),
        (lambda s: {"tiers": [{"team_ids": []}]}, 400, "invalid_input"),
    ],
)
def test_a_bad_circle_is_refused_and_nothing_is_half_saved(
    setup: dict[str, Any], make_body: Any, status: int, error: str
) -> None:
    s = setup
    assert _put_three_tiers(s).status_code == 200
    before = s["admin"].get(_circle_url(s["patient"])).json

    response = s["admin"].put(_circle_url(s["patient"]), json=make_body(s))
    assert response.status_code == status
    assert response.json["error"] == error
    assert s["admin"].get(_circle_url(s["patient"])).json == before


def test_only_patients_have_care_circles(setup: dict[str, Any]) -> None:
    s = setup
    response = s["admin"].put(
        f"/api/patients/{s['kari'].id}/care-circle", json={"tiers": [{"team_ids": [s["bolig"].id]}]}
    )
    assert response.status_code == 404


def test_supporters_cannot_change_a_care_circle(setup: dict[str, Any], auth: Any, factories: Any) -> None:
    s = setup
    factories.care_circle(s["patient"], [[s["bolig"]]])
    kari = auth.client_for(s["kari"].username)
    response = kari.put(_circle_url(s["patient"]), json={"tiers": [{"team_ids": [s["dps"].id]}]})
    assert response.status_code == 403
    assert _shape(kari.get(_circle_url(s["patient"])).json)[0] == [[s["bolig"].id]]


def test_team_members_must_be_supporters(setup: dict[str, Any], factories: Any) -> None:
    s = setup
    url = f"/api/teams/{s['bolig'].id}/members"
    for wrong in (s["patient"].id, factories.admin().id, 987654):
        response = s["admin"].put(url, json={"user_ids": [s["ingrid"].id, wrong]})
        assert response.status_code == 400
        assert response.json["error"] == "not_supporters"
    teams = {t["id"]: t for t in s["admin"].get("/api/teams").json}
    assert [m["id"] for m in teams[s["bolig"].id]["members"]] == [s["kari"].id]

    ok = s["admin"].put(url, json={"user_ids": [s["kari"].id, s["ingrid"].id]})
    assert ok.status_code == 200
    assert sorted(m["id"] for m in ok.json["members"]) == sorted([s["kari"].id, s["ingrid"].id])


def test_a_supporter_sees_exactly_the_patients_of_their_circles(
    setup: dict[str, Any], factories: Any, auth: Any
) -> None:
    s = setup
    via_team = factories.patient()
    via_contact = factories.patient()
    elsewhere = factories.patient()
    factories.care_circle(via_team, [[s["kommune"]], [s["bolig"]]])
    factories.care_circle(via_contact, [[s["dps"]]], contacts=[s["kari"]])
    factories.care_circle(elsewhere, [[s["kommune"]], [s["dps"]]])

    kari = auth.client_for(s["kari"].username)
    listed = kari.get("/api/patients")
    assert listed.status_code == 200
    assert sorted(p["id"] for p in listed.json) == sorted([via_team.id, via_contact.id])

    assert kari.get(f"/api/patients/{via_team.id}").status_code == 200
    assert kari.get(f"/api/patients/{via_contact.id}").status_code == 200
    assert kari.get(f"/api/patients/{elsewhere.id}").status_code == 403
    assert kari.get(f"/api/patients/{elsewhere.id}/care-circle").status_code == 403

    teams = kari.get("/api/teams")
    assert teams.status_code == 200
    assert [t["id"] for t in teams.json] == [s["bolig"].id]

    all_patients = s["admin"].get("/api/patients").json
    assert {via_team.id, via_contact.id, elsewhere.id, s["patient"].id} <= {p["id"] for p in all_patients}
    assert len(s["admin"].get("/api/teams").json) == 3


def test_patients_see_their_own_circle_only(setup: dict[str, Any], factories: Any, auth: Any) -> None:
    s = setup
    factories.care_circle(s["patient"], [[s["bolig"]], [s["dps"]]])
    other = factories.patient()
    client = auth.client_for(s["patient"].username)
    own = client.get(_circle_url(s["patient"]))
    assert own.status_code == 200
    assert _shape(own.json)[0] == [[s["bolig"].id], [s["dps"].id]]
    assert client.get(_circle_url(other)).status_code == 403
    assert client.get("/api/patients").status_code == 403
    assert client.get("/api/teams").status_code == 403


def test_a_supporter_removed_from_the_team_loses_access_at_once(
    setup: dict[str, Any], factories: Any, auth: Any
) -> None:
    s = setup
    factories.care_circle(s["patient"], [[s["bolig"]], [s["kommune"]]])
    colleague = factories.supporter()
    kari = auth.client_for(s["kari"].username)
    assert kari.get(f"/api/patients/{s['patient'].id}").status_code == 200

    response = s["admin"].put(f"/api/teams/{s['bolig'].id}/members", json={"user_ids": [colleague.id]})
    assert response.status_code == 200

    # The same logged-in session, no new login needed for the change to bite.
    assert kari.get(f"/api/patients/{s['patient'].id}").status_code == 403
    assert kari.get(_circle_url(s["patient"])).status_code == 403
    assert kari.get("/api/patients").json == []
    assert kari.get("/api/teams").json == []
    assert auth.client_for(colleague.username).get(f"/api/patients/{s['patient'].id}").status_code == 200
