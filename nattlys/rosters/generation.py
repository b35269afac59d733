"""The roster generation: bumped in the same transaction as every change that
can alter who is on duty (rosters, overrides, teams, care circles, users), so
each server process knows when its in-memory snapshot is stale."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, col, update

from nattlys.rosters.models import RosterGeneration


def bump_generation(db: Session) -> None:
    from flask import g, has_app_context

    if has_app_context():
        g.pop("roster_snapshot", None)  # this unit of work must see its own change
    result = db.exec(
        update(RosterGeneration).where(col(RosterGeneration.id) == 1).values(value=RosterGeneration.value + 1)
    )
    if result.rowcount == 0:
        db.add(RosterGeneration(id=1, value=1))
        db.flush()


# Runs before every on-duty look-up: plain SQL, no ORM identity map, built once.
_CURRENT = text("SELECT value FROM roster_generation WHERE id = 1")


def current_generation(db: Session) -> int:
    value = db.execute(_CURRENT).scalar()
    return int(value or 0)
