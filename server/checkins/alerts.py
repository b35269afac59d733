"""Telling the supporters on duty for a patient: a red check-in, or a missed
check-in the patient asked to be told about.

Who is told comes from the roster service, tier by tier: everyone on duty in
the first tier of the patient's care circle that has anyone on duty. If no
tier has anyone, the gap is recorded (and shown to administrators beside the
chat's gaps). The live event and the push carry nothing clinical beyond the
level: the supporter opens the app to see more, and that read is audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from server.accounts.models import User
from server.checkins.models import CheckinAlert, SlotKind
from server.db import after_commit
from server.push import service as push
from server.realtime import socketio, user_room
from server.rosters import service as rosters

ALERT_EVENT = "checkin:alert"
TONIGHT_URL = "/#/i-kveld"


def on_duty_now(db: Session, patient_id: int, at: datetime) -> tuple[int | None, list[int], str | None]:
    """(tier position, supporter ids, team kind) of the first tier with anyone on duty."""
    duty = rosters.on_duty(db, patient_id=patient_id, at=at)
    for tier in duty.tiers:
        ids = sorted({d.user_id for d in tier.on_duty})
        if ids:
            return tier.position, ids, str(tier.on_duty[0].team_kind)
    return None, [], None


def alert_on_duty(
    db: Session,
    *,
    patient: User,
    reason: str,
    at: datetime,
    level: str | None = None,
    checkin_id: int | None = None,
    slot_kind: str | None = None,
) -> tuple[CheckinAlert, str | None]:
    """Record the alert and, after commit, tell those on duty live and by push.
    Returns the alert row and the team kind told (None if nobody was on duty)."""
    position, supporter_ids, kind = on_duty_now(db, patient.id, at)  # type: ignore[arg-type]
    alert = CheckinAlert(
        patient_id=patient.id,  # type: ignore[arg-type]
        checkin_id=checkin_id,
        reason=reason,
        at=at,
        outcome="alerted" if supporter_ids else "no_one_on_duty",
        tier_position=position,
        supporter_ids=supporter_ids,
    )
    db.add(alert)
    if not supporter_ids:
        return alert, None
    payload = {
        "patient_id": patient.id,
        "patient_name": patient.display_name,
        "reason": reason,
        "level": level,
        "checkin_id": checkin_id,
        "at": at.isoformat(),
    }
    rooms = [user_room(u) for u in supporter_ids]
    after_commit(lambda: socketio.emit(ALERT_EVENT, payload, to=rooms))
    if reason == "red":
        message = push.PushMessage(
            title="Noen trenger deg", tag="checkin-alert", url=TONIGHT_URL, ttl=30 * 60, urgency="high"
        )
    else:
        title = "Nattsjekken er ikke gjort" if slot_kind == SlotKind.night else "Kveldssjekken er ikke gjort"
        message = push.PushMessage(title=title, tag="checkin-missed", url=TONIGHT_URL, ttl=60 * 60)
    push.queue(supporter_ids, message)
    return alert, kind
