"""outcomes: the "what happened" record after a night, and the indexes the outcome figures need

Revision ID: 0015_outcomes
Revises: 0009_patient_disable_requests
Create Date: 2026-12-05 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import nattlys.db

revision: str = "0015_outcomes"
down_revision: str | None = "0009_patient_disable_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIGURE_INDEXES = (
    ("ix_messages_figures", "messages", ["conversation_id", "id", "sender_role", "created_at"]),
    ("ix_routing_decisions_figures", "routing_decisions", ["conversation_id", "at", "id", "tier_position"]),
    ("ix_checkins_figures", "checkins", ["created_at", "patient_id", "level"]),
    ("ix_care_gaps_figures", "care_gaps", ["kind", "started_at"]),
    ("ix_checkin_reminders_figures", "checkin_reminders", ["step", "local_date", "patient_id", "outcome"]),
)


def upgrade() -> None:
    op.create_table(
        "night_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", nattlys.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["users.id"], name=op.f("fk_night_outcomes_patient_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_night_outcomes_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_night_outcomes")),
        sa.UniqueConstraint("patient_id", "night", name=op.f("uq_night_outcomes_patient_id")),
    )
    with op.batch_alter_table("night_outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_night_outcomes_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_night_outcomes_night"), ["night"], unique=False)
    for name, table, columns in FIGURE_INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in FIGURE_INDEXES:
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("night_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_night_outcomes_night"))
        batch_op.drop_index(batch_op.f("ix_night_outcomes_patient_id"))
    op.drop_table("night_outcomes")
