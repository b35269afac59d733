"""Break-glass requests and answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, field_validator
from sqlmodel import Field, SQLModel

from nattlys.break_glass.models import REASON_MAX_CHARS, REASON_MIN_CHARS


class BreakGlassIn(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # SQLModel types model_config as its own SQLModelConfig

    reason: str = Field(max_length=REASON_MAX_CHARS)

    @field_validator("reason")
    @classmethod
    def _stated(cls, value: str) -> str:
        value = " ".join(value.split())
        if len(value) < REASON_MIN_CHARS:
            raise ValueError(f"say why you need access, in at least {REASON_MIN_CHARS} characters")
        return value


class ReviewIn(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # SQLModel types model_config as its own SQLModelConfig

    note: str = Field(default="", max_length=500)


class ReviewQuery(SQLModel):
    unreviewed: bool = False


class BreakGlassPublic(SQLModel):
    """What the patient sees: who, with which team kinds, why, and until when."""

    id: int
    supporter_id: int | None
    supporter_name: str | None
    supporter_team_kinds: list[str]
    reason: str
    opened_at: datetime
    expires_at: datetime
    active: bool


class BreakGlassReview(BreakGlassPublic):
    """What an administrator reviews: also which patient, and the review."""

    patient_id: int
    patient_name: str | None
    reviewed_at: datetime | None
    reviewed_by_name: str | None
    review_note: str | None
