"""next of kin the patient includes: consents (what they may see and do) and worry signals

Revision ID: 0018_next_of_kin
Revises: 0017_status_versions
Create Date: 2026-12-06 02:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import nattlys.db

revision: str = "0018_next_of_kin"
down_revision: str | None = "0017_status_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "next_of_kin_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("next_of_kin_id", sa.Integer(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("notify_on_red", sa.Boolean(), nullable=False),
        sa.Column("may_signal_worry", sa.Boolean(), nullable=False),
        sa.Column("created_at", nattlys.db.UTCDateTime(), nullable=False),
        sa.Column("changed_at", nattlys.db.UTCDateTime(), nullable=True),
        sa.Column("withdrawn_at", nattlys.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["users.id"],
            name=op.f("fk_next_of_kin_consents_patient_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["next_of_kin_id"],
            ["users.id"],
            name=op.f("fk_next_of_kin_consents_next_of_kin_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_next_of_kin_consents")),
    )
    with op.batch_alter_table("next_of_kin_consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_next_of_kin_consents_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_next_of_kin_consents_next_of_kin_id"), ["next_of_kin_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_next_of_kin_consents_withdrawn_at"), ["withdrawn_at"], unique=False
        )
    op.create_table(
        "worry_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("at", nattlys.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["next_of_kin_consents.id"],
            name=op.f("fk_worry_signals_consent_id_next_of_kin_consents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["checkin_alerts.id"],
            name=op.f("fk_worry_signals_alert_id_checkin_alerts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worry_signals")),
    )
    with op.batch_alter_table("worry_signals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_worry_signals_consent_id"), ["consent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_worry_signals_at"), ["at"], unique=False)


def downgrade() -> None:
    op.drop_table("worry_signals")
    op.drop_table("next_of_kin_consents")
