"""Next of kin (pårørende), only with the patient's consent (#18): she invites
them, chooses what they may see and do, and withdrawing it ends their access at
once, over HTTP and Socket.IO. They see only the plan sections she shares (with
numbers to call and the emergency numbers), never chat, check-ins or another
patient; their "I am worried" reaches whoever is on duty for her like a red
check-in, never as her chat; every read of theirs shows in her "who has seen my
data"; staff gain nothing."""

# The escalation tests' `circle` fixture is imported; test arguments of that name use it.
# ruff: noqa: F811

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import func, select

from nattlys.accounts.models import Role, User
from nattlys.chat.models import Conversation
from nattlys.config import Settings
from nattlys.db import get_db
from nattlys.privacy import deletion
from nattlys.push import service as push
from tests.push_double import VAPID
from tests.scenes.alerts import circle, events, red, run_ticks, staff  # noqa: F401  (circle: the fixture)
from tests.scenes.world import CareCircle

PLAN = {
    "warning_signs": ["Jeg sover dårlig"],
    "reasons_to_live": ["Katten min, Pus"],
    "contacts": [{"name": "Lene", "relation": "søster", "phone": "+47 400 00 001"}],
    "professionals": [{"name": "Silje", "service": "Øyane DPS", "phone": "+47 400 00 010", "hours": ""}],
}


@pytest.fixture
def app(make_app: Any) -> Any:
    return make_app(**VAPID)


def kin_of(factories: Any, patient: User, **consent: Any) -> tuple[User, Any]:
    consent.setdefault("sections", ["warning_signs", "professionals"])
    return factories.next_of_kin(patient, display_name="Lene", **consent)


def invite(client: Any, patient_id: int, **body: Any) -> Any:
    return client.post(
        f"/api/patients/{patient_id}/next-of-kin",
        json={"display_name": "Lene Hansen", "sections": ["meeting"], **body},
    )


# --- invitation and consent: hers alone -----------------------------------------------


def test_the_patient_invites_a_next_of_kin_who_chooses_a_password_and_logs_in_without_a_second_factor(
    app: Any, auth: Any, factories: Any
) -> None:
    mona = factories.patient("mona", display_name="Mona")
    phone = auth.client_for("mona")
    sent = invite(phone, mona.id, notify_on_red=True)
    assert sent.status_code == 201, sent.json
    assert sent.json["consent"]["sections"] == ["meeting"]
    assert sent.json["consent"]["joined"] is False
    token = sent.json["invitation"]["url"].rsplit("/", 1)[1]
    lookup = app.test_client().post("/api/invitations/lookup", json={"token": token})
    assert lookup.json["role"] == "next_of_kin"
    assert lookup.json["username"].startswith("lene.hansen-")
    kin = app.test_client()
    accepted = kin.post(
        "/api/invitations/accept", json={"token": token, "password": "et langt og godt passord"}
    )
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["second_factor"] is None  # staff MFA is not for next of kin
    home = kin.get("/api/next-of-kin/home")
    assert [p["patient_name"] for p in home.json["patients"]] == ["Mona"]
    again = app.test_client()
    login = again.post(
        "/api/auth/login", json={"username": lookup.json["username"], "password": "et langt og godt passord"}
    )
    assert login.status_code == 200 and login.json["second_factor"] is None
    assert phone.get(f"/api/patients/{mona.id}/next-of-kin").json[0]["joined"] is True


def test_staff_cannot_invite_change_or_withdraw_nor_create_a_next_of_kin_account(
    auth: Any, factories: Any, db: Any
) -> None:
    mona = factories.patient("mona")
    kari = factories.supporter("kari")
    bolig = factories.team(members=[kari])
    factories.care_circle(mona, [[bolig]], contacts=[kari])
    factories.admin("admin")
    _, consent = kin_of(factories, mona)
    users_before = db.exec(select(func.count()).select_from(User)).one()
    db.commit()
    for staff_member in ("kari", "admin"):
        client = auth.client_for(staff_member)
        assert invite(client, mona.id).status_code == 403
        assert client.get(f"/api/patients/{mona.id}/next-of-kin").status_code == 403
        path = f"/api/patients/{mona.id}/next-of-kin/{consent.id}"
        assert client.put(path, json={"sections": ["contacts"]}).status_code == 403
        assert client.post(f"{path}/withdraw").status_code == 403
    made = auth.client_for("admin").post(
        "/api/users", json={"username": "lene.k", "display_name": "Lene", "role": "next_of_kin"}
    )
    assert made.status_code == 400, made.json
    assert db.exec(select(func.count()).select_from(User)).one() == users_before


