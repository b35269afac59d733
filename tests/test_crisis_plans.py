"""Crisis plans: the patient's own versioned plan, sharing per team kind,
supporters' proposals, and the audit trail the patient can read."""

# The `s` fixture is imported by name; test arguments of that name use it.
# ruff: noqa: F811

from __future__ import annotations

from typing import Any, cast

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from nattlys.audit.models import AuditEntry
from nattlys.care_circles.models import CareTier
from nattlys.plans.models import CrisisPlan, CrisisPlanProposal, CrisisPlanVersion
from tests.scenes.crisis_plans import (
    MONA_PLAN,
    PlanCircle,
    propose,
    s,  # noqa: F401  (the fixture)
    save,
    saved,
    url,
)


def counts(db: Session) -> tuple[int, int, int]:
    out = tuple(
        int(db.exec(select(func.count()).select_from(model)).one())
        for model in (CrisisPlan, CrisisPlanVersion, CrisisPlanProposal)
    )
    db.commit()
    return cast(tuple[int, int, int], out)


# Ownership and versions


def test_a_new_plan_is_empty_with_plain_defaults(s: PlanCircle) -> None:
    plan = s.as_mona.get(url(s.mona)).json
    assert plan["viewer"] == "patient"
    assert plan["version"] == 0 and plan["updated_by"] is None
    assert plan["sections"]["warning_signs"] == []
    assert plan["sections"]["self_referral"] == {
        "has_agreement": False,
        "with_whom": "",
        "how_to_ask": "",
        "max_days": None,
    }
    assert plan["visible_sections"][0] == "warning_signs" and len(plan["visible_sections"]) == 11
    assert plan["offline_enabled"] is True
    assert plan["sharing"]["contacts"] == [] and plan["sharing"]["reasons_to_live"] == []
    assert plan["sharing"]["meeting"] == ["bolig", "kommune", "dps"]
    assert plan["default_sharing"] == plan["sharing"]


def test_patient_edit_makes_a_new_version_with_author_and_keeps_other_sections(s: PlanCircle) -> None:
    first = saved(s.as_mona, s.mona, 0, MONA_PLAN)
    assert first["version"] == 1
    assert first["updated_by"] == {"id": s.mona.id, "display_name": "Mona"}
    assert first["updated_kind"] == "edit"

    second = saved(s.as_mona, s.mona, 1, {"self_help": ["Ta en varm dusj", "Gå en tur langs sjøen"]})
    assert second["version"] == 2
    assert second["sections"]["self_help"] == ["Ta en varm dusj", "Gå en tur langs sjøen"]
    # Sections left out of the request are untouched.
    assert second["sections"]["warning_signs"] == MONA_PLAN["warning_signs"]
    assert second["sections"]["contacts"][0]["phone"] == "+47 400 00 001"

    versions = s.as_mona.get(url(s.mona, "/versions")).json
    assert [(v["number"], v["kind"], v["author"]["display_name"]) for v in versions] == [
        (2, "edit", "Mona"),
        (1, "edit", "Mona"),
    ]


def test_saving_the_same_content_makes_no_new_version(s: PlanCircle) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    again = saved(s.as_mona, s.mona, 1, {"self_help": MONA_PLAN["self_help"]})
    assert again["version"] == 1


def test_a_stale_base_version_is_refused_and_nothing_is_saved(s: PlanCircle, db: Session) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)  # the phone
    # The laptop still shows version 0.
    response = save(s.as_mona, s.mona, 0, {"warning_signs": ["Skrevet på den andre enheten"]})
    assert response.status_code == 409
    assert response.json["error"] == "stale_version"
    assert "current version is 1" in response.json["message"]
    plan = s.as_mona.get(url(s.mona)).json
    assert plan["version"] == 1
    assert plan["sections"]["warning_signs"] == MONA_PLAN["warning_signs"]
    assert counts(db)[1] == 1


