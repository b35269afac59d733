"""The reminder job (run every minute by the one scheduler).

For every patient with a check-in schedule, and every patient in the 14 days
after a discharge, each check-in (slot) has three steps:

    reminder  at the chosen local time      push "Tid for kveldssjekk" (in the app if no push)
    gentle    60 minutes later, if not done push "Kveldssjekken venter": the ONE gentle reminder
    missed    120 minutes later, if not done if the patient chose tell_on_duty: alert the
                                            supporters on duty (staff push, nothing clinical)

A check-in made up to 2 hours before the chosen time counts. A step is taken
at most once: it is recorded in checkin_reminders under the unique key
(patient, local date, kind, step) in the same transaction that decides to
send, and the push is queued only after that commit. A restart, a late run or
a second scheduler process therefore neither doubles nor skips a step (a step
more than 30 minutes overdue is not sent late; the app still shows it). A
push step is recorded as "pushing" and becomes "pushed" once the sends are
made; one still "pushing" five minutes later (its process was killed in
between) is sent again, with the same notification tag.
Patient-facing pushes are not sent in the patient's quiet hours.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import TypedDict

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select, update

from nattlys.accounts.models import Role, User
from nattlys.alerts import escalation
from nattlys.checkins import timing
from nattlys.checkins.models import (
    AfterMissed,
    Checkin,
    CheckinSchedule,
    ReminderSent,
    ReminderStep,
    SlotKind,
)
from nattlys.checkins.service import GENTLE_TITLES, REMINDER_TITLES, active_discharges, view_of
from nattlys.clock import OSLO
from nattlys.db import (
    app_object,
    insert_on_conflict,
    standalone_session,
    table_of,
    unit_of_work,
)
from nattlys.push import service as push

log = logging.getLogger(__name__)
CHECKIN_URL = "/#/kveldssjekk"
# A reminder push recorded but not yet confirmed sent; after this long its
# sender is taken to have died (sending gives up within about a minute).
PUSHING = "pushing"
UNCONFIRMED_AFTER = timedelta(minutes=5)
# Push steps recorded per statement (and then sent) in the evening burst.
RECORD_BATCH = 250
# Steps whose sends this process has under way: never "unconfirmed" here.
_in_flight: set[int] = set()
_in_flight_lock = threading.Lock()


class StepRecord(TypedDict):
    """A reminder step about to be recorded: one row of `ReminderSent` without its id."""

    patient_id: int
    local_date: date
    kind: str
    step: str
    due_at: datetime
    sent_at: datetime
    outcome: str


def _due_steps(
    views: dict[int, timing.ScheduleView], follow_up: dict[tuple[int, object], bool], at: datetime
) -> list[tuple[timing.Slot, ReminderStep]]:
    today = at.astimezone(OSLO).date()
    out = []
    for patient_id, view in views.items():
        for day in (today - timedelta(days=1), today):
            for slot in timing.slots_on(view, day, follow_up=follow_up.get((patient_id, day), False)):
                for step in ReminderStep:
                    when = slot.step_at(step)
                    if when <= at < when + timing.CATCH_UP:
                        out.append((slot, step))
    return out


def run(db: Session, *, at: datetime) -> Counter[str]:
    """Take every reminder step due now. Safe to run in several processes at once."""
    counts: Counter[str] = Counter()
    if resent := resend_unconfirmed(db, at=at):
        counts["resent"] = resent
    today = at.astimezone(OSLO).date()
    rows = {s.patient_id: s for s in db.exec(select(CheckinSchedule)).all()}
    follow_up: dict[tuple[int, object], bool] = {}
    for day in (today - timedelta(days=1), today):
        for patient_id in active_discharges(db, None, day):
            follow_up[(patient_id, day)] = True
    patient_ids = set(rows) | {p for p, _ in follow_up}
    active: set[int] = (
        set(
            db.exec(
                select(User.id).where(
                    col(User.id).in_(patient_ids), User.role == Role.patient, col(User.is_active).is_(True)
                )
            ).all()
        )
        if patient_ids
        else set()
    )
    views = {p: view_of(p, rows.get(p)) for p in active}
    steps = _due_steps(views, follow_up, at)
    if not steps:
        db.commit()
        return counts
    # The newest check-in of each patient concerned, in one query.
    concerned = sorted({slot.patient_id for slot, _ in steps})
    latest = dict(
        db.exec(
            select(Checkin.patient_id, func.max(Checkin.created_at))
            .where(col(Checkin.patient_id).in_(concerned))
            .group_by(col(Checkin.patient_id))
        ).all()
    )
    taken = set(
        db.exec(
            select(
                col(ReminderSent.patient_id),
                col(ReminderSent.local_date),
                col(ReminderSent.kind),
                col(ReminderSent.step),
            ).where(
                col(ReminderSent.patient_id).in_(concerned),
                col(ReminderSent.local_date) >= today - timedelta(days=1),
            )
        ).all()
    )
    reachable = push.users_with_push(db, concerned, at=at)
    db.commit()  # end the reads; each alert, and each batch of pushes, is its own short transaction

    to_push: list[StepRecord] = []
    to_tell: list[ReminderSent] = []
    for slot, step in sorted(steps, key=lambda s: (s[0].due_at, s[0].patient_id)):
        if (slot.patient_id, slot.local_date, str(slot.kind), str(step)) in taken:
            continue
        last = latest.get(slot.patient_id)
        last = last.replace(tzinfo=at.tzinfo) if last is not None and last.tzinfo is None else last
        done = last is not None and last >= slot.due_at - timing.EARLY_WINDOW
        outcome = _decide(slot, step, views[slot.patient_id], rows.get(slot.patient_id), done, reachable, at)
        record = StepRecord(
            patient_id=slot.patient_id,
            local_date=slot.local_date,
            kind=str(slot.kind),
            step=str(step),
            due_at=slot.step_at(step),
            sent_at=at,
            outcome=PUSHING if outcome == "pushed" else outcome,
        )
        if outcome == "tell":
            to_tell.append(ReminderSent(**record))
        else:
            to_push.append(record)
    # Missed check-ins the patient wanted told first: few, and each raises an alert.
    for told in to_tell:
        _tell_on_duty(db, told, counts, at)
    for start in range(0, len(to_push), RECORD_BATCH):
        _record_and_push(db, to_push[start : start + RECORD_BATCH], counts)
    if counts:
        log.info("check-in reminders", extra=dict(counts))
    return counts


def _decide(
    slot: timing.Slot,
    step: ReminderStep,
    view: timing.ScheduleView,
    row: CheckinSchedule | None,
    done: bool,
    reachable: set[int],
    at: datetime,
) -> str:
    """What this step does: "pushed" sends the reminder to the patient's phone."""
    if done:
        return "done"
    if step == ReminderStep.missed:
        chose = row is not None and row.after_missed == AfterMissed.tell_on_duty
        return "tell" if chose else "not_chosen"
    if timing.is_quiet(view, at):
        return "quiet"
    if slot.patient_id not in reachable:
        return "in_app"
    return "pushed"


