"""No silent nights, in Chromium on a phone-sized window (issues #12 and #19).

A server of our own with the demo data, its clock started on a Monday evening
(21:30; bolig1 Kari is on duty until 22:00, kommune1 Ingrid until 23:00), and
re-offers at the ceiling every minute instead of five:

- nobody on duty and a contact request: the receipt never says "we told
  them", and the numbers and the circle's own number are on screen within 1 s;
- a red check-in with nobody on duty is on the administrator's gap screen;
- every tier tried without an answer: the patient's screen changes at the
  ceiling, the supporter on duty is offered it again, the admin lists the wait;
- a red check-in acknowledged with "Jeg tar den": the patient is told who took it;
- a red check-in with a contact request that the first tier does not take in
  time: the second tier's supporter sees red and the answers, and answers.
- the supporter takes and answers while the patient's chat is still loading:
  the load does not hide the answer or bring back the older status; a message
  that comes while the supporter opens the conversation is shown.

Each test records (`timing`) seconds from the event to the truthful status or
the next person told (run with -s to see them).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    RED_CHECKIN,
    Api,
    login,
    serve_demo,
    watched_pages,
)
from tests.browser.helpers import answer, poll, tap_number, wait_for_socket

LAST_RESORT = {"label": "DPS akutt", "phone": "55 00 00 00"}


@pytest.fixture(scope="module")
def alert_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve_demo(tmp_path_factory.mktemp("alerts"), CEILING_REOFFER_MINUTES="1")


@pytest.fixture
def pages(browser: Any, alert_server: str) -> Iterator[Any]:
    yield from watched_pages(browser, alert_server)


def patient_id(admin: Api, username: str) -> int:
    return next(p["id"] for p in admin.call("GET", "/api/patients") if p["username"] == username)


def circle_of_one(admin: Api, username: str, team_kind: str | None, *, minutes: int = 3) -> None:
    """The patient's circle becomes one tier: the demo team of that kind, or
    (None) a new team with no roster, so nobody is ever on duty."""
    teams = admin.call("GET", "/api/teams")
    if team_kind is None:
        team = admin.call(
            "POST", "/api/teams", {"name": f"Nattløst team {uuid.uuid4().hex[:4]}", "kind": "bolig"}
        )
    else:
        team = next(t for t in teams if t["kind"] == team_kind)
    pid = patient_id(admin, username)
    admin.call(
        "PUT",
        f"/api/patients/{pid}/care-circle",
        {
            "tiers": [{"team_ids": [team["id"]], "escalate_after_minutes": minutes}],
            "last_resort": LAST_RESORT,
        },
    )


def do_checkin(page: Any, *, red: bool, contact: bool) -> None:
    page.goto("/#/kveldssjekk")
    expect(page.get_by_test_id("checkin-form")).to_be_visible()
    tap_number(page, "pressure", 9 if red else 2)
    answer(page, "mood", "Tungt" if red else "Sånn passe")
    answer(page, "sleep", "Dårlig" if red else "Greit")
    answer(page, "self_harm_urge", "Ja, sterkt" if red else "Nei")
    answer(page, "suicidal_thoughts", "Nei")
    answer(page, "wants_contact", "Ja, gjerne" if contact else "Nei takk")


def test_nobody_on_duty_and_a_contact_request_shows_the_truth_and_the_numbers_at_once(
    pages: Any, alert_server: str, timing: Any
) -> None:
    admin_api = Api(alert_server, "admin")
    circle_of_one(admin_api, "pasient2", None)
    per = pages(PHONE)
    login(per, "pasient2")
    expect(per.get_by_test_id("patient-home")).to_be_visible()
    # Before writing, the home and the chat say nobody is on duty (from the roster).
    expect(per.get_by_test_id("reachable-now")).to_contain_text("Akkurat nå er ingen på vakt for deg")
    per.locator('a[data-tile="chat"]').click()
    # (Per's chat from yesterday was offered to Ola, no longer in his circle: the next tick re-routes it.)
    expect(per.get_by_test_id("reachable-now")).to_contain_text(
        "Akkurat nå er ingen på vakt for deg", timeout=20_000
    )
    expect(per.get_by_test_id("chat")).not_to_contain_text("kommer fram til den som har vakt")

    do_checkin(per, red=False, contact=True)
    started = time.monotonic()
    per.get_by_test_id("checkin-send").click()
    contact = per.get_by_test_id("checkin-contact-status")
    # The server's answer: within 3 s on CI's two loaded passes (it was 1 s, and
    # once the answer took longer there); the numbers come with it, at once.
    expect(contact).to_have_attribute("data-status", "nobody_on_duty", timeout=3000)
    help_now = per.get_by_test_id("checkin-help-now")
    expect(help_now.locator('a[href="tel:113"]')).to_be_visible(timeout=1000)
    expect(help_now.locator('a[href="tel:116117"]')).to_be_visible(timeout=1000)
    expect(help_now.locator('a[href="tel:116123"]')).to_be_visible(timeout=1000)
    expect(help_now.get_by_test_id("last-resort")).to_have_attribute("href", "tel:55000000", timeout=1000)
    timing("contact request, nobody on duty -> truthful status and numbers", time.monotonic() - started)
    expect(per.get_by_test_id("checkin-result")).not_to_contain_text("Vi har sagt fra")
    expect(per.get_by_test_id("checkin-result")).not_to_contain_text("har fått beskjed")
    expect(contact).to_contain_text("Akkurat nå er ingen på vakt som kan ta kontakt")
    assert per.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_red_checkin_with_nobody_on_duty_appears_on_the_admin_gap_screen(
    pages: Any, alert_server: str, timing: Any
) -> None:
    admin_api = Api(alert_server, "admin")
    circle_of_one(admin_api, "pasient4", None)
    tor = pages(PHONE)
    login(tor, "pasient4")
    expect(tor.get_by_test_id("patient-home")).to_be_visible()
    do_checkin(tor, red=True, contact=False)
    started = time.monotonic()
    tor.get_by_test_id("checkin-send").click()
    status = tor.get_by_test_id("checkin-alert-status")
    expect(status).to_have_attribute("data-status", "no_one_on_duty", timeout=1000)
    expect(tor.get_by_test_id("checkin-numbers").locator('a[href="tel:113"]')).to_be_visible(timeout=1000)
    expect(tor.get_by_test_id("checkin-help-now").get_by_test_id("last-resort")).to_be_visible(timeout=1000)
    timing("red check-in, nobody on duty -> truthful status and numbers", time.monotonic() - started)

    admin = pages(DESKTOP)
    login(admin, "admin")
    expect(admin.get_by_test_id("admin-home")).to_be_visible()
    admin.goto("/#/admin/dekning")
    admin.get_by_test_id("gaps-link").click()
    expect(admin.get_by_test_id("admin-gaps")).to_be_visible()
    row = admin.get_by_test_id("gap-row").filter(has_text="Tor").filter(has_text="Rød innsjekk")
    expect(row).to_be_visible()
    expect(row).to_contain_text("«Ingen på vakt» med nødnumrene")
    expect(admin.get_by_test_id("gap-per-patient")).to_contain_text("Tor")
    expect(admin.get_by_test_id("gap-per-hour")).to_contain_text("kl. 21")


def test_every_tier_tried_without_an_answer_reaches_the_ceiling(
    pages: Any, alert_server: str, timing: Any
) -> None:
    admin_api = Api(alert_server, "admin")
    circle_of_one(admin_api, "pasient3", "kommune", minutes=1)
    ingrid = pages(DESKTOP)
    login(ingrid, "kommune1")
    expect(ingrid.get_by_test_id("supporter-home")).to_be_visible()
    ingrid.goto("/#/innboks")
    expect(ingrid.get_by_test_id("inbox")).to_be_visible()
    wait_for_socket(ingrid)
    ingrid.evaluate(
        "() => import('/app/realtime.js').then((m) => { window.__offers = [];"
        " m.events.addEventListener('message', (e) => { if (e.detail.name === 'chat:offer')"
        " window.__offers.push(performance.now()); }); })"
    )

    anne = pages(PHONE)
    login(anne, "pasient3")
    expect(anne.get_by_test_id("patient-home")).to_be_visible()
    anne.locator('a[data-tile="chat"]').click()
    expect(anne.get_by_test_id("reachable-now")).to_contain_text("kommunen")
    box = anne.locator("#chat-input")
    box.fill(f"Er det noen der? {uuid.uuid4().hex[:4]}")
    sent_at = time.monotonic()
    box.press("Enter")
    expect(anne.get_by_test_id("chat-status")).to_contain_text("Sendt", timeout=10_000)
    timing("every tier tried: send -> 'Sendt' (offered to kommunen)", time.monotonic() - sent_at)
    expect(ingrid.get_by_test_id("inbox-item").filter(has_text="Anne")).to_be_visible(timeout=10_000)
    poll(ingrid, "() => window.__offers.length >= 1", timeout=10)  # the first offer

    # Nobody takes it: after the one-minute limit of the only tier, the ceiling.
    nobody = anne.get_by_test_id("nobody-on-duty")
    expect(nobody).to_have_attribute("data-code", "nobody_reachable", timeout=80_000)
    timing(
        "every tier tried: send -> patient's screen at the ceiling (tier limit 60 s)",
        time.monotonic() - sent_at,
    )
    expect(anne.get_by_test_id("chat-status")).to_contain_text("Ingen har svart ennå")
    expect(nobody.get_by_test_id("last-resort")).to_contain_text("DPS akutt")
    expect(nobody.locator('a[href="tel:116117"]')).to_be_visible()
    ceiling_at = time.monotonic()
    # At the ceiling Ingrid is offered it again, and then again every interval.
    poll(ingrid, "() => window.__offers.length >= 2", timeout=10)
    timing("send -> supporter offered it again at the ceiling (tier limit 60 s)", time.monotonic() - sent_at)
    poll(ingrid, "() => window.__offers.length >= 3", timeout=80)
    timing("ceiling -> next re-offer to the supporter (interval 60 s)", time.monotonic() - ceiling_at)

    admin = pages(DESKTOP)
    login(admin, "admin")
    expect(admin.get_by_test_id("admin-home")).to_be_visible()
    admin.goto("/#/admin/alene")
    expect(admin.get_by_test_id("admin-gaps")).to_be_visible()
    row = admin.get_by_test_id("gap-row").filter(has_text="Anne")
    expect(row).to_have_attribute("data-kind", "chat_unanswered")
    expect(row).to_have_attribute("data-open", "true")
    expect(row).to_contain_text("«Ingen har svart ennå» med nødnumrene")


def test_jeg_tar_den_tells_the_patient_who_took_it(pages: Any, alert_server: str, timing: Any) -> None:
    kari = pages(DESKTOP)
    login(kari, "bolig1")
    expect(kari.get_by_test_id("supporter-home")).to_be_visible()
    kari.goto("/#/i-kveld")
    expect(kari.get_by_test_id("tonight")).to_be_visible()
    wait_for_socket(kari)

    hanne = pages(PHONE)
    login(hanne, "pasient5")
    expect(hanne.get_by_test_id("patient-home")).to_be_visible()
    do_checkin(hanne, red=True, contact=False)
    started = time.monotonic()
    hanne.get_by_test_id("checkin-send").click()
    status = hanne.get_by_test_id("checkin-alert-status")
    expect(status).to_have_attribute("data-status", "told", timeout=2000)
    timing("red check-in -> patient told who was alerted", time.monotonic() - started)
    offered = kari.get_by_test_id("open-alert").filter(has_text="Hanne")
    expect(offered).to_be_visible(timeout=10_000)
    timing("red check-in -> supporter's 'Jeg tar den' on screen", time.monotonic() - started)
    taken = time.monotonic()
    offered.get_by_test_id("alert-take").click()
    expect(status).to_have_attribute("data-status", "acknowledged", timeout=10_000)
    expect(status).to_contain_text("Kari (bolig) har sett beskjeden din")
    timing("'Jeg tar den' -> patient told who took it", time.monotonic() - taken)
    expect(kari.get_by_test_id("open-alert").filter(has_text="Hanne")).to_have_count(0)


def test_a_red_checkin_escalated_to_the_second_tier_shows_her_red_and_the_answers(
    pages: Any, alert_server: str, timing: Any
) -> None:
    admin_api = Api(alert_server, "admin")
    teams = admin_api.call("GET", "/api/teams")
    bolig, kommune = (next(t for t in teams if t["kind"] == kind) for kind in ("bolig", "kommune"))
    admin_api.call(
        "PUT",
        f"/api/patients/{patient_id(admin_api, 'pasient1')}/care-circle",
        {
            "tiers": [
                {"team_ids": [bolig["id"]], "escalate_after_minutes": 1},
                {"team_ids": [kommune["id"]], "escalate_after_minutes": 3},
            ],
            "last_resort": LAST_RESORT,
        },
    )
    ingrid = pages(DESKTOP)
    login(ingrid, "kommune1")
    expect(ingrid.get_by_test_id("supporter-home")).to_be_visible()
    ingrid.goto("/#/innboks")
    expect(ingrid.get_by_test_id("inbox")).to_be_visible()
    wait_for_socket(ingrid)

    mona = pages(PHONE)
    login(mona, "pasient1")
    expect(mona.get_by_test_id("patient-home")).to_be_visible()
    do_checkin(mona, red=True, contact=True)
    started = time.monotonic()
    mona.get_by_test_id("checkin-send").click()
    contact = mona.get_by_test_id("checkin-contact-status")
    expect(contact).to_contain_text("på vakt i botilbudet", timeout=2000)
    timing("red check-in + contact request -> 'sent to botilbudet' on screen", time.monotonic() - started)

    # Kari (bolig) does not take it within the tier's minute: kommunen has it now.
    expect(contact).to_have_attribute("data-status", "passed_on", timeout=150_000)
    expect(contact).to_contain_text("sendt videre til kommunen")
    timing(
        "red check-in, first tier silent (limit 60 s) -> 'passed on to kommunen'", time.monotonic() - started
    )

    # Ingrid sees red and the answers that made it red, on the offer and in the conversation.
    row = ingrid.get_by_test_id("inbox-item").filter(has_text="Mona")
    expect(row).to_have_attribute("data-level", "red", timeout=10_000)
    expect(row.get_by_test_id("inbox-reasons")).to_contain_text("sterk trang til å skade seg selv")
    row.locator("a").click()
    expect(ingrid.get_by_test_id("conversation")).to_be_visible()
    tonight = ingrid.get_by_test_id("conv-tonight")
    expect(tonight).to_have_attribute("data-level", "red")
    expect(tonight).to_contain_text("Rød")
    expect(tonight).to_contain_text("sterk trang til å skade seg selv")
    expect(tonight).to_contain_text("Vil bli kontaktet")

    # She answers; Mona is told who answers.
    answered = time.monotonic()
    ingrid.locator("#reply-input").fill("Hei Mona, det er Ingrid. Jeg er her nå.")
    ingrid.locator("#reply-input").press("Enter")
    expect(contact).to_contain_text("Ingrid svarer deg i chatten", timeout=10_000)
    timing("second tier answers -> patient told who answers", time.monotonic() - answered)
    timing("red check-in + contact request -> second tier answering on screen", time.monotonic() - started)
    assert mona.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture(scope="module")
def long_chat_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve_demo(tmp_path_factory.mktemp("long-chat"), CHAT_MESSAGES_PER_MINUTE="1000")


@pytest.fixture
def long_chat_pages(browser: Any, long_chat_server: str) -> Iterator[Any]:
    yield from watched_pages(browser, long_chat_server)


def test_a_long_conversation_does_not_hide_that_she_is_red_tonight(
    long_chat_pages: Any, long_chat_server: str
) -> None:
    """The conversation loads 200 messages at a time; tonight's reason comes with
    the first page and must still be shown when more pages follow."""
    hanne = Api(long_chat_server, "pasient5")
    for n in range(1, 206):
        hanne.call("POST", "/api/chat/messages", {"client_id": uuid.uuid4().hex, "body": f"Melding {n}"})
    hanne.call("POST", "/api/checkins", RED_CHECKIN | {"idempotency_key": uuid.uuid4().hex})
    conversation = next(
        row["conversation_id"]
        for row in Api(long_chat_server, "bolig1").call("GET", "/api/chat/inbox")
        if row["patient_name"].startswith("Hanne")
    )
    kari = long_chat_pages(DESKTOP)
    login(kari, "bolig1")
    expect(kari.get_by_test_id("supporter-home")).to_be_visible()
    kari.goto(f"/#/samtale/{conversation}")
    expect(kari.get_by_test_id("chat-messages")).to_contain_text("Melding 205")
    tonight = kari.get_by_test_id("conv-tonight")
    expect(tonight).to_have_attribute("data-level", "red")
    expect(tonight).to_contain_text("sterk trang til å skade seg selv")


def hold_the_first_load(page: Any, pattern: str) -> list[Any]:
    """The first answer to `pattern`, fetched when asked for and given to the
    page only when the test says so: a load that takes its time."""
    held: list[Any] = []

    def hold(route: Any) -> None:
        if held:
            route.continue_()
        else:
            held.append((route, route.fetch()))

    page.route(pattern, hold)
    return held


def wait_until_held(page: Any, held: list[Any]) -> None:
    for _ in range(100):
        if held:
            return
        page.wait_for_timeout(100)
    raise AssertionError("the page did not ask")


def test_what_happens_while_her_chat_is_loading_is_not_undone_by_the_load(
    pages: Any, alert_server: str
) -> None:
    """On a slow phone the chat's first load can take seconds. If Ingrid takes
    the conversation and answers meanwhile, the screen must show her answer and
    say she is answering, not the older status the load brings back."""
    circle_of_one(Api(alert_server, "admin"), "pasient6", "kommune")
    lise = pages(PHONE)
    login(lise, "pasient6")
    expect(lise.get_by_test_id("patient-home")).to_be_visible()
    wait_for_socket(lise)
    her_other_phone = Api(alert_server, "pasient6")
    her_other_phone.call(
        "POST", "/api/chat/messages", {"client_id": uuid.uuid4().hex, "body": "Er noen der?"}
    )
    conversation_id = her_other_phone.call("GET", "/api/chat/conversation?after_id=0")["id"]

    held = hold_the_first_load(lise, "**/api/chat/conversation?*")
    lise.goto("/#/chat")
    wait_until_held(lise, held)

    ingrid = Api(alert_server, "kommune1")
    ingrid.call("POST", f"/api/chat/conversations/{conversation_id}/take")
    answer = f"Ja, jeg er her. {uuid.uuid4().hex[:4]}"
    ingrid.call(
        "POST",
        f"/api/chat/conversations/{conversation_id}/messages",
        {"client_id": uuid.uuid4().hex, "body": answer},
    )
    lise.wait_for_timeout(1500)  # the socket has told her phone by now
    route, stale = held[0]
    route.fulfill(response=stale)

    expect(lise.get_by_test_id("chat-message").filter(has_text=answer)).to_be_visible(timeout=5000)
    expect(lise.get_by_test_id("chat-status")).to_contain_text("Ingrid", timeout=5000)


def test_a_message_that_comes_while_the_supporter_opens_the_conversation_is_shown(
    pages: Any, alert_server: str
) -> None:
    circle_of_one(Api(alert_server, "admin"), "pasient7", "kommune")
    jon = Api(alert_server, "pasient7")
    jon.call("POST", "/api/chat/messages", {"client_id": uuid.uuid4().hex, "body": "Hei"})
    conversation_id = jon.call("GET", "/api/chat/conversation?after_id=0")["id"]
    ingrid = pages(DESKTOP)
    login(ingrid, "kommune1")
    expect(ingrid.get_by_test_id("supporter-home")).to_be_visible()
    wait_for_socket(ingrid)

    held = hold_the_first_load(ingrid, f"**/api/chat/conversations/{conversation_id}?*")
    ingrid.goto(f"/#/samtale/{conversation_id}")
    wait_until_held(ingrid, held)
    said = f"Jeg har det vondt i kveld {uuid.uuid4().hex[:4]}"
    jon.call("POST", "/api/chat/messages", {"client_id": uuid.uuid4().hex, "body": said})
    ingrid.wait_for_timeout(1500)  # the socket has told her browser by now
    route, stale = held[0]
    route.fulfill(response=stale)

    # Well before the conversation's 30-second poll.
    expect(ingrid.get_by_test_id("chat-message").filter(has_text=said)).to_be_visible(timeout=5000)


@pytest.fixture(scope="module")
def order_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve_demo(tmp_path_factory.mktemp("status-order"))


@pytest.fixture
def order_pages(browser: Any, order_server: str) -> Iterator[Any]:
    yield from watched_pages(browser, order_server)


def hold_the_first_chat_status(page: Any) -> list[Any]:
    """The first chat status the server sends this page over its socket, kept
    back until the test lets it through: an event from one server process that
    arrives after a newer one from another."""
    held: list[Any] = []

    def route(ws: Any) -> None:
        server = ws.connect_to_server()

        def to_page(message: Any) -> None:
            if not held and '"chat:status"' in str(message):
                held.append((ws, message))
            else:
                ws.send(message)

        server.on_message(to_page)

    page.route_web_socket("**/socket.io/**", route)
    return held


def test_a_status_that_arrives_late_does_not_replace_a_newer_one(order_pages: Any, order_server: str) -> None:
    """With two server processes, the event saying her message was sent can
    reach her phone after the one saying Ingrid is answering. Her phone must go
    on saying that Ingrid is answering."""
    circle_of_one(Api(order_server, "admin"), "pasient6", "kommune")
    lise = order_pages(PHONE)
    held = hold_the_first_chat_status(lise)
    login(lise, "pasient6")
    lise.goto("/#/chat")
    expect(lise.get_by_test_id("chat-status")).to_be_attached()
    wait_for_socket(lise)
    her_other_phone = Api(order_server, "pasient6")
    her_other_phone.call(
        "POST", "/api/chat/messages", {"client_id": uuid.uuid4().hex, "body": "Er noen der?"}
    )
    wait_until_held(lise, held)
    conversation_id = her_other_phone.call("GET", "/api/chat/conversation?after_id=0")["id"]

    Api(order_server, "kommune1").call("POST", f"/api/chat/conversations/{conversation_id}/take")
    expect(lise.get_by_test_id("chat-status")).to_contain_text("Ingrid", timeout=5000)
    ws, late = held[0]
    ws.send(late)
    lise.wait_for_timeout(1000)

    expect(lise.get_by_test_id("chat-status")).to_contain_text("Ingrid")