@pytest.mark.parametrize(
    ("bad", "loc"),
    [
        ({"safe_surroundings": "x" * 4001}, ["sections", "safe_surroundings"]),
        ({"self_help": ["x" * 301]}, ["sections", "self_help", "0"]),
        ({"reasons_to_live": [f"grunn {n}" for n in range(31)]}, ["sections", "reasons_to_live"]),
        ({"diagnosis": ["F60.3"]}, ["sections", "diagnosis"]),
        ({"contacts": [{"name": "Lene", "phone": "ring meg"}]}, ["sections", "contacts", "0", "phone"]),
        (
            {"contacts": [{"name": "Lene", "phone": "+47 400 00 001 000 000 00"}]},
            ["sections", "contacts", "0", "phone"],
        ),
        (
            {"contacts": [{"name": "Lene", "email": "lene@example.no"}]},
            ["sections", "contacts", "0", "email"],
        ),
        (
            {"who_does_what": [{"role": "politi", "does": "Kommer"}]},
            ["sections", "who_does_what", "0", "role"],
        ),
        (
            {"self_referral": {"has_agreement": True, "max_days": 90}},
            ["sections", "self_referral", "max_days"],
        ),
        ({"meeting": None}, ["sections", "meeting"]),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    s: PlanCircle, db: Session, bad: dict[str, Any], loc: list[str]
) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    # A valid change in the same request must not be saved either.
    response = save(s.as_mona, s.mona, 1, {"warning_signs": ["Ny"], **bad})
    assert response.status_code == 400, response.json
    assert response.json["error"] == "invalid_input"
    assert loc in [f["loc"] for f in response.json["fields"]]
    plan = s.as_mona.get(url(s.mona)).json
    assert plan["version"] == 1
    assert plan["sections"]["warning_signs"] == MONA_PLAN["warning_signs"]
    assert counts(db)[1] == 1


def test_blank_list_items_are_dropped_and_text_trimmed(s: PlanCircle) -> None:
    plan = saved(s.as_mona, s.mona, 0, {"self_help": ["  Strikke ", "", "   "], "safe_surroundings": " Ok "})
    assert plan["sections"]["self_help"] == ["Strikke"]
    assert plan["sections"]["safe_surroundings"] == "Ok"


# Sharing and what supporters see


BOLIG_SEES_THREE = {
    "sharing": {
        "professionals": ["kommune", "dps"],
        "safe_surroundings": ["kommune", "dps"],
        "alternatives_to_admission": ["kommune", "dps"],
        "self_referral": ["dps"],
        "who_does_what": ["kommune", "dps"],
        "contacts": ["dps"],
    }
}


def test_a_bolig_supporter_sees_only_what_is_shared_with_bolig_meeting_first(s: PlanCircle) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    assert s.as_mona.put(url(s.mona, "/sharing"), json=BOLIG_SEES_THREE).status_code == 200

    plan = s.as_kari.get(url(s.mona))
    assert plan.status_code == 200
    plan = plan.json
    assert plan["viewer"] == "supporter"
    assert plan["visible_sections"] == ["meeting", "warning_signs", "self_help"]
    assert plan["sections"]["meeting"]["wants"] == "Snakk rolig med meg."
    assert plan["sections"]["warning_signs"] == MONA_PLAN["warning_signs"]
    for hidden in ("contacts", "professionals", "reasons_to_live", "self_referral", "who_does_what"):
        assert plan["sections"][hidden] is None, hidden
    assert plan["your_team_kinds"] == ["bolig"]
    # The patient's own settings are not the supporter's business.
    assert plan["sharing"] is None and plan["offline_enabled"] is None


def test_a_dps_supporter_sees_only_what_is_shared_with_dps(s: PlanCircle) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    s.as_mona.put(url(s.mona, "/sharing"), json={"sharing": {"self_help": ["bolig"], "contacts": ["dps"]}})

    plan = s.as_silje.get(url(s.mona)).json
    assert plan["visible_sections"][0] == "meeting"
    assert "contacts" in plan["visible_sections"] and "self_help" not in plan["visible_sections"]
    assert plan["sections"]["self_help"] is None
    assert plan["sections"]["contacts"][0]["name"] == "Lene"
    assert "reasons_to_live" not in plan["visible_sections"]  # private by default
    # ... and the bolig supporter the other way round.
    kari = s.as_kari.get(url(s.mona)).json
    assert "self_help" in kari["visible_sections"] and "contacts" not in kari["visible_sections"]


def test_a_named_primary_contact_sees_through_all_their_teams(
    s: PlanCircle, factories: Any, auth: Any
) -> None:
    anne = factories.patient("anne", display_name="Anne")
    factories.care_circle(anne, [[s.bolig]], contacts=[s.silje])  # Silje's DPS team is not in the circle
    as_anne = auth.client_for("anne")
    saved(as_anne, anne, 0, MONA_PLAN)
    as_anne.put(url(anne, "/sharing"), json={"sharing": {"contacts": ["dps"], "self_help": ["bolig"]}})
    plan = s.as_silje.get(url(anne)).json
    assert plan["your_team_kinds"] == ["dps"]
    assert "contacts" in plan["visible_sections"] and "self_help" not in plan["visible_sections"]


def test_outsiders_other_patients_and_administrators_are_refused(s: PlanCircle, db: Session) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    for client in (s.as_outsider, s.as_per, s.as_admin):
        assert client.get(url(s.mona)).status_code == 403
        assert client.get(url(s.mona, "/proposals")).status_code == 403
    # A supporter cannot write the plan directly, nor see its versions.
    assert save(s.as_kari, s.mona, 1, {"self_help": ["x"]}).status_code == 403
    assert s.as_kari.get(url(s.mona, "/versions")).status_code == 403
    # Unknown patient: staff learn it does not exist, a patient only gets 403.
    assert s.as_kari.get("/api/patients/999999/crisis-plan").status_code == 404
    assert s.as_per.get("/api/patients/999999/crisis-plan").status_code == 403
    reads = db.exec(select(AuditEntry).where(AuditEntry.action == "crisis_plan.read")).all()
    assert reads == []


def test_a_supporter_loses_the_plan_when_the_patient_leaves_their_circle(s: PlanCircle, db: Session) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    assert s.as_kari.get(url(s.mona)).status_code == 200
    for tier in db.exec(select(CareTier).where(CareTier.patient_id == s.mona.id)).all():
        db.delete(tier)
    db.commit()
    assert s.as_kari.get(url(s.mona)).status_code == 403


def test_every_supporter_read_is_in_the_patients_audit(s: PlanCircle) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    s.as_mona.put(url(s.mona, "/sharing"), json=BOLIG_SEES_THREE)
    s.as_kari.get(url(s.mona))
    s.as_kari.get(url(s.mona))
    s.as_silje.get(url(s.mona))
    s.as_mona.get(url(s.mona))  # her own reads are not "someone saw my data"

    entries = s.as_mona.get("/api/me/audit").json
    reads = [e for e in entries if e["action"] == "crisis_plan.read"]
    assert [(e["actor_name"], e["actor_team_kinds"]) for e in reads] == [
        ("Silje", ["dps"]),
        ("Kari", ["bolig"]),
        ("Kari", ["bolig"]),
    ]

    def shown(entry: dict[str, Any]) -> list[str]:
        return next(d["value"] for d in entry["details"] if d["field"] == "sections_shown")

    assert shown(reads[-1])[:3] == ["meeting", "warning_signs", "self_help"]
    assert "contacts" not in shown(reads[-1])
    assert "contacts" in shown(reads[0])
    assert all(e["object_type"] == "crisis_plan" and e["patient_id"] == s.mona.id for e in reads)


def test_sharing_changes_are_audited_and_are_not_content_versions(s: PlanCircle, db: Session) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    assert "contacts" not in s.as_kari.get(url(s.mona)).json["visible_sections"]

    response = s.as_mona.put(
        url(s.mona, "/sharing"),
        json={"sharing": {"contacts": ["bolig", "bolig"]}, "offline_enabled": False},
    )
    assert response.status_code == 200, response.json
    assert response.json["sharing"]["contacts"] == ["bolig"]
    assert response.json["default_sharing"]["contacts"] == []
    assert response.json["offline_enabled"] is False

    plan = s.as_mona.get(url(s.mona)).json
    assert plan["version"] == 1 and plan["offline_enabled"] is False
    assert "contacts" in s.as_kari.get(url(s.mona)).json["visible_sections"]
    row = db.exec(select(AuditEntry).where(AuditEntry.action == "crisis_plan.sharing")).one()
    assert row.actor_id == s.mona.id and row.patient_id == s.mona.id
    assert row.details == {"sections_changed": ["contacts"], "offline_copy": "off"}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"sharing": {"diagnosis": ["dps"]}}, ["sharing", "diagnosis", "[key]"]),
        ({"sharing": {"meeting": ["politi"]}}, ["sharing", "meeting", "0"]),
        ({"offline": True}, ["offline"]),
    ],
)
def test_bad_sharing_is_refused(s: PlanCircle, body: dict[str, Any], loc: list[str]) -> None:
    response = s.as_mona.put(url(s.mona, "/sharing"), json=body)
    assert response.status_code == 400
    assert loc in [f["loc"] for f in response.json["fields"]]
    assert s.as_mona.get(url(s.mona)).json["sharing"]["meeting"] == ["bolig", "kommune", "dps"]