def _tell_on_duty(db: Session, record: ReminderSent, counts: Counter[str], at: datetime) -> None:
    """Record the missed step and alert whoever is on duty, in one transaction."""

    try:
        with db.begin_nested():
            db.add(record)
            db.flush()
    except IntegrityError:
        db.rollback()  # another process took this step first
        counts["already_taken"] += 1
        return
    try:
        # The alert's live event and staff push go out only if it is stored.
        with unit_of_work(db):
            patient = db.get_one(User, record.patient_id)  # the step's row has a foreign key to her
            alert = escalation.raise_alert(db, patient=patient, reason="missed", slot_kind=record.kind, at=at)
            record.outcome = "told_on_duty" if alert.outcome == "alerted" else "no_one_on_duty"
            db.add(record)
    except IntegrityError:
        counts["already_taken"] += 1
        return
    counts[f"{record.step}:{record.outcome}"] += 1


def _record_and_push(db: Session, records: list[StepRecord], counts: Counter[str]) -> None:
    """Record a batch of steps in one statement, skipping any another process
    took first, commit, and send this batch's pushes before the next batch is
    written: the first phones buzz while later steps are still being recorded."""
    table = table_of(ReminderSent)
    # One statement compiled once for every batch; the driver gets the rows as parameters.
    stored = db.execute(
        insert_on_conflict(db, ReminderSent)
        .on_conflict_do_nothing(index_elements=["patient_id", "local_date", "kind", "step"])
        .returning(table.c.id, table.c.patient_id, table.c.kind, table.c.step, table.c.outcome),
        records,
    ).all()
    db.commit()
    if len(stored) < len(records):
        counts["already_taken"] += len(records) - len(stored)
    batches: dict[push.PushMessage, list[tuple[int, int]]] = defaultdict(list)
    for row in stored:
        outcome = "pushed" if row.outcome == PUSHING else row.outcome
        counts[f"{row.step}:{outcome}"] += 1
        if row.outcome == PUSHING:
            batches[_reminder_push(row.kind, row.step)].append((row.patient_id, row.id))
    for message, taken_steps in batches.items():
        _push_then_confirm([p for p, _ in taken_steps], message, [r for _, r in taken_steps])


