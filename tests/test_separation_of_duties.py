"""Separation of duties (#14.2): no one on staff changes what protects a
patient alone, and chats never stay with someone who is no longer there.
Mona's circle is test_need_to_know.py's: Kari (bolig, 08-22), Ola (bolig,
22-08), Silje (DPS, round the clock), Ingrid (primary contact, kommune days).

Plan changes "agreed in a meeting" are tested in test_crisis_plans.py."""

# The `circle` fixture of test_need_to_know.py is reused as is.
# ruff: noqa: F811

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.scenes.need_to_know import circle  # noqa: F401
from tests.scenes.world import CareCircle


def cid() -> str:
    return uuid.uuid4().hex


# --- the check-in safety net -------------------------------------------------------------

SCHEDULE_ON = {"evening_time": "20:30", "after_missed": "tell_on_duty"}


def _schedule_url(circle: CareCircle) -> str:
    return f"/api/patients/{circle.mona.id}/checkin-schedule"


@pytest.mark.parametrize(
    "change",
    [
        {**SCHEDULE_ON, "enabled": False, "after_missed": "nothing"},  # the finding in #14
        {**SCHEDULE_ON, "enabled": False},
        {**SCHEDULE_ON, "after_missed": "nothing"},
    ],
    ids=["off-and-nothing", "off", "nothing-after-missed"],
)
def test_a_supporter_on_duty_cannot_lower_the_check_in_safety_net(
    auth: Any, circle: CareCircle, change: dict[str, Any]
) -> None:
    url = _schedule_url(circle)
    assert auth.client_for("mona").put(url, json=SCHEDULE_ON).status_code == 200
    refused = auth.client_for("kari").put(url, json=change)
    assert refused.status_code == 403, refused.json
    assert refused.json["error"] == "patient_or_primary_contact"
    after = auth.client_for("mona").get(url).json
    assert after["enabled"] is True and after["after_missed"] == "tell_on_duty"
    # Moving the time with her, keeping the safety net, is fine.
    moved = auth.client_for("kari").put(url, json={**SCHEDULE_ON, "evening_time": "21:00"})
    assert moved.status_code == 200 and moved.json["after_missed"] == "tell_on_duty"


def test_the_patient_or_a_primary_contact_may_turn_check_ins_off(auth: Any, circle: CareCircle) -> None:
    url = _schedule_url(circle)
    assert auth.client_for("mona").put(url, json=SCHEDULE_ON).status_code == 200
    off = {**SCHEDULE_ON, "enabled": False, "after_missed": "nothing"}
    by_contact = auth.client_for("ingrid").put(url, json=off)  # named primary contact, off duty
    assert by_contact.status_code == 200, by_contact.json
    assert by_contact.json["enabled"] is False
    assert auth.client_for("mona").put(url, json=SCHEDULE_ON).json["enabled"] is True
    assert auth.client_for("mona").put(url, json=off).json["enabled"] is False


def test_an_off_duty_supporter_cannot_change_the_schedule_at_all(auth: Any, circle: CareCircle) -> None:
    url = _schedule_url(circle)
    refused = auth.client_for("ola").put(url, json=SCHEDULE_ON)  # nights, from 22:00
    assert refused.status_code == 403 and refused.json["error"] == "not_on_duty"


# --- chat: handover and leaving the team -------------------------------------------------


def _kari_holds_monas_chat(auth: Any) -> Any:
    sent = auth.client_for("mona").post("/api/chat/messages", json={"client_id": cid(), "body": "Hei"})
    assert sent.status_code == 201, sent.json
    kari = auth.client_for("kari")
    assert kari.post(f"/api/chat/conversations/{sent.json['conversation_id']}/take").status_code == 204
    return sent.json["conversation_id"]


