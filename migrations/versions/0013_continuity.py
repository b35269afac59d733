"""continuity: a shift change's summary that replaces the last one, the handover note request, server-written chat lines

Revision ID: 0008_continuity
Revises: 0007_h_alerts
Create Date: 2026-12-05 05:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import nattlys.db

revision: str = "0008_continuity"
down_revision: str | None = "0007_h_alerts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shift_summary", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("note_requested_for", nattlys.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notice", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("notice")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("note_requested_for")
        batch_op.drop_column("shift_summary")
