"""What the service worker sends and receives for web push."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict
from sqlmodel import Field, SQLModel


class PushKeys(SQLModel):
    p256dh: str = Field(min_length=1, max_length=128)
    auth: str = Field(min_length=1, max_length=64)


class SubscriptionIn(SQLModel):
    """The browser's PushSubscription.toJSON(); expirationTime is ignored."""

    model_config = ConfigDict(extra="ignore")  # type: ignore[assignment]  # SQLModel types model_config as its own SQLModelConfig

    endpoint: str = Field(min_length=8, max_length=2048)
    keys: PushKeys
    # The app's language on this device: what its notifications are written in.
    language: Literal["nb", "en"] = "nb"


class UnsubscribeIn(SQLModel):
    endpoint: str = Field(min_length=8, max_length=2048)


class PushKeyPublic(SQLModel):
    enabled: bool  # false: no VAPID keys configured; reminders show in the app instead
    public_key: str | None  # the applicationServerKey for pushManager.subscribe


class SubscriptionPublic(SQLModel):
    id: int
    endpoint: str
