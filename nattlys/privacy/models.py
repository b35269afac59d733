"""A patient's request to erase their data, carried out by the scheduler once
the waiting period is over (the patient may withdraw it until then)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from nattlys.db import UTCDateTime


class DeletionRequest(SQLModel, table=True):
    __tablename__ = "deletion_requests"

    id: int = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="users.id", index=True)
    requested_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime, index=True)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    carried_out_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