# Proposals


def test_a_proposal_takes_effect_only_when_the_patient_approves(s: PlanCircle) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    response = propose(
        s.as_kari,
        s.mona,
        1,
        {"warning_signs": ["Jeg blir urolig og går frem og tilbake", "Jeg slutter å svare på telefonen"]},
        note="Fra samtalen i går kveld",
    )
    assert response.status_code == 201, response.json
    proposal = response.json
    assert proposal["status"] == "pending" and proposal["author"]["display_name"] == "Kari"
    assert proposal["author_team_kinds"] == ["bolig"]
    [change] = proposal["diff"]
    assert change["section"] == "warning_signs"
    assert change["added"] == ["Jeg slutter å svare på telefonen"]
    assert change["removed"] == ["Jeg sover dårlig"]

    # Not applied yet.
    plan = s.as_mona.get(url(s.mona)).json
    assert plan["version"] == 1 and plan["sections"]["warning_signs"] == MONA_PLAN["warning_signs"]
    assert plan["pending_proposals"] == 1
    listed = s.as_mona.get(url(s.mona, "/proposals")).json
    assert [p["id"] for p in listed] == [proposal["id"]] and listed[0]["diff"] == proposal["diff"]

    approved = s.as_mona.post(url(s.mona, f"/proposals/{proposal['id']}/approve"), json={"base_version": 1})
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "approved" and approved.json["resulting_version"] == 2
    plan = s.as_mona.get(url(s.mona)).json
    assert plan["version"] == 2 and plan["updated_kind"] == "approved_proposal"
    assert "Jeg slutter å svare på telefonen" in plan["sections"]["warning_signs"]
    assert plan["pending_proposals"] == 0
    latest = s.as_mona.get(url(s.mona, "/versions")).json[0]
    assert latest["kind"] == "approved_proposal"
    assert latest["author"]["display_name"] == "Kari" and latest["decided_by"]["display_name"] == "Mona"
    assert latest["proposal_id"] == proposal["id"] and latest["note"] == "Fra samtalen i går kveld"

    again = s.as_mona.post(url(s.mona, f"/proposals/{proposal['id']}/approve"), json={"base_version": 2})
    assert again.status_code == 409 and again.json["error"] == "proposal_closed"


