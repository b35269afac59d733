"""Check-in alerts that keep moving until a supporter says "Jeg tar den".

A red check-in (or a missed one the patient asked to be told about) is offered
to the first tier with someone on duty (`rosters.duty.first_tier`, the same
question the chat asks). If none of that tier's supporters has a device that
can receive it (no open app, no push subscription), it moves on at once. Until
someone acknowledges it, it escalates tier by tier with each tier's time limit;
after the last tier it is re-offered to everyone on duty every few minutes and
counted as an unanswered wait. A new alert goes first to the supporter the
patient last talked to (within a week) when they are on duty in any tier and
can be reached ("preferred"); if they do not take it in time, the tiers in
order from the first. Deadlines are stored on the alert, so the one
scheduler's tick moves them across restarts. Live events and pushes go after
commit and carry nothing clinical beyond the level.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlmodel import Session, col, select

from nattlys import access
from nattlys.accounts.models import Role, User
from nattlys.alerts import gaps
from nattlys.alerts.models import GapKind
from nattlys.alerts.reach import preferred_supporter, reachability, reachable_devices
from nattlys.alerts.schemas import AlertStatus, OpenAlert
from nattlys.api.errors import ApiError, forbidden, not_found
from nattlys.audit import writer as audit
from nattlys.care_circles import membership
from nattlys.checkins.models import CheckinAlert, SlotKind
from nattlys.db import unit_of_work
from nattlys.push import service as push
from nattlys.realtime.connections import notify_on_commit
from nattlys.rosters import duty

ALERT_EVENT = "checkin:alert"
ALERT_GONE_EVENT = "checkin:alert_gone"
PATIENT_EVENT = "alert:status"
TONIGHT_URL = "/#/i-kveld"
# An alert nobody could be told about is still offered when someone comes on
# duty within this time; older ones only stay in the gap log.
KEEP_TRYING_FOR = timedelta(hours=12)
OPEN_STATES = ("offered", "preferred", "ceiling", "no_one_on_duty")
# A next of kin's "I am worried about her tonight" (nattlys/next_of_kin): routed
# like a red check-in, but never shown on the patient's own screen as hers.
WORRY = "worry"
MISSED_TITLES: dict[str, str] = {
    SlotKind.evening: "checkin_evening_missed",
    SlotKind.night: "checkin_night_missed",
}


def reoffer_minutes() -> int:
    return int(current_app.config.get("CEILING_REOFFER_MINUTES", 5))


def _push_message(alert: CheckinAlert, slot_kind: str | None) -> push.PushMessage:
    if alert.reason in ("red", WORRY):
        return push.PushMessage(
            title="someone_needs_you",
            tag=f"checkin-alert-{alert.id}",
            url=TONIGHT_URL,
            ttl=30 * 60,
            urgency="high",
        )
    title = MISSED_TITLES.get(slot_kind or "", "someone_needs_you")
    return push.PushMessage(title=title, tag=f"checkin-missed-{alert.id}", url=TONIGHT_URL, ttl=60 * 60)


def _tell_supporters(
    db: Session,
    alert: CheckinAlert,
    patient: User,
    supporter_ids: list[int],
    *,
    level: str | None,
    slot_kind: str | None = None,
) -> None:
    payload = {
        "alert_id": alert.id,
        "patient_id": patient.id,
        "patient_name": patient.display_name,
        "reason": alert.reason,
        "level": level or ("red" if alert.reason == "red" else None),
        "checkin_id": alert.checkin_id,
        "at": alert.at.isoformat(),
    }
    notify_on_commit(ALERT_EVENT, payload, supporter_ids)
    push.queue(supporter_ids, _push_message(alert, slot_kind))


def _withdraw(alert: CheckinAlert, keep: set[int]) -> None:
    gone = [s for s in alert.supporter_ids or [] if s not in keep]
    notify_on_commit(ALERT_GONE_EVENT, {"alert_id": alert.id}, gone)


def status_of(db: Session, alert: CheckinAlert, *, at: datetime) -> AlertStatus:
    """What the patient is told about this alert, from where it stands now."""
    reach = reachability(db, alert.patient_id, at)
    if alert.state == "acknowledged" and alert.acknowledged_by_id:
        who = db.get(User, alert.acknowledged_by_id)
        kinds = membership.team_kinds_in_circle(
            db, supporter_id=alert.acknowledged_by_id, patient_id=alert.patient_id
        )
        return AlertStatus(
            alert_id=alert.id,
            status="acknowledged",
            acknowledged_by=who.display_name if who else None,
            acknowledged_team_kind=kinds[0] if kinds else None,
            reachability=reach,
            version=alert.status_version,
        )
    kind = duty.tier_kind(db, alert.patient_id, alert.tier_position)
    if alert.state == "preferred":
        status = "told"
    elif alert.state == "offered":
        status = "passed_on" if alert.tier_position or alert.undelivered_tiers else "told"
    elif alert.state == "ceiling":
        status = "nobody_reachable"
    elif alert.state in ("no_one_on_duty", "expired"):
        status = "no_one_on_duty"
    else:
        status = alert.state
    return AlertStatus(
        alert_id=alert.id, status=status, team_kind=kind, reachability=reach, version=alert.status_version
    )


def _tell_patient(db: Session, alert: CheckinAlert, at: datetime) -> None:
    """Raised by the database itself, the version numbers statuses in commit order.
    A next of kin's worry is not hers: her screens are not told of it."""
    if alert.reason == WORRY:
        return
    alert.status_version = CheckinAlert.status_version + 1
    db.add(alert)
    db.flush()
    status = status_of(db, alert, at=at)
    notify_on_commit(PATIENT_EVENT, status.model_dump(mode="json"), [alert.patient_id])