def test_a_consent_names_only_real_sections_and_nothing_is_half_saved(
    auth: Any, factories: Any, db: Any
) -> None:
    mona = factories.patient("mona")
    phone = auth.client_for("mona")
    bad = invite(phone, mona.id, sections=["meeting", "chat"])
    assert bad.status_code == 400
    assert invite(phone, mona.id, display_name="   ").status_code == 400
    assert db.exec(select(func.count()).select_from(User).where(User.role == Role.next_of_kin)).one() == 0
    db.commit()


def test_password_login_roles_may_name_next_of_kin() -> None:
    settings = Settings.from_env({"NATTLYS_ENV": "testing"})
    assert "next_of_kin" in settings.password_login_roles
    assert Settings.from_env({"NATTLYS_ENV": "testing", "PASSWORD_LOGIN_ROLES": "patient,next_of_kin"})


# --- what a next of kin sees ---------------------------------------------------------------


def test_a_next_of_kin_sees_only_the_shared_sections_with_numbers_to_call(auth: Any, factories: Any) -> None:
    mona = factories.patient("mona", display_name="Mona")
    per = factories.patient("per")
    factories.crisis_plan(mona, PLAN)
    factories.crisis_plan(per, PLAN)
    kin, _ = kin_of(factories, mona)
    lene = auth.client_for(kin.username)
    plan = lene.get(f"/api/patients/{mona.id}/next-of-kin/plan")
    assert plan.status_code == 200, plan.json
    assert plan.json["visible_sections"] == ["warning_signs", "professionals"]
    assert plan.json["sections"]["warning_signs"] == ["Jeg sover dårlig"]
    assert plan.json["sections"]["reasons_to_live"] is None
    assert plan.json["sections"]["contacts"] is None
    assert "Pus" not in plan.text and "+47 400 00 001" not in plan.text
    assert plan.json["phone_numbers"] == [
        {"name": "Silje", "phone": "+47 400 00 010", "section": "professionals"}
    ]
    assert plan.json["emergency_numbers"] == ["113", "116 117", "116 123"]
    # Nothing else of hers, and nothing of anyone else.
    for path in (
        f"/api/patients/{mona.id}/crisis-plan",
        f"/api/patients/{mona.id}/checkins",
        f"/api/patients/{mona.id}",
        f"/api/patients/{per.id}/next-of-kin/plan",
        f"/api/patients/{mona.id}/next-of-kin",
        "/api/patients/987654/next-of-kin/plan",
        "/api/chat/conversation",
        "/api/checkins/state",
        "/api/me/audit",
    ):
        assert lene.get(path).status_code == 403, path
    assert lene.post("/api/chat/messages", json={"client_id": "kin-1", "body": "Hei"}).status_code == 403
    assert lene.post(f"/api/patients/{per.id}/next-of-kin/worry").status_code == 403


def test_she_changes_what_they_see_and_it_holds_at_once(auth: Any, factories: Any) -> None:
    mona = factories.patient("mona")
    factories.crisis_plan(mona, PLAN)
    kin, consent = kin_of(factories, mona)
    lene = auth.client_for(kin.username)
    changed = auth.client_for("mona").put(
        f"/api/patients/{mona.id}/next-of-kin/{consent.id}",
        json={"sections": ["reasons_to_live"], "notify_on_red": False, "may_signal_worry": False},
    )
    assert changed.status_code == 200, changed.json
    plan = lene.get(f"/api/patients/{mona.id}/next-of-kin/plan").json
    assert plan["visible_sections"] == ["reasons_to_live"]
    assert plan["sections"]["warning_signs"] is None and plan["phone_numbers"] == []
    assert lene.post(f"/api/patients/{mona.id}/next-of-kin/worry").status_code == 403


