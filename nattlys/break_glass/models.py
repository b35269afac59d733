"""One row per break-glass opening; never deleted, so the review stays complete."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from nattlys.db import UTCDateTime

REASON_MIN_CHARS = 15
REASON_MAX_CHARS = 500


class BreakGlassAccess(SQLModel, table=True):
    __tablename__ = "break_glass_access"

    id: int = Field(default=None, primary_key=True)
    supporter_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    patient_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    reason: str = Field(max_length=REASON_MAX_CHARS)
    opened_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reviewed_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    review_note: str | None = Field(default=None, max_length=500)
