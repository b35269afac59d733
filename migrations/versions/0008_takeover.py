"""account approvals: second-factor resets and disabling a patient, each by two administrators

Revision ID: 0008_takeover
Revises: 0007_h_alerts
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import server.db

revision: str = "0008_takeover"
down_revision: str | None = "0007_h_alerts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Not the ids: PostgreSQL's sequence would not know about copied ones.
_SHARED = ("user_id", "requested_by_id", "created_at", "expires_at", "approved_by_id", "approved_at")


def _approval_table(name: str, *extra: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        *extra,
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", server.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", server.db.UTCDateTime(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", server.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["users.id"],
            name=op.f(f"fk_{name}_approved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f(f"fk_{name}_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f(f"fk_{name}_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_user_id"), ["user_id"], unique=False)


def _drop(name: str) -> None:
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f"ix_{name}_user_id"))
    op.drop_table(name)


def upgrade() -> None:
    _approval_table(
        "account_approvals",
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    )
    columns = ", ".join(_SHARED)
    source = f"SELECT 'second_factor_reset', {columns} FROM second_factor_resets"  # noqa: S608
    op.execute(f"INSERT INTO account_approvals (kind, {columns}) {source}")
    _drop("second_factor_resets")


def downgrade() -> None:
    _approval_table("second_factor_resets")
    columns = ", ".join(_SHARED)
    source = f"SELECT {columns} FROM account_approvals WHERE kind = 'second_factor_reset'"  # noqa: S608
    op.execute(f"INSERT INTO second_factor_resets ({columns}) {source}")
    _drop("account_approvals")