def _agree(client: Any, patient: Any, proposal_id: int, base: int, note: str = "Ansvarsgruppemøte") -> Any:
    return client.post(
        url(patient, f"/proposals/{proposal_id}/agree-in-meeting"), json={"base_version": base, "note": note}
    )


def test_a_supporter_alone_cannot_change_the_plan_by_saying_it_was_agreed_in_a_meeting(
    s: PlanCircle,
) -> None:
    # Finding (#14): Kari proposed "Ring Kari privat" and recorded it as agreed
    # in a meeting herself; the plan moved to a new version without Mona.
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    proposal = propose(s.as_kari, s.mona, 1, {"self_help": ["Ring Kari privat på 900 00 000"]}).json
    response = _agree(s.as_kari, s.mona, proposal["id"], 1)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "awaiting_confirmation"
    assert response.json["meeting_recorded_by"]["display_name"] == "Kari"
    plan = s.as_mona.get(url(s.mona)).json
    assert plan["version"] == 1 and plan["sections"]["self_help"] == MONA_PLAN["self_help"]
    assert plan["pending_proposals"] == 1  # Mona sees it waiting for her confirmation
    # Nor can she co-sign her own agreement.
    alone = s.as_kari.post(url(s.mona, f"/proposals/{proposal['id']}/co-sign"), json={"base_version": 1})
    assert alone.status_code == 403 and alone.json["error"] == "second_person_needed"
    assert s.as_mona.get(url(s.mona)).json["version"] == 1


