"""What the alert, gap and reachability endpoints send."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import SQLModel


class LastResortPublic(SQLModel):
    label: str
    phone: str


class Reachability(SQLModel):
    """What the patient may know about who can answer now: team kinds on duty
    (never names), when someone is next on duty, and the circle's own number."""

    reachable_kinds: list[str]
    next_on_duty_at: datetime | None = None
    last_resort: LastResortPublic | None = None


class AlertStatus(SQLModel):
    """The truthful state of a check-in alert, as the server routed it.

    status: told (first tier) | passed_on (a later tier) | acknowledged |
    nobody_reachable (every tier tried, still re-offered) | no_one_on_duty |
    in_chat (a contact request: the chat's status tells it)."""

    alert_id: int | None = None
    status: str
    team_kind: str | None = None
    acknowledged_by: str | None = None
    acknowledged_team_kind: str | None = None
    reachability: Reachability | None = None
    # In commit order: a device shows a status only if it is not older than its own.
    version: int = 0


class OpenAlert(SQLModel):
    """An alert offered to me (supporters): "Jeg tar den"."""

    id: int
    patient_id: int
    patient_name: str
    reason: str  # red | missed
    at: datetime
    state: str
    tier_position: int | None


class GapRow(SQLModel):
    id: int
    patient_id: int
    patient_name: str
    kind: str
    started_at: datetime
    ended_at: datetime | None
    minutes: int
    still_open: bool
    shown: str
    reoffers: int
    week: str  # ISO week in Oslo, e.g. 2026-W49
    local_hour: int


class SupporterReach(SQLModel):
    """A supporter on duty now, and whether anything of theirs can be reached."""

    user_id: int
    display_name: str
    team_name: str
    team_kind: str
    app_open: bool
    push_ok: bool


class MyReach(SQLModel):
    on_duty: bool
    app_open: bool
    push_ok: bool
