"""A copy of everything held about the patient: JSON for another service
(art. 20), and one readable HTML page of plan, check-ins, chat and access log
(art. 15). Words come from the app's message catalogues."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from nattlys.accounts.models import User
from nattlys.config import PWA_ROOT
from nattlys.privacy import holdings
from nattlys.schema import metadata

FORMAT = "nattlys-export-1"
OSLO = ZoneInfo("Europe/Oslo")


@cache
def _catalogue(lang: str) -> dict[str, Any]:
    return json.loads((PWA_ROOT / "app" / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))


def _text(lang: str, key: str, **params: Any) -> str:
    node: Any = _catalogue(lang)
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    text = node if isinstance(node, str) else key
    for name, value in params.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def _people(db: Session, held: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, str]]:
    """Names of everyone the rows mention (who wrote, who read)."""
    ids: set[int] = set()
    for name, rows in held.items():
        user_columns = [
            fk.parent.name for fk in metadata.tables[name].foreign_keys if fk.column.table.name == "users"
        ]
        ids.update(row[c] for row in rows for c in user_columns if isinstance(row.get(c), int))
    for message in held.get("messages", []):  # the people a shift change line names
        ids.update(
            v for k, v in (message.get("notice") or {}).items() if k.endswith("_id") and isinstance(v, int)
        )
    users = db.execute(
        select(col(User.id), col(User.display_name), col(User.role)).where(col(User.id).in_(ids))
    ).all()
    return {str(uid): {"display_name": name, "role": str(role)} for uid, name, role in users}


def build(db: Session, patient: User, *, at: datetime) -> dict[str, Any]:
    held = holdings.everything(db, patient.id)
    return {
        "format": FORMAT,
        "exported_at": at.isoformat(),
        "patient_id": patient.id,
        "people": _people(db, held),
        "tables": held,
    }


# --- the readable page -------------------------------------------------------------------


def _when(value: str | None) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "<ul>" + "".join(f"<li>{_value(v)}</li>" for v in value) + "</ul>"
    if isinstance(value, dict):
        return "<ul>" + "".join(f"<li>{escape(str(v))}</li>" for v in value.values() if v) + "</ul>"
    return escape("" if value is None else str(value))


def _table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f"<p>{escape(empty)}</p>"
    head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(export: dict[str, Any], lang: str) -> str:
    t = lambda key, **p: _text(lang, f"my_data.page.{key}", **p)  # noqa: E731
    tables = export["tables"]
    people = export["people"]

    def name(user_id: Any) -> str:
        person = people.get(str(user_id))
        return person["display_name"] if person else _text(lang, "audit.unknown_actor")

    def who(user_id: Any) -> str:
        return escape(name(user_id))

    plan_html = f"<p>{escape(t('no_plan'))}</p>"
    plans = tables.get("crisis_plans", [])
    versions = tables.get("crisis_plan_versions", [])
    if plans and versions:
        current = max(versions, key=lambda v: v["number"])
        parts = [
            f"<p>{escape(t('plan_version', number=current['number'], when=_when(current['created_at'])))}</p>"
        ]
        for key, value in current["content"].items():
            if value:
                parts.append(f"<h3>{escape(_text(lang, f'plan.sections.{key}'))}</h3>{_value(value)}")
        plan_html = "".join(parts)
    checkins = [
        [
            escape(_when(c["created_at"])),
            escape(_text(lang, f"checkin.level.{c['level']}")),
            escape(str(c["pressure"])),
            escape(str(c["mood"])),
            _value(c["warning_signs"]),
            escape(c["note"] or ""),
        ]
        for c in tables.get("checkins", [])
    ]

    def notice_text(notice: dict[str, Any]) -> str:
        """A line the server wrote in the chat, in the reader's words (as the app says it)."""
        code, kind = notice.get("code", ""), notice.get("tier_kind")
        names = {"from": name(notice.get("from_id")), "to": name(notice.get("to_id"))}
        if code == "shift_ended_offered" and kind:
            return escape(
                _text(
                    lang,
                    "chat.notice.shift_ended_offered",
                    where=_text(lang, f"chat.to_kind.{kind}"),
                    **names,
                )
            )
        if code == "shift_ended_offered":
            code = "shift_ended_offered_plain"
        return escape(_text(lang, f"chat.notice.{code}", **names))

    messages = [
        [escape(_when(m["created_at"])), escape(t("system")), notice_text(m["notice"])]
        if m.get("notice")
        else [escape(_when(m["created_at"])), who(m["sender_id"]), escape(m["body"])]
        for m in tables.get("messages", [])
    ]
    access = [
        [
            escape(_when(a["at"])),
            who(a["actor_id"]) if a["actor_id"] else escape(t("system")),
            escape(_text(lang, "audit.patient_actions." + a["action"].replace(".", "_"))),
        ]
        for a in reversed(tables.get("audit_entries", []))
    ]
    body = "".join(
        [
            f"<h1>{escape(t('title'))}</h1>",
            f"<p>{escape(t('intro', when=_when(export['exported_at'])))}</p>",
            f"<h2>{escape(t('plan'))}</h2>{plan_html}",
            f"<h2>{escape(t('checkins'))}</h2>",
            _table(
                [t(k) for k in ("when", "level", "pressure", "mood", "warning_signs", "note")],
                checkins,
                t("none"),
            ),
            f"<h2>{escape(t('chat'))}</h2>",
            _table([t("when"), t("who"), t("message")], messages, t("none")),
            f"<h2>{escape(t('access'))}</h2>",
            _table([t("when"), t("who"), t("what")], access, t("none")),
            f"<p>{escape(t('json_note'))}</p>",
        ]
    )
    style = "body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3rem;text-align:left;vertical-align:top}"
    return (
        f"<!doctype html><html lang='{escape(lang)}'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(t('title'))}</title><style>{style}</style></head><body>{body}</body></html>"
    )
