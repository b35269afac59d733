"""The audit log: reads of a patient's data are recorded, and the patient sees who."""

# The `people` fixture is imported by name; test arguments of that name use it.
# ruff: noqa: F811

from __future__ import annotations

import re
from datetime import UTC
from typing import Any

from sqlmodel import Session, col, delete, func, select

from nattlys import catalogues
from nattlys.accounts.models import User
from nattlys.audit.models import AuditEntry
from tests.scenes.audit import people  # noqa: F401  (the fixture)
from tests.scenes.world import CareCircle


def _entries(db: Session, **where: Any) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(col(AuditEntry.id)).execution_options(populate_existing=True)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, key) == value)
    rows = list(db.exec(stmt).all())
    db.commit()  # end the read (SQLite: it holds the write lock)
    return rows


def _count(db: Session) -> int:
    total = db.exec(select(func.count()).select_from(AuditEntry)).one()
    db.commit()
    return int(total)


def test_a_supporters_read_is_recorded(people: CareCircle, auth: Any, db: Session, clock: Any) -> None:
    kari, patient = people.kari, people.patient
    client = auth.client_for(kari.username)
    clock.advance(minutes=5)
    response = client.get(f"/api/patients/{patient.id}")
    assert response.status_code == 200

    (entry,) = _entries(db, action="patient.read")
    assert entry.actor_id == kari.id
    assert entry.actor_role == "supporter"
    assert entry.patient_id == patient.id
    assert entry.object_type == "patient"
    assert entry.object_id == str(patient.id)
    assert entry.at == clock()
    assert entry.at.tzinfo is not None and entry.at.utcoffset() == UTC.utcoffset(None)
    assert entry.request_id
    assert entry.request_id == response.headers["X-Request-ID"]


def test_a_well_formed_incoming_request_id_is_kept(people: CareCircle, auth: Any, db: Session) -> None:
    client = auth.client_for(people.kari.username)
    response = client.get(f"/api/patients/{people.patient.id}", headers={"X-Request-ID": "nginx-req-0042"})
    assert response.headers["X-Request-ID"] == "nginx-req-0042"
    assert _entries(db, action="patient.read")[0].request_id == "nginx-req-0042"

    bad = client.get(f"/api/patients/{people.patient.id}", headers={"X-Request-ID": "<script>x</script>"})
    assert bad.headers["X-Request-ID"] != "<script>x</script>"
    assert _entries(db, action="patient.read")[1].request_id == bad.headers["X-Request-ID"]


def test_the_patient_sees_who_read_their_data(people: CareCircle, auth: Any) -> None:
    kari, patient = people.kari, people.patient
    auth.client_for(kari.username).get(f"/api/patients/{patient.id}")
    auth.client_for(kari.username).get(f"/api/patients/{patient.id}/care-circle")

    mine = auth.client_for(patient.username).get("/api/me/audit")
    assert mine.status_code == 200
    actions = [e["action"] for e in mine.json]
    assert "patient.read" in actions
    assert "care_circle.read" in actions
    read = next(e for e in mine.json if e["action"] == "patient.read")
    assert read["actor_name"] == "Kari Bolig"
    assert read["actor_team_kinds"] == ["bolig"]
    assert read["actor_role"] == "supporter"
    assert read["patient_id"] == patient.id
    assert "request_id" not in read


def test_the_patients_own_reads_are_not_recorded_or_listed(
    people: CareCircle, auth: Any, db: Session
) -> None:
    patient = people.patient
    client = auth.client_for(patient.username)
    before = _count(db)
    assert client.get(f"/api/patients/{patient.id}").status_code == 200
    assert client.get(f"/api/patients/{patient.id}/care-circle").status_code == 200
    assert _count(db) == before
    assert client.get("/api/me/audit").json == []


def test_the_patient_does_not_see_other_patients_entries(
    people: CareCircle, factories: Any, auth: Any
) -> None:
    other = factories.patient()
    factories.care_circle(other, [[people.bolig]])
    auth.client_for(people.kari.username).get(f"/api/patients/{other.id}")
    assert auth.client_for(people.patient.username).get("/api/me/audit").json == []
    assert len(auth.client_for(other.username).get("/api/me/audit").json) == 1


def test_only_patients_have_a_my_audit_page(people: CareCircle, auth: Any) -> None:
    assert auth.client_for(people.kari.username).get("/api/me/audit").status_code == 403