def test_a_handover_to_an_off_duty_colleague_is_refused(auth: Any, circle: CareCircle) -> None:
    conversation = _kari_holds_monas_chat(auth)
    kari = auth.client_for("kari")
    url = f"/api/chat/conversations/{conversation}/handover"
    to_ola = kari.post(url, json={"to_user_id": circle.ola.id, "note": "Kan du ta over?"})
    assert to_ola.status_code == 400, to_ola.json
    assert to_ola.json["error"] == "not_on_duty"
    assert auth.client_for("kari").get("/api/chat/inbox").json[0]["mine"] is True  # still hers
    to_silje = kari.post(url, json={"to_user_id": circle.silje.id, "note": "Kan du ta over?"})
    assert to_silje.status_code == 204


def test_removing_a_supporter_from_the_team_takes_her_open_chat_at_once(
    auth: Any, circle: CareCircle, socket_client: Any
) -> None:
    conversation = _kari_holds_monas_chat(auth)
    kari_socket = socket_client(auth.client_for("kari"))
    silje_socket = socket_client(auth.client_for("silje"))
    admin = auth.client_for("admin")
    removed = admin.put(f"/api/teams/{circle.bolig.id}/members", json={"user_ids": [circle.ola.id]})
    assert removed.status_code == 200, removed.json
    assert any(r["name"] == "chat:withdrawn" for r in kari_socket.get_received())
    assert any(r["name"] == "chat:offer" for r in silje_socket.get_received())
    # No scheduler tick has run: the very next message goes to Silje, not Kari.
    sent = auth.client_for("mona").post("/api/chat/messages", json={"client_id": cid(), "body": "Er du der?"})
    assert sent.status_code == 201
    assert [r["name"] for r in kari_socket.get_received()] == []
    assert "chat:message" in [r["name"] for r in silje_socket.get_received()]
    status = auth.client_for("mona").get("/api/chat/conversation").json["status"]
    # She is told honestly: waiting for DPS, not "Kari is answering".
    assert status["state"] == "offered" and status["supporter_name"] != "Kari", status
    refused = auth.client_for("kari").get(f"/api/chat/conversations/{conversation}")
    assert refused.status_code == 403


def test_removing_a_supporter_takes_back_a_chat_only_offered_to_her(
    auth: Any, circle: CareCircle, socket_client: Any
) -> None:
    sent = auth.client_for("mona").post("/api/chat/messages", json={"client_id": cid(), "body": "Hei"})
    assert sent.status_code == 201
    kari = auth.client_for("kari")
    assert [i["mine"] for i in kari.get("/api/chat/inbox").json] == [False]  # offered to Kari
    silje_socket = socket_client(auth.client_for("silje"))
    admin = auth.client_for("admin")
    removed = admin.put(f"/api/teams/{circle.bolig.id}/members", json={"user_ids": [circle.ola.id]})
    assert removed.status_code == 200, removed.json
    assert "chat:offer" in [r["name"] for r in silje_socket.get_received()]
    assert auth.client_for("kari").get("/api/chat/inbox").json == []
    assert auth.client_for("mona").get("/api/chat/conversation").json["status"]["tier_kind"] == "dps"


def test_taking_a_team_out_of_the_care_circle_takes_its_chats_away(auth: Any, circle: CareCircle) -> None:
    conversation = _kari_holds_monas_chat(auth)
    admin = auth.client_for("admin")
    dps_only = admin.put(
        f"/api/patients/{circle.mona.id}/care-circle",
        json={
            "tiers": [{"team_ids": [_team_id(auth, "Øyane DPS")]}],
            "primary_contact_ids": [circle.ingrid.id],
        },
    )
    assert dps_only.status_code == 200, dps_only.json
    assert auth.client_for("kari").get("/api/chat/inbox").json == []
    assert auth.client_for("kari").get(f"/api/chat/conversations/{conversation}").status_code == 403
    assert [i["conversation_id"] for i in auth.client_for("silje").get("/api/chat/inbox").json] == [
        conversation
    ]


def _team_id(auth: Any, name: str) -> int:
    return next(t["id"] for t in auth.client_for("admin").get("/api/teams").json if t["name"] == name)