def test_agreed_in_a_meeting_takes_effect_when_a_second_supporter_co_signs(s: PlanCircle) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    proposal = propose(s.as_kari, s.mona, 1, {"meeting": {"wants": "Sett deg ned og snakk rolig."}}).json
    response = _agree(s.as_ingrid, s.mona, proposal["id"], 1, "Ansvarsgruppemøte med Mona, Kari og Ingrid")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "awaiting_confirmation"
    assert response.json["decision_note"] == "Ansvarsgruppemøte med Mona, Kari og Ingrid"
    co_sign = url(s.mona, f"/proposals/{proposal['id']}/co-sign")
    # Neither the author nor the one who recorded it is a second person.
    for who in ("as_kari", "as_ingrid"):
        refused = getattr(s, who).post(co_sign, json={"base_version": 1})
        assert refused.status_code == 403 and refused.json["error"] == "second_person_needed", who
    assert s.as_outsider.post(co_sign, json={"base_version": 1}).status_code == 403
    assert s.as_admin.post(co_sign, json={"base_version": 1}).status_code == 403

    signed = s.as_silje.post(co_sign, json={"base_version": 1})
    assert signed.status_code == 200, signed.json
    assert signed.json["status"] == "agreed_in_meeting"
    assert signed.json["decided_by"]["display_name"] == "Silje"
    assert signed.json["meeting_recorded_by"]["display_name"] == "Ingrid"

    plan = s.as_mona.get(url(s.mona)).json
    assert plan["version"] == 2 and plan["updated_kind"] == "agreed_in_meeting"
    assert plan["sections"]["meeting"] == {"wants": "Sett deg ned og snakk rolig.", "does_not_help": ""}
    latest = s.as_mona.get(url(s.mona, "/versions/2")).json
    assert latest["kind"] == "agreed_in_meeting" and latest["note"].startswith("Ansvarsgruppemøte")
    assert latest["decided_by"]["display_name"] == "Silje"
    actions = [e["action"] for e in s.as_mona.get("/api/me/audit").json]
    for action in ("crisis_plan.propose", "crisis_plan.agreed_in_meeting", "crisis_plan.co_sign"):
        assert action in actions
    again = s.as_silje.post(co_sign, json={"base_version": 2})
    assert again.status_code == 409 and again.json["error"] == "proposal_closed"
    # The patient herself cannot record a meeting agreement; she approves instead.
    other = propose(s.as_kari, s.mona, 2, {"self_help": ["Strikke"]}).json
    assert _agree(s.as_mona, s.mona, other["id"], 2, "Møte").status_code == 403


def test_the_patient_confirms_a_meeting_agreement_in_the_app(s: PlanCircle) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    proposal = propose(s.as_kari, s.mona, 1, {"self_help": ["Gå en tur med hunden"]}).json
    assert _agree(s.as_kari, s.mona, proposal["id"], 1, "Møte hos DPS 3. mars").status_code == 200
    waiting = s.as_mona.get(url(s.mona, "/proposals")).json
    assert [(p["id"], p["status"]) for p in waiting] == [(proposal["id"], "awaiting_confirmation")]
    confirmed = s.as_mona.post(url(s.mona, f"/proposals/{proposal['id']}/approve"), json={"base_version": 1})
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["status"] == "agreed_in_meeting"
    assert confirmed.json["decided_by"]["display_name"] == "Mona"
    latest = s.as_mona.get(url(s.mona, "/versions/2")).json
    assert latest["kind"] == "agreed_in_meeting" and latest["note"] == "Møte hos DPS 3. mars"
    # Or she says no: the plan stays as it was.
    other = propose(s.as_kari, s.mona, 2, {"self_help": ["Noe annet"]}).json
    assert _agree(s.as_kari, s.mona, other["id"], 2).status_code == 200
    assert s.as_mona.post(url(s.mona, f"/proposals/{other['id']}/reject")).json["status"] == "rejected"
    assert s.as_mona.get(url(s.mona)).json["version"] == 2


def test_rejecting_leaves_the_plan_unchanged(s: PlanCircle, db: Session) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    proposal = propose(s.as_kari, s.mona, 1, {"self_help": ["Ta medisin"]}).json
    response = s.as_mona.post(url(s.mona, f"/proposals/{proposal['id']}/reject"))
    assert response.status_code == 200
    assert response.json["status"] == "rejected" and response.json["decided_by"]["display_name"] == "Mona"
    plan = s.as_mona.get(url(s.mona)).json
    assert plan["version"] == 1 and plan["sections"]["self_help"] == MONA_PLAN["self_help"]
    assert counts(db)[1] == 1
    late = s.as_ingrid.post(
        url(s.mona, f"/proposals/{proposal['id']}/agree-in-meeting"),
        json={"base_version": 1, "note": "Møte"},
    )
    assert late.status_code == 409


