"""The chat in two Chromium windows: the patient on a phone, supporters on desktops.

Issue 6, "Done means": pasient1 writes while bolig1 is on duty and bolig1 gets
it live; bolig1 does not answer and after the tier's limit the conversation
reaches kommune1; with the patient's network off a message waits in the outbox
("Ikke sendt ennå") and is delivered once back online; the server is restarted
mid-conversation and nothing is lost.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    CLOCK_START,
    DEMO_PASSWORD,
    DESKTOP,
    PHONE,
    PROJECT_ROOT,
    Api,
    _free_port,
    login,
)
from tests.browser.helpers import bubble, open_chat, write

NOT_SENT = "Ikke sendt ennå"


def patient_id(api: Api, username: str) -> int:
    return next(p["id"] for p in api.call("GET", "/api/patients") if p["username"] == username)


def set_escalation_minutes(base: str, username: str, minutes: int) -> None:
    """Keep the circle (bolig → kommune → DPS, primary contact) but shorten every tier's limit."""
    admin = Api(base, "admin")
    pid = patient_id(admin, username)
    circle = admin.call("GET", f"/api/patients/{pid}/care-circle")
    kinds = [[team["kind"] for team in tier["teams"]] for tier in circle["tiers"]]
    assert kinds[:3] == [["bolig"], ["kommune"], ["dps"]], kinds
    update = {
        "tiers": [
            {"team_ids": [team["id"] for team in tier["teams"]], "escalate_after_minutes": minutes}
            for tier in circle["tiers"]
        ],
        "primary_contact_ids": [person["id"] for person in circle["primary_contacts"]],
    }
    admin.call("PUT", f"/api/patients/{pid}/care-circle", update)


def test_patient_writes_it_escalates_and_the_outbox_delivers_after_offline(
    new_page: Any, live_server: str
) -> None:
    set_escalation_minutes(live_server, "pasient1", 1)
    tag = uuid.uuid4().hex[:6]

    kari = new_page(DESKTOP)
    login(kari, "bolig1")
    expect(kari.locator('[data-testid="inbox-link"]')).to_be_visible()
    kari.locator('[data-testid="inbox-link"]').click()
    expect(kari.locator('[data-testid="inbox"]')).to_be_visible()

    ingrid = new_page(DESKTOP)
    login(ingrid, "kommune1")
    expect(ingrid.locator('[data-testid="inbox-link"]')).to_be_visible()
    ingrid.goto("/#/innboks")
    expect(ingrid.locator('[data-testid="inbox"]')).to_be_visible()

    mona = new_page(PHONE)
    dialogs: list[str] = []
    mona.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))  # type: ignore[func-returns-value]  # called for its side effect
    login(mona, "pasient1")
    open_chat(mona)
    expect(mona.locator('[data-testid="emergency-numbers"]')).to_be_visible()
    expect(mona.locator('[data-testid="crisis-plan-link"]')).to_have_attribute("href", "#/kriseplan")

    first = f"Hei, det er tungt i kveld {tag} <script>alert('x')</script>"
    write(mona, first)
    expect(bubble(mona, first)).to_be_visible()  # shown as text, never run
    expect(bubble(mona, first).locator('[data-testid="not-sent"]')).to_have_count(0, timeout=10_000)

    # Kari's inbox (already open, not reloaded) gets it live.
    kari_item = kari.locator('[data-testid="inbox-item"][data-patient="Mona"]')
    expect(kari_item).to_be_visible(timeout=10_000)
    kari_item.locator("a").click()
    expect(kari.locator('[data-testid="conversation"]')).to_be_visible()
    expect(kari.locator('[data-testid="chat-messages"]')).to_contain_text(first)
    expect(kari.locator('[data-testid="take"]')).to_be_visible()
    # Kari's window confirmed delivery; the patient is told honestly.
    expect(mona.locator('[data-testid="chat-status"]')).to_contain_text(
        re.compile("Levert|Sendt"), timeout=10_000
    )
    expect(mona.locator('[data-testid="chat-wait"]')).to_contain_text("Forventet svar innen ca.")

    # Kari does not answer: after the one-minute limit the conversation moves on.
    ingrid_item = ingrid.locator('[data-testid="inbox-item"][data-patient="Mona"]')
    expect(ingrid_item).to_be_visible(timeout=80_000)
    expect(mona.locator('[data-testid="chat-status"]')).to_contain_text(
        re.compile("sendt videre", re.IGNORECASE), timeout=10_000
    )
    expect(mona.locator('[data-testid="chat-status"]')).to_contain_text("kommunen")

    ingrid_item.locator("a").click()
    expect(ingrid.locator('[data-testid="chat-messages"]')).to_contain_text(first)
    ingrid.locator('[data-testid="take"]').click()
    expect(ingrid.locator('[data-testid="close"]')).to_be_visible()
    ingrid.locator("#reply-input").fill(f"Hei Mona, dette er Ingrid {tag}.")
    ingrid.locator("#reply-input").press("Enter")
    answer = bubble(mona, f"dette er Ingrid {tag}")
    expect(answer).to_be_visible(timeout=10_000)
    expect(answer.locator(".chat-who")).to_have_text("Ingrid (kommunen)")
    expect(mona.locator('[data-testid="chat-status"]')).to_contain_text("Ingrid (kommunen)")

    # The network goes; the message waits in the outbox with a visible mark.
    mona.context.set_offline(True)
    offline_text = f"Er du der fortsatt? {tag}"
    write(mona, offline_text)
    waiting = bubble(mona, offline_text)
    expect(waiting.locator('[data-testid="not-sent"]')).to_have_text(NOT_SENT)
    mona.wait_for_timeout(2500)
    expect(waiting.locator('[data-testid="not-sent"]')).to_have_text(NOT_SENT)
    expect(ingrid.locator('[data-testid="chat-messages"]')).not_to_contain_text(offline_text)

    # Back online: sent from the outbox, the mark goes, and Ingrid has it.
    mona.context.set_offline(False)
    expect(waiting.locator('[data-testid="not-sent"]')).to_have_count(0, timeout=20_000)
    expect(ingrid.locator('[data-testid="chat-messages"]')).to_contain_text(offline_text, timeout=15_000)
    assert (
        mona.evaluate("Object.keys(localStorage).filter(k => k.startsWith('nattlys.chat-outbox.')).length")
        == 0
    )

    # Reloaded, the history is all there exactly once.
    mona.reload()
    expect(mona.locator('[data-testid="chat"]')).to_be_visible()
    expect(bubble(mona, offline_text)).to_have_count(1)
    expect(bubble(mona, first)).to_have_count(1)
    # Kari's window learns that the offer has moved on (socket, or the 30 s poll).
    expect(kari.locator('[data-testid="take"]')).to_be_hidden(timeout=40_000)
    assert not dialogs
    assert mona.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_composer_keeps_within_the_limit_kindly(new_page: Any) -> None:
    page = new_page(PHONE)
    login(page, "pasient4")
    open_chat(page)
    expect(page.locator('[data-testid="chat-message"]').last).to_be_visible()  # her earlier chats
    box = page.locator("#chat-input")
    box.fill("x" * 4001)
    box.press("Enter")
    expect(page.locator(".chat-count")).to_contain_text("maks 4000")
    # Not sent, and kept for her to shorten.
    expect(page.locator('[data-testid="chat-message"]').filter(has_text="x" * 100)).to_have_count(0)
    expect(box).to_have_value("x" * 4001)


