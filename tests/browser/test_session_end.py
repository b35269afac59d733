"""The phone forgets when the session ends (issue #14.6), in Chromium.

Per (pasient2) keeps his crisis plan on the phone. Two administrators disable
his account: once the app learns it (at the next start, or from the next call
or the server ending the live connection) it removes the plan copy, the
outbox and every other stored datum, as on logout. Offline afterwards, the
plan no longer opens. And "Hvem har sett mine data" tells Anne (pasient3) in
plain words where her chat message went.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Api, login
from tests.browser.helpers import poll

STORED = "Object.keys(localStorage).filter(k => k !== 'nattlys.lang')"


def _plan_kept_on_the_phone(page: Any) -> None:
    login(page, "pasient2")
    expect(page.locator('[data-testid="patient-home"]')).to_be_visible()
    page.locator('[data-tile="plan"]').click()
    expect(page.locator('[data-testid="plan-page"]')).to_be_visible()
    poll(page, "navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=30)
    assert any(k.startswith("nattlys.plan.") for k in page.evaluate(STORED))
    # Something waiting in the outbox as well (as if sent with no network).
    page.evaluate(
        "localStorage.setItem('nattlys.chat-outbox.' + 999, JSON.stringify([{client_id: 'x', body: 'Hei'}]))"
    )


def _disable(admin: Api, admin2: Api, user_id: int) -> None:
    """A patient's account is disabled by two administrators: one asks, the other approves."""
    asked = admin.call("POST", f"/api/users/{user_id}/disable-request", {"reason": "Testing session end"})
    admin2.call("POST", f"/api/disable-requests/{asked['id']}/approve")


def _enable(admin: Api, user_id: int) -> None:
    admin.call("PATCH", f"/api/users/{user_id}", {"is_active": True})


def _plan_does_not_open_offline(page: Any) -> None:
    page.context.set_offline(True)
    try:
        page.goto("/#/kriseplan")
        expect(page.locator('[data-testid="plan-page"]')).to_have_count(0)
        expect(page.locator('[data-testid="plan-offline"]')).to_have_count(0)
        expect(page.locator('[data-testid="offline-plan-link"]')).to_have_count(0)
        page.goto("/#/logg-inn")
        page.reload()
        expect(page.locator("#username")).to_be_visible()
    finally:
        page.context.set_offline(False)


# How the app learns: it starts again and asks the server about its session;
# or, left open, the server ends its live connection (or the next screen's
# call gets a 401).
LEARNS = {
    "at_the_next_start": "location.reload()",
    "while_open": "window.location.hash = '#/'",
}


@pytest.mark.parametrize("learns", sorted(LEARNS))
def test_a_disabled_patients_phone_forgets_the_plan(new_page: Any, live_server: str, learns: str) -> None:
    admin, admin2 = Api(live_server, "admin"), Api(live_server, "admin2")
    per = Api(live_server, "pasient2").user
    page = new_page(PHONE)
    _plan_kept_on_the_phone(page)
    _disable(admin, admin2, per["id"])
    try:
        page.evaluate(LEARNS[learns])
        expect(page.locator("#username")).to_be_visible()
        assert page.evaluate(STORED) == []
        _plan_does_not_open_offline(page)
    finally:
        _enable(admin, per["id"])


def test_who_has_seen_my_data_says_where_my_message_went(new_page: Any, live_server: str) -> None:
    anne = Api(live_server, "pasient3")
    anne.call("POST", "/api/chat/messages", {"client_id": "route-words-1", "body": "Hei, er det noen der?"})
    page = new_page(PHONE)
    login(page, "pasient3")
    expect(page.locator('[data-testid="patient-home"]')).to_be_visible()
    page.goto("/#/hvem-har-sett")
    rows = page.locator('[data-testid="audit-row"]')
    routed = re.compile(
        r"(Meldingen din ble sendt til (botilbudet|kommunen|DPS)|Ingen var på vakt da du skrev) kl\. \d\d:\d\d\."
    )
    expect(rows.filter(has_text=routed).first).to_be_visible()
