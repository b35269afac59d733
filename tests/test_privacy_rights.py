"""The patient's rights: a copy of everything (JSON and a readable page), and
deletion after the waiting period, carried out by the scheduler job; every
export and deletion audited."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlmodel import col

from nattlys.accounts.models import User
from nattlys.audit.models import AuditEntry
from nattlys.db import get_db, get_engine
from nattlys.privacy import deletion
from nattlys.privacy.holdings import KEPT_TABLES, owned_tables
from tests.clinical_markers import MARKERS, write_clinical_markers


def _rows(db: Any, patient_id: int) -> dict[str, int]:
    counts = {}
    for table, condition in owned_tables(patient_id):
        counts[table.name] = db.execute(select(func.count()).select_from(table).where(condition)).scalar_one()
    db.commit()
    return {k: v for k, v in counts.items() if v}


def _actions(db: Any, patient_id: int) -> list[str]:
    rows = (
        db.execute(select(col(AuditEntry.action)).where(col(AuditEntry.patient_id) == patient_id))
        .scalars()
        .all()
    )
    db.commit()
    return list(rows)


def test_the_patient_downloads_everything_as_json_and_a_readable_page(
    app: Any, auth: Any, factories: Any, db: Any
) -> None:
    patient = write_clinical_markers(factories, auth, db)
    other = write_clinical_markers(factories, auth, db, username="annen")
    client = auth.client_for(patient.username)

    response = client.post("/api/me/export", json={"format": "json"})
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    copy = json.loads(response.get_data(as_text=True))
    dumped = json.dumps(copy, ensure_ascii=False)
    for kind, marker in MARKERS.items():
        assert marker in dumped, kind
    assert [u["id"] for u in copy["tables"]["users"]] == [patient.id]
    assert "password_hash" not in copy["tables"]["users"][0]
    assert other.id not in {c["patient_id"] for c in copy["tables"]["checkins"]}
    # Names only of the people in her rows: herself and the supporter who proposed.
    supporter_id = db.execute(select(col(User.id)).where(col(User.username) == "marker-stotte")).scalar_one()
    db.commit()
    assert {int(uid) for uid in copy["people"]} == {patient.id, supporter_id}
    assert "csrf_token" not in dumped and '"token_hash"' not in dumped
    assert {m["conversation_id"] for m in copy["tables"]["messages"]} == {
        c["id"] for c in copy["tables"]["conversations"]
    }

    page = client.post("/api/me/export", json={"format": "html", "lang": "nb"})
    html = page.get_data(as_text=True)
    assert page.mimetype == "text/html"
    for heading in ("Kriseplanen din", "Innsjekkinger", "Chat", "Hvem har sett eller endret dataene dine"):
        assert heading in html
    assert MARKERS["chat"] in html and MARKERS["plan"] in html and MARKERS["checkin_note"] in html
    english = client.post("/api/me/export", json={"format": "html", "lang": "en"}).get_data(as_text=True)
    assert "Your crisis plan" in english

    assert _actions(db, patient.id).count("patient.export") == 3
    staff = auth.client_for("marker-stotte")
    assert staff.post("/api/me/export", json={"format": "json"}).status_code == 403


def test_script_in_the_data_is_text_on_the_readable_page(app: Any, auth: Any, factories: Any) -> None:
    factories.patient("mona")
    client = auth.client_for("mona")
    sent = client.post(
        "/api/chat/messages", json={"client_id": "xss-client-0001", "body": "<script>alert(1)</script>"}
    )
    assert sent.status_code == 201, sent.json
    html = client.post("/api/me/export", json={"format": "html"}).get_data(as_text=True)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_deletion_waits_can_be_withdrawn_and_is_carried_out_by_the_scheduler(
    app: Any, auth: Any, factories: Any, db: Any, clock: Any
) -> None:
    patient = write_clinical_markers(factories, auth, db)
    bystander = write_clinical_markers(factories, auth, db, username="annen")
    before_other = _rows(db, bystander.id)
    client = auth.client_for(patient.username)

    asked = client.post("/api/me/deletion", json={"confirm": True})
    assert asked.status_code == 201 and asked.json["pending"] is True and asked.json["waiting_days"] == 7
    due = asked.json["due_at"]
    assert client.post("/api/me/deletion", json={"confirm": True}).json["due_at"] == due, (
        "asking again keeps the date"
    )
    assert client.post("/api/me/deletion", json={}).status_code == 400

    # Withdrawn: nothing happens even long after.
    assert client.delete("/api/me/deletion").status_code == 204
    assert client.get("/api/me/deletion").json["pending"] is False
    clock.advance(days=8)
    with app.app_context():
        assert deletion.carry_out_due(get_db(), at=clock()) == 0

    # Asked again: the waiting period runs; one day early nothing is deleted.
    client.post("/api/me/deletion", json={"confirm": True})
    clock.advance(days=6, hours=23)
    with app.app_context():
        assert deletion.carry_out_due(get_db(), at=clock()) == 0
    assert client.get("/api/chat/conversation").status_code == 200, "she can use the app while it waits"

    clock.advance(hours=2)
    from nattlys.scheduler import privacy_deletions

    with app.app_context():
        privacy_deletions()

    # What remains: the anonymised account row, the access log and the request.
    left = _rows(db, patient.id)
    assert set(left) <= KEPT_TABLES, left
    assert left["users"] == 1 and left["audit_entries"] > 0
    user = db.get(User, patient.id)
    db.refresh(user)
    assert user.username == user.display_name == f"slettet-{patient.id}"
    assert user.is_active is False and user.password_hash is None
    db.commit()
    assert client.get("/api/chat/conversation").status_code == 401, "her sessions are gone"
    actions = _actions(db, patient.id)
    for action in ("patient.deletion_request", "patient.deletion_withdraw", "patient.erase"):
        assert action in actions
    log_text = db.execute(text("SELECT action, object_type, reason, details FROM audit_entries")).all()
    db.commit()
    assert not any(m in str(log_text) for m in MARKERS.values()), "the kept log holds no clinical text"
    # Nobody else lost anything.
    assert _rows(db, bystander.id) == before_other


def test_an_erased_patient_leaves_no_trace_in_the_sqlite_file_or_wal(
    app: Any, auth: Any, factories: Any, db: Any, clock: Any
) -> None:
    url = get_engine(app).url
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite file bytes; PostgreSQL reclaims dead rows by (auto)vacuum")
    patient = write_clinical_markers(factories, auth, db, username="spor-etter-meg")
    db.get(User, patient.id).display_name = "Unikt-Navn-Som-Skal-Bort"
    db.commit()
    auth.client_for(patient.username).post("/api/me/deletion", json={"confirm": True})
    clock.advance(days=7, minutes=1)
    with app.app_context():
        assert deletion.carry_out_due(get_db(), at=clock()) == 1
    path = Path(url.database or "")
    wal = path.with_name(path.name + "-wal")
    raw = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert b"Unikt-Navn-Som-Skal-Bort" not in raw


def test_a_deletion_is_carried_out_once_whoever_runs_the_job(
    app: Any, auth: Any, factories: Any, db: Any, clock: Any
) -> None:
    patient = write_clinical_markers(factories, auth, db)
    auth.client_for(patient.username).post("/api/me/deletion", json={"confirm": True})
    clock.advance(days=7, minutes=1)
    with app.app_context():
        assert deletion.carry_out_due(get_db(), at=clock()) == 1
        assert deletion.carry_out_due(get_db(), at=clock() + timedelta(days=1)) == 0
    assert _actions(db, patient.id).count("patient.erase") == 1