# --- a server of our own, restarted mid-conversation ------------------------------------


class OwnServer:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "NATTLYS_ENV": "development",
            "DATABASE_URL": f"sqlite:///{workdir / 'nattlys.db'}",
            "NATTLYS_DEMO_PASSWORD": DEMO_PASSWORD,
            "REDIS_URL": "",
            "CLOCK_START": CLOCK_START,
            "SCHEDULER": "embedded",
        }
        self.proc: subprocess.Popen[bytes] | None = None
        nattlys = [sys.executable, "-m", "nattlys"]
        for step in (["db", "upgrade"], ["demo"]):
            subprocess.run([*nattlys, *step], env=self.env, cwd=PROJECT_ROOT, check=True, capture_output=True)

    def start(self) -> None:
        log = open(self.workdir / "server.log", "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nattlys", "serve", "--port", str(self.port)],
            env=self.env,
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1) as r:  # noqa: S310
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(
                    "nattlys serve did not start:\n" + (self.workdir / "server.log").read_text()[-3000:]
                )
            time.sleep(0.2)

    def stop(self, *, crash: bool = False) -> None:
        """Stop gunicorn's master and its worker (the whole process group);
        `crash` kills them at once, as a power cut would."""
        if self.proc is None:
            return
        group = os.getpgid(self.proc.pid)
        os.killpg(group, signal.SIGKILL if crash else signal.SIGTERM)
        try:
            self.proc.wait(timeout=12)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.proc.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)  # a worker left behind
        self.proc = None


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[OwnServer]:
    server = OwnServer(tmp_path)
    server.start()
    yield server
    server.stop()


def test_server_restart_mid_conversation_loses_nothing(browser: Any, own_server: OwnServer) -> None:
    problems: list[str] = []
    contexts = []

    def window(device: dict[str, Any]) -> Any:
        context = browser.new_context(
            base_url=own_server.base, locale="nb-NO", timezone_id="Europe/Oslo", **device
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        return page

    try:
        kari = window(DESKTOP)
        login(kari, "bolig1")
        expect(kari.locator('[data-testid="inbox-link"]')).to_be_visible()
        mona = window(PHONE)
        login(mona, "pasient1")
        open_chat(mona)

        write(mona, "Før omstart")
        expect(bubble(mona, "Før omstart").locator('[data-testid="not-sent"]')).to_have_count(
            0, timeout=10_000
        )
        kari.goto("/#/innboks")
        kari.locator('[data-testid="inbox-item"][data-patient="Mona"] a').click()
        kari.locator('[data-testid="take"]').click()
        expect(kari.locator('[data-testid="close"]')).to_be_visible()
        kari.locator("#reply-input").fill("Kari her, jeg leser")
        kari.locator("#reply-input").press("Enter")
        expect(bubble(mona, "Kari her, jeg leser")).to_be_visible(timeout=10_000)

        # The server goes down hard; what Mona writes now waits in her outbox.
        own_server.stop(crash=True)
        write(mona, "Under omstart")
        expect(bubble(mona, "Under omstart").locator('[data-testid="not-sent"]')).to_have_text(NOT_SENT)

        own_server.start()
        # The socket reconnects by itself and the outbox is sent.
        expect(bubble(mona, "Under omstart").locator('[data-testid="not-sent"]')).to_have_count(
            0, timeout=25_000
        )
        expect(kari.locator('[data-testid="chat-messages"]')).to_contain_text("Under omstart", timeout=15_000)

        for page in (mona, kari):
            page.reload()
            messages = page.locator('[data-testid="chat-messages"]')
            for text in ("Før omstart", "Kari her, jeg leser", "Under omstart"):
                expect(messages.locator('[data-testid="chat-message"]').filter(has_text=text)).to_have_count(
                    1
                )
        expect(kari.locator('[data-testid="close"]')).to_be_visible()
    finally:
        for context in contexts:
            context.close()
    assert not problems, problems
