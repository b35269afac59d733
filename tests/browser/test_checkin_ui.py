"""The evening check-in in Chromium: the patient on a phone, the supporter on a desktop.

Issue 5, "Done means": the reminder arrives at the scheduled time (a server of
our own with VAPID keys pushes to a local endpoint; the payload is decrypted
and handed to the real service worker, which shows the notification), the
check-in is done in under a minute, a red answer shows the plan and the
emergency numbers and alerts bolig1 (on duty) live in their browser, and the
chart shows the new point.

The shared live server has no VAPID keys, so there the push switch says the
reminders show in the app, and the home screen shows the pending reminder.
pasient5 (Hanne) does the check-ins on the shared server, so the chat tests'
pasient1 (Mona) is left alone; bolig1 (Kari) is on duty for both at 21:30.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, DESKTOP, PHONE, PROJECT_ROOT, _free_port, login
from tests.browser.helpers import answer, poll, stray_words, tap_number, wait_for_socket

# --- helpers ---------------------------------------------------------------------------


def session_user(page: Any) -> dict[str, Any]:
    return page.evaluate(
        "() => fetch('/api/auth/session', {credentials: 'same-origin'}).then((r) => r.json())"
    )["user"]


def checkin_count(page: Any, patient_id: int) -> int:
    return page.evaluate(
        "(id) => fetch(`/api/patients/${id}/checkins?days=28`, {credentials: 'same-origin'})"
        ".then((r) => r.json()).then((d) => d.items.length)",
        patient_id,
    )


# --- the red check-in, live to the supporter on duty ------------------------------------


def test_red_checkin_in_under_a_minute_alerts_kari_live_and_the_chart_shows_it(
    new_page: Any,
) -> None:
    kari = new_page(DESKTOP)
    login(kari, "bolig1")
    expect(kari.get_by_test_id("supporter-home")).to_be_visible()
    wait_for_socket(kari)

    hanne = new_page(PHONE)
    login(hanne, "pasient5")
    expect(hanne.get_by_test_id("patient-home")).to_be_visible()
    hanne_id = session_user(hanne)["id"]
    before = checkin_count(hanne, hanne_id)

    # Hanne's check-in was due at 21:00 and push is off on this server: the home says so.
    pending = hanne.get_by_test_id("checkin-pending")
    expect(pending).to_contain_text("Tid for kveldssjekk")

    started = time.monotonic()
    pending.get_by_test_id("checkin-pending-link").click()
    expect(hanne.get_by_test_id("checkin-form")).to_be_visible()
    expect(hanne.locator("h1")).to_have_text("Kveldssjekk")
    # Her own warning signs from the plan are there to tick.
    signs = hanne.locator('fieldset[data-question="warning_signs"] input[type="checkbox"]')
    expect(signs.first).to_be_visible()
    tap_number(hanne, "pressure", 9)
    answer(hanne, "mood", "Tungt")
    answer(hanne, "sleep", "Dårlig")
    hanne.locator('fieldset[data-question="warning_signs"] .checkin-sign label').first.click()
    answer(hanne, "self_harm_urge", "Litt")
    answer(hanne, "suicidal_thoughts", "Sterke tanker")
    answer(hanne, "wants_contact", "Nei takk")
    hanne.get_by_test_id("checkin-send").dblclick()  # a double tap sends once

    result = hanne.get_by_test_id("checkin-result")
    expect(result).to_have_attribute("data-level", "red")
    expect(result).not_to_contain_text("null")
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"the check-in took {elapsed:.1f} s"

    # The plan and the numbers at once, the chat offered, and honest words about the alert.
    expect(hanne.get_by_test_id("checkin-plan-link")).to_be_visible()
    expect(hanne.get_by_test_id("checkin-plan-link")).to_have_attribute("href", "#/kriseplan")
    numbers = result.get_by_test_id("checkin-numbers")
    expect(numbers.locator('a[href="tel:113"]')).to_be_visible()
    expect(numbers.locator('a[href="tel:116123"]')).to_be_visible()
    expect(hanne.get_by_test_id("checkin-chat-link")).to_have_attribute("href", "#/chat")
    status = hanne.get_by_test_id("checkin-alert-status")
    expect(status).to_have_attribute("data-status", "told")
    expect(status).to_contain_text("den som er på vakt i botilbudet")

    # Kari gets it live on her home screen, and tonight's list has Hanne first, red.
    alert = kari.get_by_test_id("checkin-alert").filter(has_text="Hanne")
    expect(alert).to_contain_text("Noen trenger deg: Hanne (rød)", timeout=10_000)
    alert.get_by_role("link", name="Kveldens sjekker").click()
    first = kari.get_by_test_id("tonight-item").first
    expect(first).to_have_attribute("data-level", "red")
    expect(first).to_contain_text("Hanne")
    expect(first).to_contain_text("sterke selvmordstanker")

    # Exactly one new check-in, and it is the new point on Hanne's chart.
    hanne.get_by_test_id("checkin-trend-link").click()
    chart = hanne.get_by_test_id("checkin-chart")
    expect(chart).to_have_attribute("data-points", str(before + 1))
    expect(chart.locator("canvas")).to_be_visible()
    rows = hanne.get_by_test_id("trend-row")
    expect(rows).to_have_count(before + 1)
    expect(rows.first).to_have_attribute("data-level", "red")
    expect(rows.first).to_contain_text("Rød")
    expect(rows.first).to_contain_text("9 av 10")
    assert checkin_count(hanne, hanne_id) == before + 1


def test_a_lost_answer_is_resent_with_the_same_key_and_yellow_shows_my_own_steps(
    new_page: Any,
) -> None:
    hanne = new_page(PHONE)
    login(hanne, "pasient5")
    expect(hanne.get_by_test_id("patient-home")).to_be_visible()
    hanne_id = session_user(hanne)["id"]
    before = checkin_count(hanne, hanne_id)

    # The first answer is lost on the way back: the server has the check-in, the phone does not know.
    keys: list[str] = []
    lost = {"done": False}

    def lose_first_answer(route: Any) -> None:
        keys.append(json.loads(route.request.post_data)["idempotency_key"])
        if not lost["done"]:
            lost["done"] = True
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    hanne.route("**/api/checkins", lose_first_answer)
    hanne.goto("/#/kveldssjekk")
    expect(hanne.get_by_test_id("checkin-form")).to_be_visible()
    tap_number(hanne, "pressure", 6)
    answer(hanne, "mood", "Sånn passe")
    answer(hanne, "sleep", "Greit")
    answer(hanne, "self_harm_urge", "Nei")
    answer(hanne, "suicidal_thoughts", "Nei")
    answer(hanne, "wants_contact", "Ja, gjerne")
    hanne.get_by_test_id("checkin-send").click()
    # The answers wait on the phone and are sent again with the same key.
    expect(hanne.get_by_test_id("checkin-queued-text")).to_contain_text("Svarene dine er lagret på telefonen")
    hanne.get_by_test_id("checkin-send-now").click()

    result = hanne.get_by_test_id("checkin-result")
    expect(result).to_have_attribute("data-level", "yellow")
    expect(result).not_to_contain_text("null")
    assert len(keys) == 2 and keys[0] == keys[1], keys
    assert checkin_count(hanne, hanne_id) == before + 1
    # Her own "what I can do myself" steps, and the contact she asked for goes to the chat.
    help_box = hanne.get_by_test_id("checkin-self-help")
    expect(help_box).to_contain_text("Dette har du skrevet at du kan gjøre selv")
    expect(help_box.locator("li").first).to_be_visible()
    contact = hanne.get_by_test_id("checkin-contact")
    expect(contact).to_contain_text("Ønsket ditt er sendt til den som er på vakt i botilbudet")
    expect(contact.get_by_role("link", name="Åpne chatten")).to_have_attribute("href", "#/chat")


def test_unanswered_questions_are_marked_and_nothing_is_sent(new_page: Any) -> None:
    tor = new_page(PHONE)
    login(tor, "pasient4")
    expect(tor.get_by_test_id("patient-home")).to_be_visible()
    posts: list[str] = []
    tor.on(
        "request", lambda r: posts.append(r.url) if r.method == "POST" and "/api/checkins" in r.url else None
    )
    tor.get_by_role("link", name="Kveldssjekk").click()
    expect(tor.get_by_test_id("checkin-form")).to_be_visible()
    assert stray_words(tor) == []
    tap_number(tor, "pressure", 2)
    tor.get_by_test_id("checkin-send").click()
    expect(tor.get_by_role("alert")).to_contain_text("Svar på 4 spørsmål til")
    expect(tor.locator(".checkin-q-missing")).to_have_count(4)
    expect(tor.locator('fieldset[data-question="mood"] input').first).to_be_focused()
    assert posts == []


# --- settings: schedule and push switch ---------------------------------------------------


def test_patient_sets_times_days_night_quiet_hours_and_what_happens_if_missed(new_page: Any) -> None:
    tor = new_page(PHONE)
    login(tor, "pasient4")
    expect(tor.get_by_test_id("patient-home")).to_be_visible()
    tor.goto("/#/kveldssjekk/innstillinger")
    form = tor.get_by_test_id("schedule-form")
    expect(form).to_be_visible()
    # This server has no VAPID keys: the switch says the reminder shows in the app.
    expect(tor.get_by_test_id("push-switch")).to_be_disabled()
    expect(tor.get_by_test_id("push-status")).to_contain_text("vises her i appen")

    tor.get_by_test_id("schedule-evening").fill("21:15")
    # Tor's demo days are Monday to Friday: Saturday on, Friday off.
    expect(form.get_by_label("lørdag")).not_to_be_checked()
    form.locator(".day-check label").filter(has_text="lørdag").click()
    form.locator(".day-check label").filter(has_text="fredag").click()
    tor.get_by_test_id("schedule-night-on").check()
    tor.get_by_test_id("schedule-night").fill("02:00")
    tor.get_by_test_id("schedule-quiet-on").check()
    form.get_by_label("Fra", exact=True).fill("01:00")
    form.get_by_label("Til", exact=True).fill("07:00")
    tor.get_by_test_id("schedule-missed-tell_on_duty").check()
    tor.get_by_test_id("schedule-save").click()
    expect(form.get_by_role("alert")).to_contain_text("inne i de stille timene")

    tor.get_by_test_id("schedule-night").fill("23:45")
    tor.get_by_test_id("schedule-save").click()
    expect(form.get_by_role("status")).to_contain_text("Lagret. Kveldssjekken kommer kl. 21:15.")

    tor.reload()
    form = tor.get_by_test_id("schedule-form")
    expect(tor.get_by_test_id("schedule-evening")).to_have_value("21:15")
    expect(tor.get_by_test_id("schedule-night")).to_have_value("23:45")
    expect(form.get_by_label("lørdag")).to_be_checked()
    expect(form.get_by_label("fredag")).not_to_be_checked()
    expect(form.get_by_label("søndag")).not_to_be_checked()
    expect(form.get_by_label("mandag")).to_be_checked()
    expect(tor.get_by_test_id("schedule-missed-tell_on_duty")).to_be_checked()


# --- the supporter: patient page, discharge, recently discharged ----------------------------


def test_supporter_records_a_discharge_sees_the_trend_and_records_contact(new_page: Any) -> None:
    kari = new_page(DESKTOP)
    login(kari, "bolig1")
    expect(kari.get_by_test_id("supporter-home")).to_be_visible()
    kari.get_by_role("link", name="Anne", exact=True).click()
    page = kari.get_by_test_id("supporter-patient")
    expect(page.locator("h1")).to_have_text("Anne")
    expect(page.get_by_test_id("patient-schedule")).to_contain_text("Kveldssjekk kl. 20:30")
    # The last four weeks: the chart (colour and shape, with its key) and the table.
    chart = page.get_by_test_id("checkin-chart")
    expect(chart).to_be_visible()
    assert int(chart.get_attribute("data-points") or "0") > 10
    expect(page.locator(".checkin-key")).to_contain_text("Gul trekant")
    expect(page.get_by_test_id("trend-row").first).to_be_visible()

    kari.get_by_test_id("discharge-date").fill("2026-11-20")
    kari.get_by_test_id("discharge-save").click()
    expect(page.get_by_test_id("discharge-form").get_by_role("status")).to_contain_text(
        "Anne følges tett opp til og med 4. desember 2026"
    )

    kari.goto("/#/i-kveld")
    anne = kari.get_by_role("link", name="Anne", exact=True)
    row = kari.get_by_test_id("discharged-item").filter(has=anne)
    expect(row).to_contain_text("Dag 3 etter utskrivelse")
    row.get_by_test_id("discharge-contact").click()
    expect(kari.get_by_text("Kontakt med Anne er registrert.")).to_be_visible()
    expect(kari.get_by_test_id("discharged-item").filter(has=anne)).to_have_count(0)


def test_tonight_tells_a_supporter_who_is_off_duty_why_the_list_is_empty(new_page: Any) -> None:
    """Monday 21:30: the bolig rotation has Kari on, Lise (bolig2) off. Her list
    is empty because she is not on duty, and she is told so, with her next shift."""
    page = new_page(DESKTOP)
    login(page, "bolig2")
    expect(page.locator('[data-testid="supporter-home"]')).to_be_visible()
    page.goto("/#/i-kveld")
    empty = page.locator('[data-testid="tonight-empty"]')
    expect(empty).to_contain_text("Du er ikke på vakt nå, så det kommer ingen kveldssjekker hit.")
    expect(empty).to_contain_text("Neste vakt:")
    expect(page.locator('[data-testid="tonight-item"]')).to_have_count(0)


# --- web push with a server of our own ------------------------------------------------------


class PushEndpoint:
    """A push service on loopback: accepts and keeps every POST."""

    def __init__(self) -> None:
        received: list[dict[str, Any]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def push_setup(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A nattlys server with VAPID keys whose clock stands just before pasient1's
    20:00 check-in, a local push endpoint, and the browser's subscription keys."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    nattlys = [sys.executable, "-m", "nattlys"]
    env = {
        **os.environ,
        "NATTLYS_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'nattlys.db'}",
        "NATTLYS_DEMO_PASSWORD": DEMO_PASSWORD,
        "REDIS_URL": "",
        "CLOCK_START": "2026-11-23T19:55:00+01:00",
        # The reminder job is run below at the scheduled minute, as the scheduler's tick would.
        "SCHEDULER": "off",
    }
    vapid = subprocess.run(
        [*nattlys, "vapid", "generate", "--subject", "mailto:test@nattlys.invalid"],
        env=env,
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    env.update(dict(line.split("=", 1) for line in vapid.strip().splitlines() if "=" in line))
    for step in (["db", "upgrade"], ["demo"]):
        subprocess.run([*nattlys, *step], env=env, cwd=PROJECT_ROOT, check=True, capture_output=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [*nattlys, "serve", "--port", str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    endpoint = PushEndpoint()
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    auth = os.urandom(16)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as r:  # noqa: S310 - loopback
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("nattlys serve did not start:\n" + (tmp_path / "server.log").read_text()[-3000:])
            time.sleep(0.2)
        yield {
            "base": base,
            "env": env,
            "endpoint": endpoint,
            "subscription": {
                "endpoint": f"{endpoint.url}/push/pasient1-phone",
                "p256dh": _b64url(public),
                "auth": _b64url(auth),
            },
            "private_key": private,
            "auth": auth,
        }
    finally:
        endpoint.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(os.getpgid(proc.pid), signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(os.getpgid(proc.pid), signal.SIGKILL)
        log.close()


# Headless Chromium has no push service of its own, so pushManager hands out a
# subscription at the local endpoint with keys the test holds; everything else
# (permission, VAPID key, POST to the server, the service worker) is the real thing.
FAKE_PUSH_MANAGER = """
(() => {
  const cfg = %s;
  const KEY = 'test.fake-push';
  const make = (appKey) => ({
    endpoint: cfg.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true, applicationServerKey: appKey },
    toJSON() { return { endpoint: cfg.endpoint, expirationTime: null, keys: { p256dh: cfg.p256dh, auth: cfg.auth } }; },
    async unsubscribe() { localStorage.removeItem(KEY); return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    if (!options || !options.applicationServerKey || options.applicationServerKey.length !== 65) {
      throw new DOMException('no VAPID key', 'InvalidAccessError');
    }
    localStorage.setItem(KEY, '1');
    return make(options.applicationServerKey);
  };
  PushManager.prototype.getSubscription = async function () {
    return localStorage.getItem(KEY) ? make(null) : null;
  };
})();
"""

# The service worker tells open windows what it has just shown (headless
# Chromium has no notification centre and soon closes the notification itself).
WATCH_NOTIFICATIONS = """
() => {
  window.__shown = null;
  navigator.serviceWorker.addEventListener('message', (event) => {
    const m = event.data;
    if (m && m.type === 'push-shown' && !window.__shown) {
      window.__shown = [{ title: m.title, body: m.body, url: m.url }];
    }
  });
}
"""

RUN_REMINDERS_ONCE = """
from nattlys import create_app
from nattlys.push.service import dispatcher
from nattlys.scheduler import checkin_reminders
app = create_app()
with app.app_context():
    checkin_reminders()
    assert dispatcher(app).drain(15)
"""


def test_reminder_is_pushed_at_the_scheduled_time_and_shown_by_the_service_worker(
    browser: Any, push_setup: dict[str, Any]
) -> None:
    import http_ece

    base = push_setup["base"]
    context = browser.new_context(base_url=base, locale="nb-NO", timezone_id="Europe/Oslo", **PHONE)
    problems: list[str] = []
    try:
        context.grant_permissions(["notifications"], origin=base)
        context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(push_setup["subscription"]))
        mona = context.new_page()
        mona.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        login(mona, "pasient1")
        expect(mona.get_by_test_id("patient-home")).to_be_visible()
        poll(mona, "() => navigator.serviceWorker.controller !== null", timeout=10)

        mona.goto("/#/kveldssjekk/innstillinger")
        switch = mona.get_by_test_id("push-switch")
        expect(switch).to_be_enabled()
        expect(switch).not_to_be_checked()
        switch.check()
        expect(mona.get_by_test_id("push-status")).to_contain_text("Påminnelsen kommer på denne telefonen")
        expect(switch).to_be_checked()

        # 20:00 (pasient1's time in the demo): the scheduler's minute tick, run once
        # with the clock 20 seconds past the scheduled time.
        env = {**push_setup["env"], "CLOCK_START": "2026-11-23T20:00:20+01:00"}
        subprocess.run(
            [sys.executable, "-c", RUN_REMINDERS_ONCE], env=env, cwd=PROJECT_ROOT, check=True, timeout=60
        )
        received = push_setup["endpoint"].received
        assert len(received) == 1, received
        push = received[0]
        headers = {k.lower(): v for k, v in push["headers"].items()}
        assert push["path"] == "/push/pasient1-phone"
        assert headers["content-encoding"] == "aes128gcm"
        assert headers["authorization"].startswith("vapid t=")
        assert int(headers["ttl"]) > 0 and headers.get("urgency")
        payload = http_ece.decrypt(
            push["body"],
            private_key=push_setup["private_key"],
            auth_secret=push_setup["auth"],
            version="aes128gcm",
        )
        data = json.loads(payload)
        assert data["title"] == "Tid for kveldssjekk" and data["url"] == "/#/kveldssjekk", data

        # The decrypted message, delivered to the real service worker, becomes the notification.
        cdp = context.new_cdp_session(mona)
        registrations: list[dict[str, Any]] = []
        cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
        cdp.send("ServiceWorker.enable")
        deadline = time.monotonic() + 5
        while not registrations and time.monotonic() < deadline:
            mona.wait_for_timeout(100)
        registration = next(r for r in registrations if r["scopeURL"].startswith(base))
        mona.evaluate(WATCH_NOTIFICATIONS)
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": base, "registrationId": registration["registrationId"], "data": payload.decode()},
        )
        shown = poll(
            mona,
            "() => window.__shown",
        )
        assert shown == [{"title": "Tid for kveldssjekk", "body": "Åpne Nattlys", "url": "/#/kveldssjekk"}], (
            shown
        )

        # The tap opens the check-in.
        mona.goto(shown[0]["url"])
        expect(mona.get_by_test_id("checkin-form")).to_be_visible()

        # Turning it off forgets the subscription on the server too.
        mona.goto("/#/kveldssjekk/innstillinger")
        expect(switch).to_be_checked()
        with mona.expect_response(
            lambda r: r.request.method == "DELETE" and r.url.endswith("/api/push/subscriptions")
        ) as deleted:
            switch.uncheck()
        assert deleted.value.status == 204
        expect(mona.get_by_test_id("push-status")).to_contain_text("Av.")
    finally:
        context.close()
    assert not problems, problems