def test_a_proposal_on_a_section_not_shared_with_the_supporter_is_refused(s: PlanCircle, db: Session) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    response = propose(
        s.as_kari,
        s.mona,
        1,
        {"self_help": ["Strikke"], "contacts": [{"name": "Kari", "phone": "12345678"}]},
    )
    assert response.status_code == 403
    assert response.json["error"] == "section_not_shared"
    assert "contacts" in response.json["message"] and "self_help" not in response.json["message"]
    assert counts(db)[2] == 0


def test_supporters_only_see_proposals_on_sections_shared_with_them(s: PlanCircle) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    s.as_mona.put(url(s.mona, "/sharing"), json={"sharing": {"contacts": ["dps"]}})
    by_silje = propose(s.as_silje, s.mona, 1, {"contacts": [{"name": "Lene", "phone": "+47 400 00 009"}]})
    assert by_silje.status_code == 201
    by_kari = propose(s.as_kari, s.mona, 1, {"self_help": ["Strikke"]})
    assert [p["id"] for p in s.as_kari.get(url(s.mona, "/proposals")).json] == [by_kari.json["id"]]
    assert len(s.as_silje.get(url(s.mona, "/proposals")).json) == 2
    assert len(s.as_mona.get(url(s.mona, "/proposals")).json) == 2
    # Kari cannot record Silje's proposal on a section hidden from her.
    refused = s.as_kari.post(
        url(s.mona, f"/proposals/{by_silje.json['id']}/agree-in-meeting"),
        json={"base_version": 1, "note": "Møte"},
    )
    assert refused.status_code == 403


def test_a_proposal_never_silently_overwrites_a_newer_plan(s: PlanCircle) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    assert propose(s.as_kari, s.mona, 0, {"self_help": ["Strikke"]}).status_code == 409
    proposal = propose(s.as_kari, s.mona, 1, {"self_help": ["Strikke"]}).json
    saved(s.as_mona, s.mona, 1, {"self_help": ["Ta en varm dusj", "Ringe Lene"]})

    listed = s.as_mona.get(url(s.mona, "/proposals")).json[0]
    assert listed["conflicts"] == ["self_help"]  # she changed it after Kari wrote the proposal
    assert listed["diff"][0]["removed"] == ["Ta en varm dusj", "Ringe Lene"]
    # Approving against what she saw before her own edit is refused.
    stale = s.as_mona.post(url(s.mona, f"/proposals/{proposal['id']}/approve"), json={"base_version": 1})
    assert stale.status_code == 409 and stale.json["error"] == "stale_version"
    assert s.as_mona.get(url(s.mona, "/proposals")).json[0]["status"] == "pending"


def test_a_proposal_must_change_something(s: PlanCircle) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    same = propose(s.as_kari, s.mona, 1, {"self_help": MONA_PLAN["self_help"]})
    assert same.status_code == 400 and same.json["error"] == "no_change"
    empty = propose(s.as_kari, s.mona, 1, {})
    assert empty.status_code == 400 and ["sections"] in [f["loc"] for f in empty.json["fields"]]


# Versions, diffs and restore


def test_a_version_shows_a_readable_diff_against_the_one_before(s: PlanCircle) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    saved(
        s.as_mona,
        s.mona,
        1,
        {
            "warning_signs": ["Jeg blir urolig og går frem og tilbake", "Jeg slutter å spise"],
            "contacts": [{"name": "Lene", "relation": "søster", "phone": "+47 400 00 099"}],
            "meeting": {"wants": "Sett deg ned.", "does_not_help": "Mange spørsmål på en gang."},
            "safe_surroundings": "Medisinene ligger i låst skap.",
        },
    )
    detail = s.as_mona.get(url(s.mona, "/versions/2")).json
    assert detail["number"] == 2 and detail["previous_number"] == 1
    diff = {d["section"]: d for d in detail["diff"]}
    assert list(diff) == ["warning_signs", "contacts", "safe_surroundings", "meeting"]
    assert diff["warning_signs"]["added"] == ["Jeg slutter å spise"]
    assert diff["warning_signs"]["removed"] == ["Jeg sover dårlig"]
    assert diff["contacts"]["added"] == [] and diff["contacts"]["removed"] == []
    assert diff["contacts"]["changed"][0]["before"]["phone"] == "+47 400 00 001"
    assert diff["contacts"]["changed"][0]["after"]["phone"] == "+47 400 00 099"
    assert diff["meeting"]["changed"] == [
        {"field": "wants", "before": "Snakk rolig med meg.", "after": "Sett deg ned."}
    ]
    assert diff["safe_surroundings"]["changed"] == [
        {"field": None, "before": "", "after": "Medisinene ligger i låst skap."}
    ]
    assert detail["sections"]["safe_surroundings"] == "Medisinene ligger i låst skap."

    first = s.as_mona.get(url(s.mona, "/versions/1")).json
    assert first["previous_number"] is None
    assert {d["section"] for d in first["diff"]} == {"warning_signs", "self_help", "contacts", "meeting"}
    assert s.as_mona.get(url(s.mona, "/versions/3")).status_code == 404
    assert s.as_mona.get(url(s.mona, "/versions/0")).status_code == 404