def _route(
    db: Session,
    alert: CheckinAlert,
    patient: User,
    *,
    after: int | None,
    at: datetime,
    level: str | None,
    slot_kind: str | None = None,
    prefer_recent: bool = False,
) -> None:
    """Offer to the first tier after `after` whose supporters can be reached;
    tiers with no device are skipped at once. After the last tier: the ceiling.
    With `prefer_recent` (a new wait), the supporter the patient last talked to
    gets it first when on duty in any tier."""
    prefer = preferred_supporter(db, alert.patient_id, at) if prefer_recent and after is None else None
    position = after
    while (tier := duty.first_tier(db, alert.patient_id, at, after=position, prefer=prefer)) is not None:
        if reachable_devices(db, tier.supporter_ids, at):
            _withdraw(alert, set(tier.supporter_ids))
            alert.state = "preferred" if tier.preferred else "offered"
            alert.tier_position = tier.position
            alert.supporter_ids = tier.supporter_ids
            alert.escalate_at = at + timedelta(minutes=tier.limit_minutes)
            db.add(alert)
            gaps.close_gap(db, at=at, alert_id=alert.id)
            _tell_supporters(db, alert, patient, tier.supporter_ids, level=level, slot_kind=slot_kind)
            return
        alert.undelivered_tiers = [*(alert.undelivered_tiers or []), tier.position]
        position = tier.position
    everyone = duty.everyone_on_duty(db, alert.patient_id, at)
    if everyone:
        _ceiling(db, alert, patient, everyone, at=at, level=level)
        return
    _withdraw(alert, set())
    alert.state = "no_one_on_duty"
    alert.supporter_ids = []
    alert.escalate_at = None
    db.add(alert)
    kind = {"red": GapKind.red_alone, WORRY: GapKind.worry_alone}.get(alert.reason, GapKind.missed_alone)
    gaps.open_gap(
        db, patient_id=alert.patient_id, kind=kind, at=at, shown="no_one_on_duty", alert_id=alert.id
    )


