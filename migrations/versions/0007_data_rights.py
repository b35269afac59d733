"""clinical text encrypted at rest; patients' deletion requests

Revision ID: 0007_h_data
Revises: 0006

The encrypted columns hold text (``nl1.<key id>....``). Rows written before
keep their plain text, which the app still reads; `nattlys keys rotate`
encrypts them in small batches while the service runs.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import nattlys.db

revision: str = "0007_h_data"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> [(column, type before, nullable)]
_TO_TEXT = {
    "conversations": [("handover_note", sa.String(length=1000), True)],
    "crisis_plan_versions": [("content", sa.JSON(), False), ("note", sa.String(length=500), True)],
    "crisis_plan_proposals": [
        ("changes", sa.JSON(), False),
        ("note", sa.String(length=500), True),
        ("decision_note", sa.String(length=500), True),
    ],
    "checkins": [("warning_signs", sa.JSON(), False)],
}


def upgrade() -> None:
    op.create_table(
        "deletion_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", nattlys.db.UTCDateTime(), nullable=False),
        sa.Column("due_at", nattlys.db.UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", nattlys.db.UTCDateTime(), nullable=True),
        sa.Column("carried_out_at", nattlys.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["users.id"], name=op.f("fk_deletion_requests_patient_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletion_requests")),
    )
    with op.batch_alter_table("deletion_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deletion_requests_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deletion_requests_due_at"), ["due_at"], unique=False)
    for table, columns in _TO_TEXT.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, before, nullable in columns:
                batch_op.alter_column(
                    name,
                    existing_type=before,
                    type_=sa.Text(),
                    existing_nullable=nullable,
                    postgresql_using=f"{name}::text",
                )


def downgrade() -> None:
    op.drop_table("deletion_requests")
    for table, columns in _TO_TEXT.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, before, nullable in columns:
                using = f"{name}::json" if isinstance(before, sa.JSON) else None
                batch_op.alter_column(
                    name,
                    existing_type=sa.Text(),
                    type_=before,
                    existing_nullable=nullable,
                    postgresql_using=using,
                )
