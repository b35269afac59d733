"""What the audit endpoints give: the access log, as its readers see it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import SQLModel


class AuditDetail(BaseModel):
    """One machine fact of a row, named as in audit.details of the catalogues.
    A plain pydantic model: a page of 100 rows builds it 200 times, and as a
    SQLModel that doubled the time to build the page."""

    field: str
    value: Any


class AuditEntryPublic(SQLModel):
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    actor_role: str
    actor_team_kinds: list[str]
    patient_id: int | None
    patient_name: str | None = None
    action: str
    object_type: str
    object_id: str | None
    # The account an account event or user change is about, by name.
    object_name: str | None = None
    reason: str | None
    details: list[AuditDetail] = []
    to_team_kinds: list[str] = []
    # Done in the patient's account through a re-enrolment link that this
    # staff member issued: shown with their name, not as "you".
    via_link_issued_by: str | None = None