def _ceiling(
    db: Session, alert: CheckinAlert, patient: User, everyone: list[int], *, at: datetime, level: str | None
) -> None:
    """Every tier tried: offer to all on duty, again every few minutes, and count the wait."""
    first_time = alert.state != "ceiling"
    alert.state = "ceiling"
    alert.supporter_ids = everyone
    alert.escalate_at = at + timedelta(minutes=reoffer_minutes())
    db.add(alert)
    _tell_supporters(db, alert, patient, everyone, level=level)
    if first_time:
        gaps.open_gap(
            db,
            patient_id=alert.patient_id,
            kind=GapKind.alert_unanswered,
            at=at,
            shown="nobody_reachable",
            alert_id=alert.id,
        )
    else:
        alert.reoffers += 1
        gaps.count_reoffer(db, alert_id=alert.id)


def raise_alert(
    db: Session,
    *,
    patient: User,
    reason: str,
    at: datetime,
    level: str | None = None,
    checkin_id: int | None = None,
    conversation_id: int | None = None,
    slot_kind: str | None = None,
) -> CheckinAlert:
    """Record the alert and route it. With `conversation_id` (the patient
    asked for contact) the chat's offer carries it: one offer, one push."""
    alert = CheckinAlert(
        patient_id=patient.id,
        checkin_id=checkin_id,
        reason=reason,
        at=at,
        outcome="alerted",
        supporter_ids=[],
        undelivered_tiers=[],
        conversation_id=conversation_id,
    )
    db.add(alert)
    db.flush()
    if conversation_id is not None:
        alert.state = "in_chat"
        alert.outcome = "in_chat"
        db.add(alert)
        return alert
    _route(db, alert, patient, after=None, at=at, level=level, slot_kind=slot_kind, prefer_recent=True)
    alert.outcome = "no_one_on_duty" if alert.state == "no_one_on_duty" else "alerted"
    db.add(alert)
    _tell_patient(db, alert, at)
    return alert


def acknowledge(db: Session, *, supporter: User, alert_id: int, at: datetime) -> CheckinAlert:
    """ "Jeg tar den": the alert stops escalating and the patient is told who saw it."""
    alert = db.exec(select(CheckinAlert).where(CheckinAlert.id == alert_id).with_for_update()).first()
    if alert is None:
        raise not_found("No such alert.")
    if supporter.role != Role.supporter or alert.patient_id not in access.on_duty_patient_ids(
        db,
        supporter_id=supporter.id,
        at=at,
    ):
        raise forbidden("You are not on duty for this patient now.")
    if alert.state == "acknowledged":
        if alert.acknowledged_by_id == supporter.id:
            return alert
        raise ApiError(409, "already_acknowledged", "Someone else has already taken this alert.")
    if alert.state not in OPEN_STATES:
        raise ApiError(409, "not_open", "This alert is not waiting for anyone.")
    others = [s for s in alert.supporter_ids or [] if s != supporter.id]
    alert.state = "acknowledged"
    alert.acknowledged_by_id = supporter.id
    alert.acknowledged_at = at
    alert.escalate_at = None
    db.add(alert)
    gaps.close_gap(db, at=at, alert_id=alert.id)
    audit.record(
        db,
        actor=supporter,
        action="alert.acknowledge",
        object_type="checkin_alert",
        object_id=alert.id,
        patient_id=alert.patient_id,
    )
    notify_on_commit(ALERT_GONE_EVENT, {"alert_id": alert.id, "taken_by": supporter.display_name}, others)
    _tell_patient(db, alert, at)
    return alert


def open_for(db: Session, *, supporter: User, at: datetime) -> list[OpenAlert]:
    """Alerts offered to me now that nobody has taken."""
    rows = db.exec(
        select(CheckinAlert, User)
        .join(User, col(User.id) == col(CheckinAlert.patient_id))
        .where(col(CheckinAlert.state).in_(["offered", "preferred", "ceiling"]))
        .order_by(col(CheckinAlert.at))
    ).all()
    mine = [(a, p) for a, p in rows if supporter.id in (a.supporter_ids or [])]
    on_duty = access.on_duty_patient_ids(db, supporter_id=supporter.id, at=at) if mine else set()
    out = []
    for alert, patient in mine:
        if alert.patient_id not in on_duty:
            continue
        audit.record(
            db,
            actor=supporter,
            action="alert.list",
            object_type="checkin_alert",
            object_id=alert.id,
            patient_id=alert.patient_id,
        )
        out.append(
            OpenAlert(
                id=alert.id,
                patient_id=patient.id,
                patient_name=patient.display_name,
                reason=alert.reason,
                at=alert.at,
                state=alert.state,
                tier_position=alert.tier_position,
            )
        )
    return out


