"""Offline first (issue 12.6) in Chromium on a phone: a check-in answered with
no network waits on the phone, says so, and is stored once on reconnect; with
no network at all the check-in and chat screens still open and say what will
happen. pasient3 (Anne) checks in here, green and without a contact request,
so nobody is alerted and the other tests' lists keep their order."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Api, login
from tests.browser.helpers import answer, poll, tap_number

QUEUED = "Svarene dine sendes når du er på nett igjen"


def _checkins(live_server: str) -> list[dict[str, Any]]:
    anne = Api(live_server, "pasient3")
    return anne.call("GET", f"/api/patients/{anne.user['id']}/checkins?days=28")["items"]


def _anne_online(new_page: Any, live_server: str) -> tuple[Any, int]:
    """Anne logged in on her phone, the app in the service worker's hands; her check-ins so far."""
    anne = new_page(PHONE)
    login(anne, "pasient3")
    expect(anne.get_by_test_id("patient-home")).to_be_visible()
    poll(anne, "() => navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller !== null)")
    return anne, len(_checkins(live_server))


def _answer_green(page: Any) -> None:
    tap_number(page, "pressure", 2)
    answer(page, "mood", "Bra")
    answer(page, "sleep", "Godt")
    answer(page, "self_harm_urge", "Nei")
    answer(page, "suicidal_thoughts", "Nei")
    answer(page, "wants_contact", "Nei takk")


def _outbox_keys(page: Any) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('nattlys.checkin-outbox.'))")


def test_a_checkin_answered_offline_is_queued_and_stored_once_on_reconnect(
    new_page: Any, live_server: str, timing: Any
) -> None:
    anne, before = _anne_online(new_page, live_server)
    anne.goto("/#/kveldssjekk")
    expect(anne.get_by_test_id("checkin-form")).to_be_visible()

    anne.context.set_offline(True)
    _answer_green(anne)
    sent = time.monotonic()
    anne.get_by_test_id("checkin-send").click()
    queued = anne.get_by_test_id("checkin-queued")
    expect(queued.locator("h1")).to_have_text("Svarene dine er lagret")
    expect(queued.get_by_test_id("checkin-queued-text")).to_contain_text(QUEUED)
    timing("offline check-in: send -> 'sent when you are online' on screen", time.monotonic() - sent)
    anne.wait_for_timeout(1500)
    assert len(_checkins(live_server)) == before
    assert len(_outbox_keys(anne)) == 1

    # Back online: sent by itself, once, and the screen says so.
    anne.context.set_offline(False)
    back = time.monotonic()
    expect(anne.get_by_test_id("checkin-sent-late")).to_contain_text("sjekken din er sendt", timeout=15_000)
    seconds = time.monotonic() - back
    timing("offline check-in: reconnect -> 'sent' on screen", seconds)
    assert seconds < 5
    expect(anne.get_by_test_id("checkin-result")).to_have_attribute("data-level", "green")
    after = _checkins(live_server)
    assert len(after) == before + 1
    assert after[0]["pressure"] == 2
    assert _outbox_keys(anne) == []

    # Nothing more goes out on a reload.
    anne.reload()
    expect(anne.get_by_test_id("checkin")).to_be_visible()
    anne.wait_for_timeout(1000)
    assert len(_checkins(live_server)) == before + 1


def test_with_no_network_at_start_checkin_and_chat_open_and_say_what_will_happen(
    new_page: Any, live_server: str
) -> None:
    anne, before = _anne_online(new_page, live_server)

    anne.context.set_offline(True)
    anne.goto("/#/kveldssjekk")
    anne.reload()  # the app starts with no network, from the service worker's copy
    expect(anne.get_by_test_id("checkin-offline")).to_contain_text(
        "Du kan svare likevel – svarene dine sendes når du er på nett igjen"
    )
    expect(anne.get_by_test_id("checkin-form")).to_be_visible()
    expect(anne.get_by_test_id("emergency-numbers")).to_be_visible()

    anne.goto("/#/chat")
    expect(anne.get_by_test_id("chat")).to_be_visible()
    expect(anne.locator(".chat-offline")).to_have_text(
        "Du er uten nett nå. Det du skriver, blir sendt når du er på nett igjen."
    )
    expect(anne.get_by_test_id("chat-input")).to_be_editable()

    # A check-in answered now is sent when the network is back.
    anne.goto("/#/kveldssjekk")
    _answer_green(anne)
    anne.get_by_test_id("checkin-send").click()
    expect(anne.get_by_test_id("checkin-queued-text")).to_contain_text(QUEUED)
    anne.context.set_offline(False)
    expect(anne.get_by_test_id("checkin-sent-late")).to_be_visible(timeout=15_000)
    assert len(_checkins(live_server)) == before + 1
