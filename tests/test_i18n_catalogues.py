"""The two message catalogues say the same things: every key (plural forms
included) is in both, with the same {placeholders}, and none is empty. The
server reads these catalogues too (the data export); it has none of its own."""

from __future__ import annotations

import ast
import inspect
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


# Areas whose `<area>.<verb>` strings in nattlys/ are audit actions.
AUDITED_AREAS = (
    "alert",
    "audit",
    "auth",
    "break_glass",
    "care_circle",
    "chat",
    "checkin",
    "coverage",
    "crisis_plan",
    "discharge",
    "eid",
    "gaps",
    "invitation",
    "next_of_kin",
    "on_duty",
    "outcome",
    "outcomes",
    "passkey",
    "patient",
    "roster",
    "team",
    "user",
)


# Strings of that shape that are not audit actions.
NOT_ACTIONS = {"audit.unknown_actor", "chat.tick"}  # a catalogue key, a scheduler job


def audit_actions_in_server() -> set[str]:
    """Every audit action the server can write: `<area>.<verb>` string literals of
    the audited areas, and the routing decisions (`action="offer"` →
    `route.offer`), read from the source so a new one cannot slip by."""
    server = Path(__file__).resolve().parents[1] / "nattlys"
    action = re.compile(rf"(?:{'|'.join(AUDITED_AREAS)})\.[a-z]+(?:_[a-z]+)*")
    found: set[str] = set()
    for path in server.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and action.fullmatch(node.value)
            ):
                found.add(node.value)
            if (
                isinstance(node, ast.keyword)
                and node.arg == "action"
                and isinstance(node.value, ast.Constant)
            ):
                value = node.value.value
                if isinstance(value, str) and re.fullmatch(r"[a-z]+(?:_[a-z]+)*", value):
                    found.add(f"route.{value}")
    return found - NOT_ACTIONS


def test_every_audit_action_reads_as_a_sentence_for_administrators_in_both_languages() -> None:
    actions = audit_actions_in_server()
    assert {"roster.publish", "route.take", "auth.login", "crisis_plan.read"} <= actions
    for lang in ("nb", "en"):
        said = catalogue(lang)
        missing = sorted(a for a in actions if f"audit.admin_actions.{a.replace('.', '_')}" not in said)
        assert missing == [], f"no sentence in {lang}.json audit.admin_actions"


def _server_calls() -> list[ast.Call]:
    server = Path(__file__).resolve().parents[1] / "nattlys"
    return [
        node
        for path in server.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
    ]


def test_every_audit_detail_reads_in_words_in_both_languages() -> None:
    from nattlys.audit.writer import DETAIL_FIELDS, DETAIL_VALUES

    written = {
        key.value
        for call in _server_calls()
        for kw in call.keywords
        if kw.arg == "details" and isinstance(kw.value, ast.Dict)
        for key in kw.value.keys
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    }
    assert {"version", "sections_shown", "until"} <= written
    assert sorted(written - set(DETAIL_FIELDS)) == [], "details the writer would refuse"
    for lang in ("nb", "en"):
        said = catalogue(lang)
        details = {k.removeprefix("audit.details.") for k in said if k.startswith("audit.details.")}
        assert details == set(DETAIL_FIELDS), f"audit.details in {lang}.json"
        values = {
            k.removeprefix("audit.detail_values.") for k in said if k.startswith("audit.detail_values.")
        }
        assert values == {f"{f}.{v}" for f, vs in DETAIL_VALUES.items() for v in vs}, lang


def test_no_audit_row_gets_a_reason_in_english_from_the_server() -> None:
    """`reason` is for words a person typed; the server's own facts go in
    `details`, so the log can be read in either language."""
    written = [
        ast.unparse(call)
        for call in _server_calls()
        if isinstance(call.func, ast.Attribute | ast.Name)
        and (call.func.attr if isinstance(call.func, ast.Attribute) else call.func.id)
        in ("record", "_record")
        for kw in call.keywords
        if kw.arg == "reason" and isinstance(kw.value, ast.Constant | ast.JoinedStr | ast.Call)
    ]
    assert written == []


def error_codes_in_server() -> set[str]:
    """Every error code the server can answer with: the literal given as `code`
    to ApiError or to a helper of nattlys/api/errors.py that takes one, the
    first argument of a chat socket's `_error(...)` answer, and the codes of
    the HTTP refusals Flask itself makes (`_HTTP_CODES`)."""
    from nattlys.api import errors

    takes_code = {
        name: list(inspect.signature(thing).parameters).index("code")
        for name, thing in vars(errors).items()
        if callable(thing)
        and getattr(thing, "__module__", None) == errors.__name__
        and "code" in inspect.signature(thing).parameters
    }
    assert {"ApiError", "bad_request", "conflict"} <= set(takes_code)
    takes_code["_error"] = 0  # nattlys/chat/events.py: a socket event's refusal
    found: set[str] = set(errors._HTTP_CODES.values())
    for call in _server_calls():
        name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
        if name not in takes_code:
            continue
        given = call.args[takes_code[name] : takes_code[name] + 1] + [
            kw.value for kw in call.keywords if kw.arg == "code"
        ]
        found |= {arg.value for arg in given if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}
    return found


ERROR_KEY = re.compile(r"(?:^|\.)errors\.(\w+)")  # errors.<code>, <area>.errors.<code>


def worded_errors(lang: str) -> set[str]:
    return {m.group(1) for key in catalogue(lang) if (m := ERROR_KEY.search(key))}


def test_every_error_the_server_gives_reads_in_words_in_the_app() -> None:
    """`errors.<code>` (or `<area>.errors.<code>`) in both catalogues, or a view
    that checks `code === '<code>'` and says something of its own."""
    codes = error_codes_in_server()
    assert {"invalid_credentials", "stale_version", "too_deep", "not_found"} <= codes
    assert {"unknown_event", "method_not_allowed"} <= codes  # a socket's, Flask's own
    worded = worded_errors("nb") & worded_errors("en")
    scripts = "\n".join(p.read_text(encoding="utf-8") for p in CATALOGUES.parent.rglob("*.js"))
    by_name = set(re.findall(r"code === '(\w+)'", scripts))
    missing = sorted(codes - worded - by_name)
    assert missing == [], f"no words in the app for {len(missing)} error codes: {', '.join(missing)}"