def latest_for_patient(db: Session, *, patient: User, at: datetime) -> AlertStatus | None:
    """Tonight's newest alert about me, as I am told about it."""
    alert = db.exec(
        select(CheckinAlert)
        .where(
            CheckinAlert.patient_id == patient.id,
            col(CheckinAlert.at) >= at - KEEP_TRYING_FOR,
            CheckinAlert.reason != WORRY,
        )
        .order_by(col(CheckinAlert.at).desc(), col(CheckinAlert.id).desc())
    ).first()
    return status_of(db, alert, at=at) if alert else None


def _level(alert: CheckinAlert) -> str | None:
    return "red" if alert.reason == "red" else None


def tick(db: Session, *, at: datetime) -> dict[str, int]:
    """Move every open alert whose deadline passed, whose supporters lost every
    device, or whose patient has someone on duty again. Safe in several processes."""
    counts = {"alerts_escalated": 0, "alerts_reoffered": 0, "alerts_rerouted": 0, "alerts_expired": 0}
    with unit_of_work(db):
        stale = db.exec(
            select(CheckinAlert).where(
                col(CheckinAlert.state).in_(OPEN_STATES), col(CheckinAlert.at) < at - KEEP_TRYING_FOR
            )
        ).all()
        for stale_alert in stale:
            # Half a day on: no longer offered, and the wait is counted up to now.
            _withdraw(stale_alert, set())
            stale_alert.state, stale_alert.escalate_at = "expired", None
            db.add(stale_alert)
            gaps.close_gap(db, at=at, alert_id=stale_alert.id)
            counts["alerts_expired"] += 1
    ids = db.exec(
        select(CheckinAlert.id).where(
            col(CheckinAlert.state).in_(OPEN_STATES), col(CheckinAlert.at) >= at - KEEP_TRYING_FOR
        )
    ).all()
    for alert_id in ids:
        with unit_of_work(db):
            alert = db.exec(select(CheckinAlert).where(CheckinAlert.id == alert_id).with_for_update()).first()
            if alert is None or alert.state not in OPEN_STATES:
                continue
            patient = db.get(User, alert.patient_id)
            if patient is None:
                continue
            due = alert.escalate_at is not None and alert.escalate_at <= at
            before = alert.state
            if alert.state in ("offered", "preferred") and (
                due or not reachable_devices(db, alert.supporter_ids or [], at)
            ):
                # After the last supporter alone: the tiers in order from the first.
                after = None if alert.state == "preferred" else alert.tier_position
                _route(db, alert, patient, after=after, at=at, level=_level(alert))
                counts["alerts_escalated"] += 1
            elif alert.state == "ceiling" and due:
                everyone = duty.everyone_on_duty(db, alert.patient_id, at)
                if everyone:
                    _ceiling(db, alert, patient, everyone, at=at, level=_level(alert))
                else:
                    _route(db, alert, patient, after=None, at=at, level=_level(alert))
                counts["alerts_reoffered"] += 1
            elif alert.state == "no_one_on_duty" and duty.first_tier(db, alert.patient_id, at) is not None:
                _route(db, alert, patient, after=None, at=at, level=_level(alert), prefer_recent=True)
                counts["alerts_rerouted"] += 1
            else:
                continue
            if alert.state != before or before == "ceiling" or alert.state in ("offered", "preferred"):
                _tell_patient(db, alert, at)
    return counts