def _reminder_push(kind: str, step: str) -> push.PushMessage:
    # Dropped by the push service if it cannot be delivered before the next step.
    ttl = int(timing.GENTLE_AFTER.total_seconds())
    titles = REMINDER_TITLES if step == ReminderStep.reminder else GENTLE_TITLES
    slot_kind = SlotKind(kind)
    return push.PushMessage(title=titles[slot_kind], tag=f"checkin-{slot_kind}", url=CHECKIN_URL, ttl=ttl)


def _push_then_confirm(user_ids: list[int], message: push.PushMessage, record_ids: list[int]) -> None:
    """Send, and mark the steps "pushed" once the sends are made. A step left
    "pushing" (the process died first) is sent again by a later run."""
    app = app_object()
    with _in_flight_lock:
        _in_flight.update(record_ids)

    def confirm() -> None:
        try:
            with standalone_session(app) as db:
                db.exec(
                    update(ReminderSent)
                    .where(col(ReminderSent.id).in_(record_ids), col(ReminderSent.outcome) == PUSHING)
                    .values(outcome="pushed")
                )
                db.commit()
        finally:
            with _in_flight_lock:
                _in_flight.difference_update(record_ids)

    push.dispatcher().submit(sorted(set(user_ids)), message, on_done=confirm)


def resend_unconfirmed(db: Session, *, at: datetime) -> int:
    """Send again the reminder pushes whose sending was never confirmed (the
    process taking the step died between recording it and sending), while the
    push is still worth sending. Each is claimed with a compare-and-set on its
    time, so two scheduler runs never both resend it. The push carries the
    same tag as the first, so a device that did get it shows one notification."""
    stale = db.exec(
        select(ReminderSent).where(
            ReminderSent.outcome == PUSHING,
            col(ReminderSent.sent_at) > at - timing.GENTLE_AFTER,  # implied; keeps to the index
            col(ReminderSent.sent_at) <= at - UNCONFIRMED_AFTER,
            col(ReminderSent.due_at) > at - timing.GENTLE_AFTER,
        )
    ).all()
    with _in_flight_lock:
        under_way = set(_in_flight)
    resent = 0
    for row in stale:
        if row.id in under_way:
            continue
        claimed = db.exec(
            update(ReminderSent)
            .where(
                col(ReminderSent.id) == row.id,
                col(ReminderSent.outcome) == PUSHING,
                col(ReminderSent.sent_at) == row.sent_at,
            )
            .values(sent_at=at)
        )
        db.commit()
        if claimed.rowcount == 1:
            _push_then_confirm([row.patient_id], _reminder_push(row.kind, row.step), [row.id])
            resent += 1
    if resent:
        log.warning("reminder pushes sent again after an unconfirmed send", extra={"steps": resent})
    return resent