def test_reordering_a_list_is_shown_as_reordered(s: PlanCircle) -> None:
    saved(s.as_mona, s.mona, 0, {"self_help": ["a", "b"]})
    saved(s.as_mona, s.mona, 1, {"self_help": ["b", "a"]})
    [change] = s.as_mona.get(url(s.mona, "/versions/2")).json["diff"]
    assert change["reordered"] is True and change["added"] == [] and change["removed"] == []


def test_restoring_an_old_version_makes_a_new_version(s: PlanCircle) -> None:
    saved(s.as_mona, s.mona, 0, MONA_PLAN)
    saved(s.as_mona, s.mona, 1, {"warning_signs": [], "self_help": ["Noe annet"]})

    stale = s.as_mona.post(url(s.mona, "/versions/1/restore"), json={"base_version": 1})
    assert stale.status_code == 409
    response = s.as_mona.post(url(s.mona, "/versions/1/restore"), json={"base_version": 2})
    assert response.status_code == 200, response.json
    plan = response.json
    assert plan["version"] == 3 and plan["updated_kind"] == "restore"
    assert plan["sections"]["warning_signs"] == MONA_PLAN["warning_signs"]
    assert plan["sections"]["self_help"] == MONA_PLAN["self_help"]
    latest = s.as_mona.get(url(s.mona, "/versions")).json[0]
    assert latest["number"] == 3 and latest["kind"] == "restore" and latest["restored_from"] == 1
    assert s.as_mona.post(url(s.mona, "/versions/9/restore"), json={"base_version": 3}).status_code == 404


# Demo


DEMO_PASSWORD = "demo-passord-123"


def test_demo_plans_exist_and_the_demo_stays_idempotent(
    runner: Any, db: Session, app: Any, auth: Any
) -> None:
    first = runner.invoke(args=["demo", "--password", DEMO_PASSWORD])
    assert first.exit_code == 0, first.output
    after_first = counts(db)
    second = runner.invoke(args=["demo", "--password", DEMO_PASSWORD])
    assert second.exit_code == 0, second.output
    assert counts(db) == after_first

    from nattlys.accounts.models import User

    users = {u.username: u for u in db.exec(select(User)).all()}
    plans = {p.patient_id: p for p in db.exec(select(CrisisPlan)).all()}
    patients = [users[f"pasient{n}"] for n in range(1, 6)]
    assert all(p.id in plans and plans[p.id].current_version >= 1 for p in patients)
    # Different sharing choices.
    assert len({repr(sorted(plans[p.id].sharing.items())) for p in patients}) == 5
    assert plans[users["pasient3"].id].offline_enabled is False
    db.commit()  # end the read (SQLite: it holds the write lock)

    client = app.test_client()
    auth.login(client, "bolig1", DEMO_PASSWORD)
    mona = users["pasient1"]
    plan = client.get(url(mona)).json
    assert plan["visible_sections"] == ["meeting", "warning_signs", "self_help"]
    assert "Jeg blir urolig og går frem og tilbake" in plan["sections"]["warning_signs"]
    assert plan["sections"]["self_help"][0] == "Gå en tur langs sjøen"

    as_mona = app.test_client()
    auth.login(as_mona, "pasient1", DEMO_PASSWORD)
    versions = as_mona.get(url(mona, "/versions")).json
    assert [v["number"] for v in versions] == [2, 1]
    assert as_mona.get(url(mona, "/versions/2")).json["diff"][0]["added"] == ["Gå en tur langs sjøen"]
    tel = as_mona.get(url(mona)).json["sections"]["contacts"]
    assert tel and all(c["phone"] for c in tel)