def test_admin_reviews_the_audit_log_by_patient(people: CareCircle, factories: Any, auth: Any) -> None:
    kari, patient = people.kari, people.patient
    other = factories.patient()
    factories.care_circle(other, [[people.bolig]])
    kari_client = auth.client_for(kari.username)
    kari_client.get(f"/api/patients/{patient.id}")
    kari_client.get(f"/api/patients/{other.id}")

    admin = auth.client_for(people.admin.username)
    response = admin.get(f"/api/audit?patient_id={patient.id}")
    assert response.status_code == 200
    assert response.json
    assert {e["patient_id"] for e in response.json} == {patient.id}
    assert any(e["action"] == "patient.read" and e["actor_id"] == kari.id for e in response.json)

    by_actor = admin.get(f"/api/audit?actor_id={kari.id}").json
    # Besides her own logins (account events, which name no patient).
    assert {e["patient_id"] for e in by_actor if e["object_type"] != "account"} == {patient.id, other.id}

    assert admin.get("/api/audit?patient_id=abc").status_code == 400
    assert kari_client.get(f"/api/audit?patient_id={patient.id}").status_code == 403


def test_a_failed_request_leaves_no_audit_row(people: CareCircle, auth: Any, db: Session) -> None:
    admin = auth.client_for(people.admin.username)
    before = _count(db)
    response = admin.put(
        f"/api/patients/{people.patient.id}/care-circle",
        json={"tiers": [{"team_ids": [people.bolig.id]}, {"team_ids": [987654]}]},
    )
    assert response.status_code == 400
    assert _count(db) == before
    assert _entries(db, action="care_circle.update") == []

    ok = admin.put(
        f"/api/patients/{people.patient.id}/care-circle",
        json={"tiers": [{"team_ids": [people.bolig.id]}]},
    )
    assert ok.status_code == 200
    assert [e.request_id for e in _entries(db, action="care_circle.update")] == [ok.headers["X-Request-ID"]]


def test_a_refused_read_is_not_recorded_as_a_read(
    people: CareCircle, factories: Any, auth: Any, db: Session
) -> None:
    outsider = factories.supporter()
    response = auth.client_for(outsider.username).get(f"/api/patients/{people.patient.id}")
    assert response.status_code == 403
    assert _entries(db, action="patient.read") == []


def test_entries_outlive_a_deleted_staff_account(
    people: CareCircle, factories: Any, auth: Any, db: Session
) -> None:
    """A removed supporter's reads stay on the patient's "who has seen my data"."""
    kari, patient = people.kari, people.patient
    assert auth.client_for(kari.username).get(f"/api/patients/{patient.id}").status_code == 200

    db.execute(delete(User).where(col(User.id) == kari.id))
    db.commit()
    (entry,) = _entries(db, action="patient.read")
    assert entry.actor_id is None  # ON DELETE SET NULL

    mine = auth.client_for(patient.username).get("/api/me/audit").json
    reads = [e for e in mine if e["action"] == "patient.read"]
    assert len(reads) == 1
    assert reads[0]["actor_name"] is None
    assert reads[0]["actor_role"] == "supporter"


def _said(lang: str, key: str, **params: Any) -> str:
    """A catalogue message with its placeholders filled, as the app does."""
    text = catalogues.text(lang, key)
    return re.sub(r"\{(\w+)\}", lambda m: str(params.get(m.group(1), m.group(0))), text)


def _admin_sentence(lang: str, entry: dict[str, Any]) -> str:
    """The admin log's sentence for a row, put together from the catalogues as
    pwa/app/audit/audit-text.js does (sentenceForAdmin)."""
    action = _said(
        lang, f"audit.admin_actions.{entry['action'].replace('.', '_')}", patient=entry["patient_name"]
    )
    facts = []
    for fact in entry["details"]:
        field, value = fact["field"], fact["value"]
        if isinstance(value, list):
            value = ", ".join(catalogues.text(lang, f"plan.sections.{key}") for key in value)
        facts.append(_said(lang, f"audit.details.{field}", value=value))
    return f"{entry['actor_name']} {action} ({'; '.join(facts)})."


def test_the_admin_log_names_the_people_of_a_plan_read_in_both_languages(
    people: CareCircle, auth: Any
) -> None:
    kari, patient = people.kari, people.patient
    assert auth.client_for(kari.username).get(f"/api/patients/{patient.id}/crisis-plan").status_code == 200

    log = auth.client_for(people.admin.username).get(f"/api/audit?patient_id={patient.id}").json
    (read,) = [e for e in log if e["action"] == "crisis_plan.read"]
    assert (read["actor_name"], read["patient_name"], read["reason"]) == ("Kari Bolig", "Mona", None)
    assert [d["field"] for d in read["details"]] == ["version", "sections_shown"]
    assert read["details"][1]["value"]
    for lang, opening in (
        ("nb", "Kari Bolig leste kriseplanen til Mona (versjon "),
        ("en", "Kari Bolig read Mona's crisis plan (version "),
    ):
        sentence = _admin_sentence(lang, read)
        assert sentence.startswith(opening), sentence
        assert catalogues.text(lang, "plan.sections.warning_signs") in sentence
        assert not re.search(r"#\d|\b[a-z]+_[a-z_]+\b|\{", sentence), sentence
