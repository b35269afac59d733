"""Need to know (#14.1): check-in answers and the check-in schedule reach only
the supporters on duty for the patient now and her named primary contacts;
anyone else in the circle only through break-glass access (nødtilgang), which
the patient sees at once and an administrator reviews."""

# The `circle` fixture is imported by name; test arguments of that name use it.
# ruff: noqa: F811

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from nattlys.audit.models import AuditEntry
from tests.scenes.need_to_know import (
    OSLO,
    circle,  # noqa: F401  (the fixture)
)
from tests.scenes.world import CareCircle

REASON = "Mona ringte vakttelefonen og er redd; ingen på vakt svarer"
ANSWERS = {
    "pressure": 9,
    "mood": 1,
    "sleep": "poor",
    "self_harm_urge": "strong",
    "suicidal_thoughts": "strong",
}


def _checked_in(auth: Any) -> None:
    sent = auth.client_for("mona").post(
        "/api/checkins", json={"idempotency_key": "need-to-know-1", **ANSWERS}
    )
    assert sent.status_code == 201, sent.json


def _urls(circle: CareCircle) -> dict[str, str]:
    base = f"/api/patients/{circle.mona.id}"
    return {
        "trend": f"{base}/checkins",
        "schedule": f"{base}/checkin-schedule",
        "glass": f"{base}/break-glass",
    }


def test_an_off_duty_supporter_in_the_circle_sees_no_check_in_answers(auth: Any, circle: CareCircle) -> None:
    # Finding (#14): Ola, off duty, read 28-90 days of check-ins with
    # suicidal_thoughts and self_harm_urge, and the schedule.
    _checked_in(auth)
    ola = auth.client_for("ola")
    for name in ("trend", "schedule"):
        refused = ola.get(_urls(circle)[name] + ("?days=90" if name == "trend" else ""))
        assert refused.status_code == 403, (name, refused.json)
        assert refused.json["error"] == "break_glass_available"
        assert "suicidal" not in refused.get_data(as_text=True)
    # Nor through his lists.
    assert ola.get("/api/checkins/tonight").json == []
    assert ola.get("/api/checkins/recently-discharged").json == []
    # Those on duty, and the named primary contact (off duty), do see them.
    for who in ("kari", "silje", "ingrid"):
        items = auth.client_for(who).get(_urls(circle)["trend"]).json["items"]
        assert items[0]["suicidal_thoughts"] == "strong", who
    assert [i["patient_name"] for i in auth.client_for("kari").get("/api/checkins/tonight").json] == ["Mona"]


def test_an_administrator_never_gets_check_ins_nor_break_glass(auth: Any, circle: CareCircle) -> None:
    _checked_in(auth)
    admin = auth.client_for("admin")
    assert admin.get(_urls(circle)["trend"]).status_code == 403
    assert admin.post(_urls(circle)["glass"], json={"reason": REASON}).status_code == 403


def test_break_glass_needs_a_stated_reason(auth: Any, circle: CareCircle, db: Session) -> None:
    ola = auth.client_for("ola")
    for reason in ("", "   ", "trenger", "x" * 501):
        refused = ola.post(_urls(circle)["glass"], json={"reason": reason})
        assert refused.status_code == 400, (reason, refused.json)
    assert ola.post(_urls(circle)["glass"], json={}).status_code == 400
    assert ola.get(_urls(circle)["trend"]).status_code == 403