def test_withdrawing_ends_their_access_at_once_on_http_and_socket(
    auth: Any, factories: Any, socket_client: Any
) -> None:
    mona = factories.patient("mona")
    factories.crisis_plan(mona, PLAN)
    kin, consent = kin_of(factories, mona)
    lene = auth.client_for(kin.username)
    socket = socket_client(lene)
    assert socket.is_connected()
    assert lene.get(f"/api/patients/{mona.id}/next-of-kin/plan").status_code == 200
    phone = auth.client_for("mona")
    withdrawn = phone.post(f"/api/patients/{mona.id}/next-of-kin/{consent.id}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json["withdrawn_at"]
    assert not socket.is_connected()
    assert lene.get(f"/api/patients/{mona.id}/next-of-kin/plan").status_code == 401
    assert lene.get("/api/next-of-kin/home").status_code == 401
    # Nor can they log in again, or withdraw twice.
    assert app_login(auth, kin.username) == 401
    assert phone.get(f"/api/patients/{mona.id}/next-of-kin").json == []
    assert phone.post(f"/api/patients/{mona.id}/next-of-kin/{consent.id}/withdraw").status_code == 404


def app_login(auth: Any, username: str) -> int:
    client = auth.app.test_client()
    return client.post(
        "/api/auth/login", json={"username": username, "password": auth.factories.password}
    ).status_code


def test_withdrawing_one_patient_leaves_another_patients_consent_but_ends_this_one_live(
    auth: Any, factories: Any, socket_client: Any
) -> None:
    mona, per = factories.patient("mona"), factories.patient("per")
    kin, consent = kin_of(factories, mona)
    factories.db.add(
        type(consent)(patient_id=per.id, next_of_kin_id=kin.id, sections=[], created_at=consent.created_at)
    )
    factories.db.commit()
    lene = auth.client_for(kin.username)
    socket = socket_client(lene)
    socket.get_received()
    assert (
        auth.client_for("mona").post(f"/api/patients/{mona.id}/next-of-kin/{consent.id}/withdraw").status_code
        == 200
    )
    assert events(socket, "kin:access_ended") == [{"patient_id": mona.id}]
    assert lene.get(f"/api/patients/{mona.id}/next-of-kin/plan").status_code == 403
    assert lene.get(f"/api/patients/{per.id}/next-of-kin/plan").status_code == 200
    assert [p["patient_id"] for p in lene.get("/api/next-of-kin/home").json["patients"]] == [per.id]


def test_when_her_account_is_erased_her_next_of_kin_account_ends_with_it(
    app: Any, auth: Any, factories: Any, socket_client: Any, clock: Any
) -> None:
    mona = factories.patient("mona")
    kin, _consent = kin_of(factories, mona)
    lene = auth.client_for(kin.username)
    socket = socket_client(lene)
    assert auth.client_for("mona").post("/api/me/deletion", json={"confirm": True}).status_code == 201
    clock.advance(days=7, minutes=1)
    with app.app_context():
        assert deletion.carry_out_due(get_db(), at=clock()) == 1
    assert not socket.is_connected()
    assert lene.get("/api/next-of-kin/home").status_code == 401
    assert app_login(auth, kin.username) == 401


# --- "I am worried" ----------------------------------------------------------------------------


def test_worry_reaches_the_supporter_on_duty_like_a_red_checkin_and_escalates(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,
    clock: Any,
    socket_client: Any,
    db: Any,
) -> None:
    staff(factories, circle)
    mona = circle.mona
    kin, _ = kin_of(factories, mona, may_signal_worry=True)
    kari = auth.client_for("kari")
    kari_socket = socket_client(kari)
    ingrid_socket = socket_client(auth.client_for("ingrid"))
    mona_client = auth.client_for("mona")
    mona_socket = socket_client(mona_client)
    lene = auth.client_for(kin.username)
    sent = lene.post(f"/api/patients/{mona.id}/next-of-kin/worry")
    assert sent.status_code == 201, sent.json
    assert (sent.json["status"], sent.json["team_kind"], sent.json["left_today"]) == ("told", "bolig", 2)
    (offer,) = events(kari_socket, "checkin:alert")
    assert (offer["patient_name"], offer["reason"], offer["checkin_id"]) == ("Mona", "worry", None)
    assert [a["reason"] for a in kari.get("/api/alerts/open").json] == ["worry"]
    # Not her chat, and not shown on her screen as her own alert.
    assert db.exec(select(func.count()).select_from(Conversation)).one() == 0
    db.commit()
    assert events(mona_socket, "alert:status") == []
    assert mona_client.get("/api/alerts/me").json["alert"] is None
    # Nobody takes it: after the tier's limit it goes on to the next tier.
    clock.advance(minutes=3)
    assert run_ticks(app, clock)["alerts_escalated"] == 1
    assert [a["reason"] for a in events(ingrid_socket, "checkin:alert")] == ["worry"]
    (home,) = lene.get("/api/next-of-kin/home").json["patients"]
    assert (home["open_worry"]["status"], home["open_worry"]["team_kind"]) == ("passed_on", "kommune")
    alert_id = auth.client_for("ingrid").get("/api/alerts/open").json[0]["id"]
    assert auth.client_for("ingrid").post(f"/api/alerts/{alert_id}/ack").status_code == 204
    (home,) = lene.get("/api/next-of-kin/home").json["patients"]
    assert home["open_worry"] is None


def test_worry_while_nobody_is_on_duty_is_in_the_gap_log_as_a_worry(
    auth: Any,
    factories: Any,
    circle: CareCircle,
) -> None:
    """No roster is published: nobody is on duty for Mona. The administrator's
    gap log (and the outcome figures) count it as the next of kin's worry, not
    as a check-in Mona missed."""
    mona = circle.mona
    kin, _ = kin_of(factories, mona, may_signal_worry=True)
    sent = auth.client_for(kin.username).post(f"/api/patients/{mona.id}/next-of-kin/worry")
    assert sent.status_code == 201 and sent.json["status"] == "no_one_on_duty"
    gaps = auth.client_for("admin").get("/api/gaps").json
    assert [g["kind"] for g in gaps] == ["worry_alone"]


def test_worry_is_limited_to_one_waiting_and_three_a_day(
    app: Any,
    auth: Any,
    factories: Any,
    circle: CareCircle,
    clock: Any,
    socket_client: Any,
) -> None:
    staff(factories, circle)
    mona = circle.mona
    kin, _ = kin_of(factories, mona, may_signal_worry=True)
    kari = auth.client_for("kari")
    socket_client(kari)
    lene = auth.client_for(kin.username)
    path = f"/api/patients/{mona.id}/next-of-kin/worry"

    def send_and_take() -> None:
        assert lene.post(path).status_code == 201
        waiting = lene.post(path)
        assert (waiting.status_code, waiting.json["error"]) == (409, "worry_open")
        (alert,) = kari.get("/api/alerts/open").json
        assert kari.post(f"/api/alerts/{alert['id']}/ack").status_code == 204
        clock.advance(minutes=10)

    for _ in range(3):
        send_and_take()
    fourth = lene.post(path)
    assert (fourth.status_code, fourth.json["error"]) == (429, "worry_limit")
    clock.advance(hours=24)
    socket_client(auth.client_for("ola"))  # Kari's day shift is over; Ola is on duty tonight
    lene = auth.client_for(kin.username)  # a next of kin's login lasts as long as staff's
    assert lene.post(path).status_code == 201


def test_a_red_checkin_tells_the_next_of_kin_who_asked_without_health_content(
    auth: Any, factories: Any, monkeypatch: Any
) -> None:
    mona = factories.patient("mona", display_name="Mona")
    told, _ = kin_of(factories, mona, notify_on_red=True)
    kin_of(factories, mona, notify_on_red=False)
    queued: list[tuple[list[int], push.PushMessage]] = []
    real_queue = push.queue
    monkeypatch.setattr(
        push,
        "queue",
        lambda ids, message: (queued.append((sorted(ids), message)), real_queue(ids, message)),  # type: ignore[func-returns-value]  # called for its side effect
    )
    assert auth.client_for("mona").post("/api/checkins", json=red()).status_code == 201
    to_kin = [(ids, m) for ids, m in queued if m.title == "kin_get_in_touch"]
    assert [ids for ids, _ in to_kin] == [[told.id]]
    for language in ("nb", "en"):
        text = to_kin[0][1].payload(language).decode().lower()
        assert not any(word in text for word in ("rød", "red", "krise", "crisis", "mona", "sjekk", "check"))
    assert "kontakt" in to_kin[0][1].payload("nb").decode()


# --- "who has seen my data" ------------------------------------------------------------


def test_every_read_by_a_next_of_kin_shows_in_her_who_has_seen_my_data(
    auth: Any, factories: Any, clock: Any
) -> None:
    mona = factories.patient("mona")
    factories.crisis_plan(mona, PLAN)
    kin, _ = kin_of(factories, mona)
    lene = auth.client_for(kin.username)
    assert lene.get("/api/next-of-kin/home").status_code == 200
    clock.advance(minutes=1)
    assert lene.get(f"/api/patients/{mona.id}/next-of-kin/plan").status_code == 200
    seen = auth.client_for("mona").get("/api/me/audit").json
    by_lene = [(e["action"], e["actor_name"], e["actor_role"]) for e in seen if e["actor_id"] == kin.id]
    assert by_lene == [
        ("next_of_kin.plan_read", "Lene", "next_of_kin"),
        ("next_of_kin.home", "Lene", "next_of_kin"),
    ]
