"""How deeply JSON may nest, for HTTP bodies and Socket.IO packets.

Python's decoder recurses once per level, so `[` × 100,000 raised RecursionError
(a 500, and over Socket.IO no answer at all). Nothing we accept nests more than
a few levels; the depth is counted on the raw text, outside strings, before
anything is decoded.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_EVENT_NAME = re.compile(r'\s*\[\s*"([^"\\]{1,64})"')


class TooDeep(ValueError):
    pass


def too_deep(text: str | bytes, limit: int = MAX_DEPTH) -> bool:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if text.count("[") + text.count("{") <= limit:
        return False  # the common case: too few brackets to nest that deep
    depth = 0
    for token in _TOKENS.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if depth > limit:
                return True
        elif mark in "]}":
            depth -= 1
    return False


def loads(text: str | bytes) -> Any:
    """json.loads, refusing (TooDeep) what nests deeper than MAX_DEPTH."""
    if too_deep(text):
        raise TooDeep(f"JSON nested deeper than {MAX_DEPTH} levels")
    return json.loads(text)


class _TooDeepData:
    """What a Socket.IO event gets in place of data nested too deeply."""

    def __repr__(self) -> str:
        return "<JSON nested too deeply>"


TOO_DEEP = _TooDeepData()


class SocketJson:
    """The JSON module for Socket.IO packets. Data nested too deeply reaches the
    event's handler as TOO_DEEP, so the client gets an error acknowledgement
    (check_storable_text refuses it) instead of silence."""

    @staticmethod
    def dumps(obj: Any, **kwargs: Any) -> str:
        return json.dumps(obj, **kwargs)

    @staticmethod
    def loads(text: str | bytes, **kwargs: Any) -> Any:
        if not too_deep(text):
            return json.loads(text, **kwargs)
        raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        event = _EVENT_NAME.match(raw)
        return [event.group(1) if event else "", TOO_DEEP]
