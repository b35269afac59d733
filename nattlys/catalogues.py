"""The PWA's message catalogues (pwa/app/i18n/<language>.json), read by the
server for the few texts it writes itself in the user's language."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from nattlys.config import PWA_ROOT

LANGUAGES = ("nb", "en")
DEFAULT_LANGUAGE = "nb"


@cache
def _catalogue(language: str) -> dict[str, Any]:
    path = PWA_ROOT / "app" / "i18n" / f"{language}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def text(language: str, key: str) -> str:
    """The text at a dotted key, e.g. `push.titles.new_message`; KeyError if missing."""
    node: Any = _catalogue(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    for part in key.split("."):
        node = node[part]
    if not isinstance(node, str):
        raise KeyError(key)
    return node


def keys(language: str, section: str) -> frozenset[str]:
    """The keys directly under a section, e.g. `push.titles`."""
    node: Any = _catalogue(language)
    for part in section.split("."):
        node = node[part]
    return frozenset(node)
