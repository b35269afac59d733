"""audit entries carry their machine facts (plan version, sections, counts) as
structured details, so the log reads as sentences in the viewer's language

Revision ID: 0019_audit_details
Revises: 0018_next_of_kin
Create Date: 2026-12-06 06:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_audit_details"
down_revision: str | None = "0018_next_of_kin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_column("details")
