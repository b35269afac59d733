"""The chat scene (tests/test_chat.py): Mona's circle, bolig (Kari 08-22, Ola
22-08) -> kommune (Ingrid 15:30-23) -> DPS (Silje round the clock), its
rosters, and the chat scheduler's tick."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, func, select

from nattlys.chat.models import Message, RoutingDecision
from nattlys.chat.tick import tick
from tests.factories import Factories
from tests.scenes.world import CareCircle, build_care_circle, publish_rosters

OSLO = ZoneInfo("Europe/Oslo")


def cid() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def circle(factories: Factories, clock: Any) -> CareCircle:
    """Mona's circle: bolig (Kari 08-22, Ola 22-08) -> kommune (Ingrid 15:30-23) -> DPS (Silje round the clock);
    Per in another bolig."""
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=OSLO))  # Wednesday evening
    return build_care_circle(factories, outsider=("per", "Per"))


def staff_rosters(factories: Factories, c: CareCircle) -> None:
    publish_rosters(factories, c)


def messages_in_db(db: Any) -> int:
    count = db.exec(select(func.count()).select_from(Message)).one()
    db.commit()  # end the read: on SQLite it holds the write lock
    return count


def decisions(db: Any) -> list[str]:
    actions = [d.action for d in db.exec(select(RoutingDecision).order_by(col(RoutingDecision.id))).all()]
    db.commit()
    return actions


def run_tick(app: Any, clock: Any) -> dict[str, int]:
    from nattlys.db import get_db

    with app.app_context():
        return tick(get_db(), at=clock())
