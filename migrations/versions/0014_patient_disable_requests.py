"""patient disable requests: a patient's account is disabled by two administrators

Revision ID: 0009_patient_disable_requests
Revises: 0008_continuity
Create Date: 2026-12-05 08:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import nattlys.db

revision: str = "0009_patient_disable_requests"
down_revision: str | None = "0008_continuity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "patient_disable_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", nattlys.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", nattlys.db.UTCDateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", nattlys.db.UTCDateTime(), nullable=True),
        sa.Column("approved", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_patient_disable_requests_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_patient_disable_requests_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_patient_disable_requests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_disable_requests")),
    )
    with op.batch_alter_table("patient_disable_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patient_disable_requests_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("patient_disable_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_disable_requests_user_id"))
    op.drop_table("patient_disable_requests")
