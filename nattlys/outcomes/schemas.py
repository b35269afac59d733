"""What the outcome endpoints take and give."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from nattlys.outcomes.models import NightOutcomeKind


class FiguresQuery(BaseModel):
    months: int = Field(default=12, ge=1, le=24)


class TeamRef(BaseModel):
    id: int | None  # None: every patient in the municipality
    name: str | None


class FigureRow(BaseModel):
    figure: str
    team_id: int | None
    month: str | None
    tier: int | None = None
    hour: int | None = None
    # None when suppressed (fewer than min_patients patients): never rounded.
    patients: int | None
    suppressed: bool
    values: dict[str, float | int | None]


class Assumptions(BaseModel):
    min_patients: int
    office_hours: str
    baseline_contact_within_7_days: float
    baseline_source: str
    cost_per_round_nok: int
    cost_source: str
    cost_avoided_means: str


class OutcomeFigures(BaseModel):
    generated_at: datetime
    months: list[str]
    teams: list[TeamRef]
    assumptions: Assumptions
    rows: list[FigureRow]


class NightOutcomeIn(BaseModel):
    night: date
    outcome: NightOutcomeKind


class NightOutcomePublic(BaseModel):
    id: int
    patient_id: int
    night: date
    outcome: NightOutcomeKind
    recorded_at: datetime
