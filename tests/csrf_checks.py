"""What the CSRF and origin checks share: a foreign origin, and a snapshot of
every row of every table to prove a refused request changed nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from nattlys.schema import metadata

FOREIGN = "https://evil.example"


def snapshot(db: Session) -> dict[str, list[str]]:
    """Every row of every table, to prove a refused request changed nothing."""
    state = {}
    conn = db.connection()
    for table in metadata.sorted_tables:
        state[table.name] = sorted(repr(tuple(row)) for row in conn.execute(select(table)))
    db.commit()  # end the read (SQLite: it holds the write lock) without expiring objects
    return state
