"""The audit log: who did what to which patient's data, when and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, String
from sqlmodel import Field, SQLModel

from nattlys.db import UTCDateTime


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entries"

    id: int = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    actor_role: str = Field(sa_type=String(16))
    # The team kinds the actor belonged to when it happened ("bolig,kommune").
    actor_team_kinds: str = Field(default="", sa_type=String(64))
    patient_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    action: str = Field(max_length=60)
    object_type: str = Field(max_length=40)
    object_id: str | None = Field(default=None, max_length=64)
    request_id: str | None = Field(default=None, max_length=64)
    # Words a person typed (an administrator's reason to disable an account),
    # shown as theirs; never machine facts, which go in `details`.
    reason: str | None = Field(default=None, max_length=200)
    # Machine facts ({"version": 4, "sections": [...]}), put into words in the
    # reader's language by the app (audit.details.* in the catalogues).
    details: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    # A routing decision: the team kinds the conversation was sent to.
    to_team_kinds: str = Field(default="", sa_type=String(64))
    # The hash chain (nattlys/audit/chain.py): the row's place, the previous
    # row's hash, and SHA-256 over this row's canonical encoding and that hash.
    chain_seq: int | None = Field(default=None, sa_column=Column(BigInteger, unique=True, nullable=True))
    prev_hash: str | None = Field(default=None, sa_type=String(64))
    row_hash: str | None = Field(default=None, sa_type=String(64))


class AuditChainHead(SQLModel, table=True):
    """The newest link of the chain, one row. Writers lock it (SELECT … FOR
    UPDATE) just before commit, so concurrent transactions queue on it and can
    never both extend the chain from the same link."""

    __tablename__ = "audit_chain_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    hash: str = Field(sa_type=String(64))
