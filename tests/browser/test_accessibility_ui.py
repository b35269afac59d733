"""Issue 17: usable with a screen reader, a keyboard and big text.

What a screen reader hears is read from the chat's live region in Chromium;
what the fixed emergency bar covers is measured with elementFromPoint.
"""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, Api, login

SAID = "() => document.querySelector('[data-testid=\"chat-announcer\"]').textContent"


def write(page: Any, text: str) -> None:
    box = page.locator("#chat-input")
    box.fill(text)
    box.press("Enter")


def test_a_new_chat_message_is_announced_once_with_its_sender(new_page: Any, live_server: str) -> None:
    tag = uuid.uuid4().hex[:6]
    jon = new_page(PHONE)
    login(jon, "pasient7")
    expect(jon.get_by_test_id("patient-home")).to_be_visible()
    jon.goto("/#/chat")
    write(jon, f"Hei, er det noen der? {tag}")
    mine = jon.get_by_test_id("chat-message").filter(has_text="er det noen der?")
    expect(mine.get_by_test_id("not-sent")).to_have_count(0, timeout=10_000)

    # The list keeps its list semantics; what is new is said elsewhere.
    messages = jon.get_by_test_id("chat-messages")
    assert messages.evaluate(
        "(list) => [list.tagName, list.getAttribute('role'), list.getAttribute('aria-live')]"
    ) == ["OL", None, None]
    announcer = jon.get_by_test_id("chat-announcer")
    expect(announcer).to_have_attribute("aria-live", "polite")
    assert jon.evaluate(SAID) == ""  # neither the history nor her own message
    mine.evaluate("(node) => { node.dataset.keep = 'yes'; }")

    ingrid = Api(live_server, "kommune1")
    conversation = next(
        row for row in ingrid.call("GET", "/api/chat/inbox") if row["patient_name"].startswith("Jon")
    )
    answer = f"Ja, jeg er her. {tag}"
    path = f"/api/chat/conversations/{conversation['conversation_id']}/messages"
    ingrid.call("POST", path, {"client_id": f"a11y-{tag}", "body": answer})

    expect(jon.get_by_test_id("chat-message").filter(has_text=answer)).to_be_visible(timeout=10_000)
    expect(announcer).to_have_text(f"Ny melding fra Ingrid (kommunen): {answer}")

    # A sync (back online), a poll and her next message render the list again: nothing is said again.
    jon.evaluate("window.dispatchEvent(new Event('online'))")
    jon.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    write(jon, f"Takk {tag}")
    expect(
        jon.get_by_test_id("chat-message").filter(has_text=f"Takk {tag}").get_by_test_id("not-sent")
    ).to_have_count(0, timeout=10_000)
    jon.wait_for_timeout(500)
    assert jon.evaluate(SAID) == f"Ny melding fra Ingrid (kommunen): {answer}"
    # Only the new messages were added: what was there is the same node.
    expect(mine).to_have_attribute("data-keep", "yes")
    expect(messages.locator(":scope > li")).not_to_have_count(0)

    # The supporter's conversation says the patient's new message once too.
    desk = new_page(DESKTOP)
    login(desk, "kommune1")
    desk.goto(f"/#/samtale/{conversation['conversation_id']}")
    expect(desk.get_by_test_id("chat-messages")).to_contain_text(answer)
    desk_announcer = desk.get_by_test_id("chat-announcer")
    assert desk_announcer.text_content() == ""
    write(jon, f"Det hjelper {tag}")
    expect(desk_announcer).to_have_text(f"Ny melding fra Jon: Det hjelper {tag}", timeout=10_000)
    desk.locator("#reply-input").fill(f"Så fint {tag}")
    desk.locator("#reply-input").press("Enter")
    expect(desk.get_by_test_id("chat-message").filter(has_text=f"Så fint {tag}")).to_be_visible()
    desk.wait_for_timeout(500)
    expect(desk_announcer).to_have_text(f"Ny melding fra Jon: Det hjelper {tag}")
