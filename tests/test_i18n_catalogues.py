"""The two message catalogues say the same things: every key (plural forms
included) is in both, with the same {placeholders}, and none is empty. The
server reads these catalogues too (the data export); it has none of its own."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

CATALOGUES = Path(__file__).resolve().parents[1] / "pwa" / "app" / "i18n"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def flat(node: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if isinstance(value, dict):
            out.update(flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def catalogue(lang: str) -> dict[str, Any]:
    return flat(json.loads((CATALOGUES / f"{lang}.json").read_text(encoding="utf-8")))


def test_the_catalogues_have_the_same_keys() -> None:
    nb, en = catalogue("nb"), catalogue("en")
    assert sorted(set(nb) - set(en)) == [], "only in nb.json"
    assert sorted(set(en) - set(nb)) == [], "only in en.json"


def test_each_message_has_the_same_placeholders_and_is_not_empty() -> None:
    nb, en = catalogue("nb"), catalogue("en")
    for lang, messages in (("nb", nb), ("en", en)):
        odd = [key for key, text in messages.items() if not isinstance(text, str) or not text.strip()]
        assert odd == [], f"empty or not text in {lang}.json"
    differ = {
        key: (nb[key], en[key])
        for key in set(nb) & set(en)
        if set(PLACEHOLDER.findall(nb[key])) != set(PLACEHOLDER.findall(en[key]))
    }
    assert differ == {}
