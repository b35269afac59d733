"""A supporter's private calendar feed of her own shifts (RFC 5545, built with
icalendar, times in Europe/Oslo). The feed's token is the only credential it
takes, and it opens nothing else; only the token's SHA-256 is stored."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event
from sqlmodel import Session, col, select, update

from nattlys.accounts.models import User
from nattlys.accounts.sessions import token_digest
from nattlys.clock import OSLO
from nattlys.db import stored_id
from nattlys.rosters import shifts
from nattlys.rosters.models import CalendarFeed

SHOWN_BEFORE = timedelta(days=14)
SHOWN_AFTER = timedelta(days=56)


def active_feed(db: Session, *, user_id: int) -> CalendarFeed | None:
    return db.exec(
        select(CalendarFeed).where(CalendarFeed.user_id == user_id, col(CalendarFeed.revoked_at).is_(None))
    ).first()


def turn_off(db: Session, *, user_id: int, at: datetime) -> None:
    db.exec(
        update(CalendarFeed)
        .where(col(CalendarFeed.user_id) == user_id, col(CalendarFeed.revoked_at).is_(None))
        .values(revoked_at=at)
    )


def new_feed(db: Session, *, user_id: int, at: datetime) -> str:
    """A new feed token; the one before it stops working."""
    turn_off(db, user_id=user_id, at=at)
    token = secrets.token_urlsafe(32)
    db.add(CalendarFeed(user_id=user_id, token_hash=token_digest(token), created_at=at))
    return token


def shifts_feed(db: Session, *, token: str, at: datetime) -> str | None:
    """The feed this token opens (two weeks back, eight ahead), or None when
    the token is unknown, turned off, or its supporter no longer active."""
    feed = db.exec(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == token_digest(token), col(CalendarFeed.revoked_at).is_(None)
        )
    ).first()
    user = db.get(User, feed.user_id) if feed else None
    if feed is None or user is None or not user.is_active:
        return None
    cal = Calendar()
    cal.add("prodid", "-//Nattlys//Vaktplan//NO")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Nattlys vakter – {user.display_name}")
    cal.add("x-wr-timezone", "Europe/Oslo")
    start, end = at - SHOWN_BEFORE, at + SHOWN_AFTER
    for shift in shifts.shifts_of(db, user_id=stored_id(user), start=start, end=end):
        event = Event()
        event.add("uid", f"{shift.team.id}-{shift.starts_at.strftime('%Y%m%dT%H%M%SZ')}-{user.id}@nattlys")
        event.add("dtstamp", at.astimezone(UTC))
        event.add("dtstart", shift.starts_at.astimezone(OSLO))
        event.add("dtend", shift.ends_at.astimezone(OSLO))
        event.add("summary", f"Vakt: {shift.team.name}")
        if shift.takes_over_from:
            event.add("description", "Overtar fra: " + ", ".join(shift.takes_over_from))
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    cal.add_missing_timezones(first_date=start.date(), last_date=end.date() + timedelta(days=1))
    return cal.to_ical().decode()
