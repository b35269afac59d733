"""Web push subscriptions: one row per browser (endpoint), owned by one user."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from nattlys.db import UTCDateTime


class PushSubscription(SQLModel, table=True):
    __tablename__ = "push_subscriptions"

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    endpoint: str = Field(sa_column=Column(String(2048), nullable=False, unique=True))
    p256dh: str = Field(max_length=128)
    auth: str = Field(max_length=64)
    language: str = Field(default="nb", max_length=8)  # the app's language on this device
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_success_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The push service said 429: not used again before this instant.
    retry_after: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failures: int = Field(default=0)
