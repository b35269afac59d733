"""audit hash chain: team kinds on the row, and the chain that makes edits and deletions visible

Revision ID: 0007_h_ledger
Revises: 0007_h_need
Create Date: 2026-12-04 17:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import nattlys.db
from nattlys.audit.chain import CHAINED_FIELDS, GENESIS, link_hash

revision: str = "0007_h_ledger"
down_revision: str | None = "0007_h_need"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("actor_team_kinds", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("to_team_kinds", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("chain_seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_audit_entries_chain_seq"), ["chain_seq"])
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    _seal_existing_rows()


_TYPED = ("at", "chain_seq", "actor_id", "patient_id")


def _seal_existing_rows() -> None:
    """Rows written before the chain: their actors' team kinds as they are now
    (the best still known), then linked in id order."""
    conn = op.get_bind()
    kinds: dict[int, set[str]] = {}
    for user_id, kind in conn.execute(
        sa.text("SELECT m.user_id, t.kind FROM team_memberships m JOIN teams t ON t.id = m.team_id")
    ):
        kinds.setdefault(user_id, set()).add(str(kind))
    audit = sa.table(
        "audit_entries",
        sa.column("id", sa.Integer()),
        sa.column("at", nattlys.db.UTCDateTime()),
        sa.column("actor_id", sa.Integer()),
        sa.column("patient_id", sa.Integer()),
        *(sa.column(name, sa.String()) for name in CHAINED_FIELDS if name not in _TYPED),
        sa.column("chain_seq", sa.BigInteger()),
        sa.column("prev_hash", sa.String()),
        sa.column("row_hash", sa.String()),
    )
    running, seq = GENESIS, 0
    for row in conn.execute(sa.select(audit).order_by(audit.c.id)).mappings().all():
        seq += 1
        values = dict(row)
        values["chain_seq"] = seq
        if row["actor_role"] == "supporter":
            values["actor_team_kinds"] = ",".join(sorted(kinds.get(row["actor_id"], ())))
        digest = link_hash(running, values)
        conn.execute(
            audit.update()
            .where(audit.c.id == row["id"])
            .values(
                actor_team_kinds=values["actor_team_kinds"], chain_seq=seq, prev_hash=running, row_hash=digest
            )
        )
        running = digest
    conn.execute(
        sa.text("INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, :seq, :hash)"),
        {"seq": seq, "hash": running},
    )


def downgrade() -> None:
    op.drop_table("audit_chain_head")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_entries_chain_seq"), type_="unique")
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("chain_seq")
        batch_op.drop_column("to_team_kinds")
        batch_op.drop_column("actor_team_kinds")
