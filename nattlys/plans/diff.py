"""A readable difference between two plan contents, section by section.

- lists of short texts: items added and removed (and whether only the order
  changed);
- lists of people or roles: items added and removed; an item whose name (or
  role and who) stayed but whose details changed is shown as changed, before
  and after;
- free text: before and after;
- small forms (meeting, self_referral): each changed field, before and after.
Sections that did not change are left out.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from nattlys.plans.schemas import SECTION_KEYS

_TEXT_LISTS = frozenset({"warning_signs", "self_help", "people_places", "reasons_to_live"})
_TEXTS = frozenset({"safe_surroundings", "alternatives_to_admission"})
_FORMS = frozenset({"meeting", "self_referral"})


def _identity(section: str) -> Callable[[dict[str, Any]], tuple[str, ...]]:
    def key(item: dict[str, Any]) -> tuple[str, ...]:
        if section == "contacts":
            return (str(item.get("name", "")).casefold(),)
        if section == "professionals":
            return (str(item.get("name", "")).casefold(), str(item.get("service", "")).casefold())
        return (str(item.get("role", "")), str(item.get("who", "")).casefold())

    return key


def _canonical(item: Any) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def _multiset_minus(items: list[Any], other: list[Any]) -> list[Any]:
    """Items of `items` not matched one-to-one in `other`, in their order."""
    left = Counter(_canonical(i) for i in other)
    out = []
    for item in items:
        c = _canonical(item)
        if left[c]:
            left[c] -= 1
        else:
            out.append(item)
    return out


def _list_diff(section: str, before: list[Any], after: list[Any]) -> dict[str, Any]:
    added = _multiset_minus(after, before)
    removed = _multiset_minus(before, after)
    changed: list[dict[str, Any]] = []
    if section not in _TEXT_LISTS and added and removed:
        key = _identity(section)
        still_removed = []
        for old in removed:
            match = next((new for new in added if key(new) == key(old)), None)
            if match is None:
                still_removed.append(old)
            else:
                added.remove(match)
                changed.append({"field": None, "before": old, "after": match})
        removed = still_removed
    reordered = not added and not removed and not changed and before != after
    return {"added": added, "removed": removed, "changed": changed, "reordered": reordered}


def section_diff(section: str, before: Any, after: Any) -> dict[str, Any] | None:
    if before == after:
        return None
    out: dict[str, Any] = {"section": section, "added": [], "removed": [], "changed": [], "reordered": False}
    if section in _TEXTS:
        out["changed"] = [{"field": None, "before": before, "after": after}]
    elif section in _FORMS:
        before = before or {}
        after = after or {}
        out["changed"] = [
            {"field": name, "before": before.get(name), "after": after.get(name)}
            for name in dict.fromkeys([*before, *after])
            if before.get(name) != after.get(name)
        ]
    else:
        out.update(_list_diff(section, list(before or []), list(after or [])))
    return out


def diff(
    before: dict[str, Any], after: dict[str, Any], sections: Iterable[str] = SECTION_KEYS
) -> list[dict[str, Any]]:
    """Changed sections, in plan order, limited to `sections`."""
    wanted = set(sections)
    out = []
    for key in SECTION_KEYS:
        if key not in wanted:
            continue
        change = section_diff(key, before.get(key), after.get(key))
        if change is not None:
            out.append(change)
    return out
