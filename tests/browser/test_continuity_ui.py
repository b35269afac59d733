"""Shift change mid-chat, in Chromium on phone-sized windows (issue 12.5).

A server of our own with the demo data, its clock started at 21:57:30 on the
Monday evening: bolig1 Kari is on duty until 22:00, kommune1 Ingrid until
23:00. Mona writes, Kari takes the chat and is asked for a handover note before
her shift ends; at 22:00 the server passes the chat on, Mona and Ingrid are
told in the chat, Ingrid sees the summary with Kari's note once, takes over,
and both are told who did.

Records (`timing`) the seconds from Mona's send to "Sendt" and from the end of
Kari's shift (server time) to Mona's screen changing (run with -s to see them).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Api, login, serve_demo, watched_pages
from tests.browser.helpers import bubble, open_chat, wait_for_socket, write

CLOCK = "2026-11-23T21:57:30+01:00"
SHIFT_ENDS = datetime.fromisoformat("2026-11-23T22:00:00+01:00")


@pytest.fixture(scope="module")
def shift_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve_demo(tmp_path_factory.mktemp("continuity"), CLOCK_START=CLOCK)


@pytest.fixture
def pages(browser: Any, shift_server: str) -> Iterator[Any]:
    yield from watched_pages(browser, shift_server)


def server_offset(api: Api) -> float:
    """Server clock minus this machine's, in seconds."""
    server_now = datetime.fromisoformat(api.call("GET", "/api/auth/session")["server_time"])
    return server_now.timestamp() - time.time()


def test_shift_change_mid_chat_tells_both_sides_and_shows_the_summary_once(
    pages: Any, shift_server: str, timing: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    mona = pages(PHONE)
    login(mona, "pasient1")
    open_chat(mona)
    first = f"Jeg får ikke sove {tag}"
    sent = time.monotonic()
    write(mona, first)
    expect(bubble(mona, first).locator('[data-testid="not-sent"]')).to_have_count(0, timeout=10_000)
    expect(mona.locator('[data-testid="chat-status"]')).to_contain_text("Sendt", timeout=10_000)
    timing("shift change: patient's send -> 'Sendt' to the one on duty", time.monotonic() - sent)

    kari_api = Api(shift_server, "bolig1")
    offset = server_offset(kari_api)
    [item] = [i for i in kari_api.call("GET", "/api/chat/inbox") if i["patient_name"] == "Mona"]
    conversation = item["conversation_id"]

    kari = pages(PHONE)
    login(kari, "bolig1")
    expect(kari.locator('[data-testid="inbox-link"]')).to_be_visible()
    kari.goto(f"/#/samtale/{conversation}")
    expect(kari.locator('[data-testid="take"]')).to_be_visible(timeout=10_000)
    kari.locator('[data-testid="take"]').click()
    kari.locator("#reply-input").fill(f"Hei Mona, jeg er her {tag}")
    kari.locator("#reply-input").press("Enter")
    expect(bubble(mona, f"jeg er her {tag}")).to_be_visible(timeout=10_000)

    # Less than 15 minutes of Kari's shift are left: she is asked for a note.
    request = kari.locator('[data-testid="note-request"]')
    expect(request).to_be_visible(timeout=15_000)
    expect(request).to_contain_text("Vakten din slutter kl. 22:00")
    note = f"Sover dårlig, vil gjerne snakke litt {tag}"
    request.locator("#shift-note").fill(note)
    request.locator('[data-testid="shift-note-save"]').click()
    expect(request).to_contain_text("Notatet er lagret")

    ingrid = pages(PHONE)
    login(ingrid, "kommune1")
    expect(ingrid.locator('[data-testid="inbox-link"]')).to_be_visible()
    ingrid.goto("/#/innboks")
    expect(ingrid.locator('[data-testid="inbox"]')).to_be_visible()
    wait_for_socket(ingrid)
    wait_for_socket(mona)
    assert time.time() + offset < SHIFT_ENDS.timestamp(), "the setup took past 22:00"

    # 22:00: Kari goes off duty. Mona is told in the chat, from what the server did.
    gone = mona.locator('[data-testid="chat-notice"][data-code="shift_ended_offered"]')
    expect(gone).to_be_visible(timeout=150_000)
    seen_at = time.time() + offset
    timing(
        "shift change: shift end (server clock) -> patient told in the chat", seen_at - SHIFT_ENDS.timestamp()
    )
    expect(gone).to_contain_text("Kari har gått av vakt. Vi gir beskjed til kommunen nå.")
    expect(mona.locator('[data-testid="chat-status"]')).to_contain_text("Sendt videre til kommunen")
    # A screen reader hears it too.
    expect(mona.get_by_test_id("chat-announcer").locator("p").last).to_have_text(
        "Kari har gått av vakt. Vi gir beskjed til kommunen nå."
    )

    # Ingrid's inbox: offered, with the summary (the note included) once.
    row = ingrid.locator('[data-testid="inbox-item"][data-patient="Mona"]')
    expect(row).to_be_visible(timeout=15_000)
    expect(row.locator('[data-testid="inbox-summary"]')).to_have_count(1)
    expect(row.locator('[data-testid="inbox-summary"]')).to_contain_text(note)
    row.locator("a").click()
    expect(ingrid.locator('[data-testid="conversation"]')).to_be_visible()
    summary = ingrid.locator('[data-testid="shift-summary"]')
    expect(summary).to_have_count(1)
    expect(summary).to_contain_text("Kari gikk av vakt")
    expect(summary).to_contain_text(note)
    expect(ingrid.locator('[data-testid="inbox-summary"]')).to_have_count(0)  # not again beside it
    expect(ingrid.locator('[data-testid="chat-notice"]')).to_contain_text("Kari har gått av vakt.")

    # Ingrid takes over: both sides are told who did.
    ingrid.locator('[data-testid="take"]').click()
    taken = "Kari har gått av vakt. Ingrid har tatt over."
    expect(mona.locator('[data-testid="chat-notice"][data-code="taken_over"]')).to_contain_text(
        taken, timeout=10_000
    )
    expect(ingrid.locator('[data-testid="chat-notice"][data-code="taken_over"]')).to_contain_text(
        taken, timeout=10_000
    )
    expect(mona.locator('[data-testid="chat-status"]')).to_contain_text("Ingrid")
    # The server's lines are said once each.
    expect(mona.locator('[data-testid="chat-notice"]')).to_have_count(2)
    said = mona.get_by_test_id("chat-announcer").locator("p").all_text_contents()
    assert said[-2:] == ["Kari har gått av vakt. Vi gir beskjed til kommunen nå.", taken], said
    assert said.count(taken) == 1, said
    assert mona.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
