"""crisis plans

Revision ID: 0003
Revises: 0005
Create Date: 2026-11-23 13:20:24.992818
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import nattlys.db

revision: str = "0003"
# Planned as 0002 -> 0003, but 0004 (chat, committed) and 0005 (check-ins)
# already chain on 0002; following the current head keeps one head.
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crisis_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("sharing", sa.JSON(), nullable=False),
        sa.Column("offline_enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", nattlys.db.UTCDateTime(), nullable=False),
        sa.Column("sharing_changed_at", nattlys.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["users.id"], name=op.f("fk_crisis_plans_patient_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crisis_plans")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_crisis_plans_patient_id")),
    )
    op.create_table(
        "crisis_plan_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("created_at", nattlys.db.UTCDateTime(), nullable=False),
        sa.Column("decided_at", nattlys.db.UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("resulting_version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_crisis_plan_proposals_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_crisis_plan_proposals_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["crisis_plans.id"],
            name=op.f("fk_crisis_plan_proposals_plan_id_crisis_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crisis_plan_proposals")),
    )
    with op.batch_alter_table("crisis_plan_proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crisis_plan_proposals_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "crisis_plan_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_role", sa.String(length=16), nullable=False),
        sa.Column("created_at", nattlys.db.UTCDateTime(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_crisis_plan_versions_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["crisis_plans.id"],
            name=op.f("fk_crisis_plan_versions_plan_id_crisis_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["crisis_plan_proposals.id"],
            name=op.f("fk_crisis_plan_versions_proposal_id_crisis_plan_proposals"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crisis_plan_versions")),
        sa.UniqueConstraint("plan_id", "number", name=op.f("uq_crisis_plan_versions_plan_id")),
    )


def downgrade() -> None:
    op.drop_table("crisis_plan_versions")
    with op.batch_alter_table("crisis_plan_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crisis_plan_proposals_plan_id"))

    op.drop_table("crisis_plan_proposals")
    op.drop_table("crisis_plans")
