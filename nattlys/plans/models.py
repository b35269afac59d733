"""Crisis plans: one per patient, every change an immutable numbered version.

The plan row holds what is not content: the current version number, the
patient's sharing choices per section and the offline-copy setting. The
content of version N lives only in its version row, so a version can never
change after it is written.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from nattlys.crypto.columns import EncryptedJSON, EncryptedText
from nattlys.db import UTCDateTime


class VersionKind(StrEnum):
    edit = "edit"  # the patient wrote it
    approved_proposal = "approved_proposal"  # a supporter proposed it, the patient approved
    agreed_in_meeting = "agreed_in_meeting"  # agreed in a meeting, confirmed by the patient or co-signed
    restore = "restore"  # the patient brought back an older version


class ProposalStatus(StrEnum):
    pending = "pending"
    # Recorded as agreed in a meeting; takes effect when the patient confirms
    # in the app or a second supporter in the circle co-signs.
    awaiting_confirmation = "awaiting_confirmation"
    approved = "approved"
    rejected = "rejected"
    agreed_in_meeting = "agreed_in_meeting"


class CrisisPlan(SQLModel, table=True):
    __tablename__ = "crisis_plans"

    id: int = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="users.id", unique=True, ondelete="CASCADE")
    # 0 until the first version is written.
    current_version: int = Field(default=0)
    # {section key: [team kinds]}; a section missing here uses its default.
    sharing: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    offline_enabled: bool = Field(default=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sharing_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CrisisPlanVersion(SQLModel, table=True):
    __tablename__ = "crisis_plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: int = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="crisis_plans.id", ondelete="CASCADE")  # indexed by the unique key
    number: int
    # The full content, every section, as validated when written.
    content: dict[str, Any] = Field(sa_column=Column(EncryptedJSON, nullable=False))
    kind: str = Field(sa_type=String(24))
    author_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    author_role: str = Field(sa_type=String(16))
    created_at: datetime = Field(sa_type=UTCDateTime)
    note: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    proposal_id: int | None = Field(default=None, foreign_key="crisis_plan_proposals.id", ondelete="SET NULL")
    restored_from: int | None = Field(default=None)


class CrisisPlanProposal(SQLModel, table=True):
    """A supporter's suggested change: whole new values for some sections."""

    __tablename__ = "crisis_plan_proposals"

    id: int = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="crisis_plans.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    base_version: int
    changes: dict[str, Any] = Field(sa_column=Column(EncryptedJSON, nullable=False))
    note: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    status: str = Field(default=ProposalStatus.pending, sa_type=String(24))
    created_at: datetime = Field(sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    decision_note: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    resulting_version: int | None = Field(default=None)
    meeting_recorded_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    meeting_recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
