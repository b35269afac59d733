"""The administrator's audit log reads as sentences in the app's language
(issue #17.5): who did what to whose data, with the plan's version and the
parts shown in words, never "crisis_plan #1" or English notes."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, Api, login
from tests.browser.helpers import visit


def test_the_admin_log_says_who_read_whose_crisis_plan_in_norwegian_and_in_english(
    new_page: Any, live_server: str
) -> None:
    anne = Api(live_server, "pasient3").user
    Api(live_server, "kommune2").call("GET", f"/api/patients/{anne['id']}/crisis-plan")
    name = re.escape(anne["display_name"])
    said = {
        "nb": (
            "Pasient",
            rf"Lars \(kommunen\) leste kriseplanen til {name} \(versjon \d+; deler vist: .+\)\.",
            "Tegn på at det begynner å bli vanskelig",
        ),
        "en": (
            "Patient",
            rf"Lars \(.+\) read {name}'s crisis plan \(version \d+; parts shown: .+\)\.",
            "Signs that things are getting hard",
        ),
    }

    page = new_page(DESKTOP)
    login(page, "admin")
    visit(page, "/admin/logg")
    for lang, (patient_label, sentence, section) in said.items():
        if page.locator("html").get_attribute("lang") != lang:
            page.locator(f'header [data-lang="{lang}"]').click()
        page.get_by_label(patient_label).select_option(str(anne["id"]))
        read = page.locator('[data-testid="audit-row"]', has_text=re.compile(sentence)).first
        expect(read).to_contain_text(section)
        expect(read).not_to_contain_text(re.compile(r"#\d|crisis_plan|sections|Grunn|Reason"))
