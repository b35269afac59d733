"""Issue 17.9: the patient's evening with the keyboard only. Anne logs in,
answers the check-in and writes in the chat without a single click: Tab to
move, arrow keys within a question, Space and Enter to act. On a server of its
own, so her check-in and message change nothing the other tests count."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, PHONE, serve_demo, watched_pages

# What has the focus now: the element, its question and the words on its label.
FOCUSED = """() => {
  const el = document.activeElement;
  const question = el.closest('fieldset[data-question]');
  return {
    id: el.id || '',
    type: el.type || el.tagName.toLowerCase(),
    testid: el.dataset.testid || '',
    tile: el.dataset.tile || '',
    cls: typeof el.className === 'string' ? el.className : '',
    question: question ? question.dataset.question : '',
    label: el.labels && el.labels.length ? el.labels[0].textContent.trim() : '',
    checked: Boolean(el.checked),
  };
}"""

GREEN = {
    "pressure": "2",
    "mood": "Bra",
    "sleep": "Godt",
    "self_harm_urge": "Nei",
    "suicidal_thoughts": "Nei",
    "wants_contact": "Nei takk",
}


@pytest.fixture(scope="module")
def keyboard_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve_demo(tmp_path_factory.mktemp("keyboard"))


@pytest.fixture
def pages(browser: Any, keyboard_server: str) -> Iterator[Any]:
    yield from watched_pages(browser, keyboard_server)


def focused(page: Any) -> dict[str, Any]:
    return page.evaluate(FOCUSED)


def tab_to(page: Any, wanted: dict[str, str], limit: int = 60, key: str = "Tab") -> None:
    """Tab (or Shift+Tab) until the focused element matches every item of `wanted`."""
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if all(now.get(key) == value for key, value in wanted.items()):
            return
    raise AssertionError(f"Tab never reached {wanted}")


def choose(page: Any, label: str) -> None:
    """In the radio group that has the focus: the arrow keys until `label` is chosen."""
    if not focused(page)["checked"]:
        page.keyboard.press("Space")
    for _ in range(12):
        now = focused(page)
        if now["label"] == label and now["checked"]:
            return
        page.keyboard.press("ArrowRight")
    raise AssertionError(f"no answer {label!r} in {focused(page)['question']}")


def test_the_patient_checks_in_and_writes_in_the_chat_with_the_keyboard_only(pages: Any) -> None:
    page = pages(PHONE)
    page.goto("/")
    expect(page.locator("#username")).to_be_visible()
    tab_to(page, {"id": "username"})
    page.keyboard.type("pasient3")
    tab_to(page, {"id": "password"})
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("patient-home")).to_be_visible()

    # The check-in: every question answered from the keyboard, then sent with Enter.
    tab_to(page, {"tile": "checkin"})
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("checkin-form")).to_be_visible()
    for question, label in GREEN.items():
        tab_to(page, {"question": question, "type": "radio"})
        choose(page, label)
    tab_to(page, {"testid": "checkin-send"})
    page.keyboard.press("Enter")
    result = page.get_by_test_id("checkin-result")
    expect(result).to_be_visible()
    expect(result).to_have_attribute("data-level", "green")

    # Back up to the brand link at the top (home), then the chat.
    tab_to(page, {"cls": "brand"}, key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("patient-home")).to_be_visible()
    tab_to(page, {"tile": "chat"})
    page.keyboard.press("Enter")
    tab_to(page, {"id": "chat-input"})
    text = f"Skriver med tastaturet {uuid.uuid4().hex[:6]}"
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    mine = page.get_by_test_id("chat-message").filter(has_text=text)
    expect(mine).to_be_visible()
    expect(mine.get_by_test_id("not-sent")).to_have_count(0, timeout=10_000)