def test_break_glass_opens_the_check_ins_for_two_hours_and_the_patient_is_told_at_once(
    auth: Any, circle: CareCircle, clock: Any, socket_client: Any, db: Session
) -> None:
    clock.set(datetime(2026, 11, 25, 18, 0, tzinfo=OSLO))  # Ola's night shift starts at 22:00
    _checked_in(auth)
    mona_socket = socket_client(auth.client_for("mona"))
    kari_socket = socket_client(auth.client_for("kari"))
    mona_socket.get_received()
    kari_socket.get_received()
    ola = auth.client_for("ola")
    opened = ola.post(_urls(circle)["glass"], json={"reason": f"  {REASON}  "})
    assert opened.status_code == 201, opened.json
    until = clock() + timedelta(hours=2)
    assert datetime.fromisoformat(opened.json["expires_at"]) == until
    assert opened.json["reason"] == REASON and opened.json["supporter_name"] == "Ola"

    # The patient's open app is told at once; nobody else is.
    live = [r for r in mona_socket.get_received() if r["name"] == "break_glass:opened"]
    assert len(live) == 1 and live[0]["args"][0]["supporter_name"] == "Ola"
    assert live[0]["args"][0]["reason"] == REASON
    assert kari_socket.get_received() == []
    mine = auth.client_for("mona").get("/api/me/break-glass").json
    assert [(m["supporter_name"], m["reason"], m["active"]) for m in mine] == [("Ola", REASON, True)]
    assert mine[0]["supporter_team_kinds"] == ["bolig"]
    assert datetime.fromisoformat(mine[0]["expires_at"]) == until
    assert any(e["action"] == "break_glass.open" for e in auth.client_for("mona").get("/api/me/audit").json)

    # Reading, audited as break-glass; not writing, not chatting.
    trend = ola.get(_urls(circle)["trend"])
    assert trend.status_code == 200 and trend.json["items"][0]["suicidal_thoughts"] == "strong"
    reads = db.exec(
        select(AuditEntry).where(AuditEntry.actor_id == circle.ola.id, AuditEntry.action == "checkin.read")
    ).all()
    db.commit()
    assert [r.details for r in reads] == [{"break_glass": opened.json["id"]}]
    assert ola.get(_urls(circle)["schedule"]).status_code == 200
    assert ola.put(_urls(circle)["schedule"], json={"evening_time": "21:00"}).status_code == 403
    assert ola.get("/api/chat/inbox").json == []
    again = ola.post(_urls(circle)["glass"], json={"reason": REASON})
    assert again.status_code == 409 and again.json["error"] == "already_open"
    # Those who already see the check-ins need no break-glass.
    not_needed = auth.client_for("kari").post(_urls(circle)["glass"], json={"reason": REASON})
    assert not_needed.status_code == 409 and not_needed.json["error"] == "not_needed"

    clock.advance(minutes=119)  # a staff session ends after 30 idle minutes: he logs in again
    assert auth.client_for("ola").get(_urls(circle)["trend"]).status_code == 200
    clock.advance(minutes=1)
    assert auth.client_for("ola").get(_urls(circle)["trend"]).status_code == 403
    assert auth.client_for("mona").get("/api/me/break-glass").json[0]["active"] is False


def test_the_time_limit_is_configurable(
    make_app: Any, factories: Any, circle: CareCircle, clock: Any
) -> None:
    from tests.conftest import AuthActions

    app = make_app(BREAK_GLASS_MINUTES=30)
    ola = AuthActions(app, factories).client_for("ola")
    opened: Any = ola.post(_urls(circle)["glass"], json={"reason": REASON})
    assert datetime.fromisoformat(opened.json["expires_at"]) == clock() + timedelta(minutes=30)


def test_administrators_review_every_break_glass(auth: Any, circle: CareCircle, db: Session) -> None:
    opened = auth.client_for("ola").post(_urls(circle)["glass"], json={"reason": REASON}).json
    admin = auth.client_for("admin")
    listed = admin.get("/api/break-glass?unreviewed=true").json
    assert [(o["id"], o["patient_name"], o["supporter_name"], o["reason"]) for o in listed] == [
        (opened["id"], "Mona", "Ola", REASON)
    ]
    assert "items" not in listed[0] and "suicidal_thoughts" not in str(listed)
    reviewed = admin.post(f"/api/break-glass/{opened['id']}/review", json={"note": "Snakket med Ola"})
    assert reviewed.status_code == 200 and reviewed.json["reviewed_by_name"]
    assert admin.get("/api/break-glass?unreviewed=true").json == []
    assert [o["review_note"] for o in admin.get("/api/break-glass").json] == ["Snakket med Ola"]
    assert admin.post("/api/break-glass/999999/review", json={}).status_code == 404
    rows = db.exec(select(AuditEntry.action).where(col(AuditEntry.action).like("break_glass.%"))).all()
    db.commit()
    assert sorted(set(rows)) == ["break_glass.list", "break_glass.open", "break_glass.review"]


def test_a_chat_still_held_after_the_shift_ended_shows_no_check_in_level(
    auth: Any, factories: Any, circle: CareCircle
) -> None:
    """Ola's night shift ended at 08:00; until the scheduler hands the chat on,
    his inbox still lists it, but without Mona's latest check-in level."""
    factories.conversation(circle.mona, holder=circle.ola)
    _checked_in(auth)
    (item,) = auth.client_for("ola").get("/api/chat/inbox").json
    assert item["patient_name"] == "Mona"
    assert item["latest_checkin_level"] is None and item["latest_checkin_at"] is None
    assert item["tonight_level"] is None
