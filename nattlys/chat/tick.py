"""The scheduler's tick for the chat: escalate what is due, re-route when
someone comes on duty, nudge a quiet holder, ask for a handover note before
a shift ends, and hand over at the shift change. Safe to run in several
processes at once: each conversation is locked and committed on its own."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from nattlys import access
from nattlys.chat import continuity, deadlines
from nattlys.chat.conversations import get_conversation
from nattlys.chat.messages import tell_in_chat
from nattlys.chat.models import Conversation, ConversationState
from nattlys.chat.routing import offer, push_new_message, record_decision, reoffer_to_all, retry_from, route
from nattlys.chat.status import tell_patient
from nattlys.db import unit_of_work
from nattlys.push import service as push
from nattlys.realtime.connections import notify_on_commit
from nattlys.rosters import duty


def tick(db: Session, *, at: datetime) -> dict[str, int]:
    """Escalate offers past their deadline, re-route unstaffed conversations
    when someone comes on duty, and hand over conversations whose supporter's
    shift has ended. Safe to run in several processes at once."""
    counts = {"escalated": 0, "rerouted": 0, "handed_over": 0, "nudged": 0, "reoffered": 0, "notes_asked": 0}
    due = db.exec(
        select(Conversation.id).where(
            col(Conversation.state).in_([ConversationState.offered, ConversationState.held]),
            col(Conversation.escalate_at).is_not(None),
            col(Conversation.escalate_at) <= at,
        )
    ).all()
    for conversation_id in due:
        with unit_of_work(db):
            assert conversation_id is not None  # a primary key
            conv = get_conversation(db, conversation_id, lock=True)
            if conv.escalate_at is None or conv.escalate_at > at:
                continue
            if conv.state == ConversationState.held:
                counts[_holder_quiet(db, conv, at=at)] += 1
            elif conv.state != ConversationState.offered:
                continue
            elif conv.wait_stage in (deadlines.CEILING, deadlines.TRYING_OTHERS):
                everyone = duty.everyone_on_duty(db, conv.patient_id, at)
                if everyone:
                    reoffer_to_all(db, conv, everyone, at=at)
                    record_decision(
                        db, conv, action="reoffer", at=at, reason="still unanswered", supporters=everyone
                    )
                    tell_patient(db, conv, at)
                else:
                    route(db, conv, from_tier=0, at=at, action="reroute", reason="nobody on duty any more")
                counts["reoffered"] += 1
            else:
                preferred = conv.wait_stage == deadlines.PREFERRED
                route(
                    db,
                    conv,
                    from_tier=retry_from(conv) if preferred else (conv.tier_position or 0) + 1,
                    at=at,
                    action="escalate",
                    reason="the last supporter did not take it in time; the tiers in order"
                    if preferred
                    else f"nobody took it within the time limit of tier {conv.tier_position}",
                )
                counts["escalated"] += 1
    open_ids = db.exec(
        select(Conversation.id).where(
            col(Conversation.state).in_(
                [ConversationState.unstaffed, ConversationState.offered, ConversationState.held]
            )
        )
    ).all()
    for conversation_id in open_ids:
        with unit_of_work(db):
            assert conversation_id is not None  # a primary key
            conv = get_conversation(db, conversation_id, lock=True)
            if conv.state == ConversationState.unstaffed:
                if duty.first_tier(db, conv.patient_id, at) is not None:
                    route(
                        db,
                        conv,
                        from_tier=0,
                        at=at,
                        action="offer",
                        reason="someone came on duty",
                        prefer_recent=True,
                    )
                    counts["rerouted"] += 1
            elif conv.state == ConversationState.held and conv.holder_id is not None:
                if not duty.is_on_duty_for(
                    db, supporter_id=conv.holder_id, patient_id=conv.patient_id, at=at
                ):
                    _shift_change(db, conv, at=at)
                    counts["handed_over"] += 1
                elif _ask_for_note(db, conv, holder_id=conv.holder_id, at=at):
                    counts["notes_asked"] += 1
            elif conv.state == ConversationState.offered:
                still = [
                    s
                    for s in conv.offered_to or []
                    if duty.is_on_duty_for(db, supporter_id=s, patient_id=conv.patient_id, at=at)
                ]
                if not still:
                    route(
                        db,
                        conv,
                        from_tier=retry_from(conv),
                        at=at,
                        action="reroute",
                        reason="everyone it was offered to went off duty",
                    )
                    counts["rerouted"] += 1
    return counts


def _holder_quiet(db: Session, conv: Conversation, *, at: datetime) -> str:
    """The patient wrote and the holder has not answered in time."""
    step, supporters = deadlines.holder_due(db, conv, at=at)
    if step == "nudge":
        notify_on_commit("chat:nudge", {"conversation_id": conv.id}, supporters)
        push_new_message(supporters, conv=conv, for_patient=False)
        record_decision(
            db,
            conv,
            action="nudge",
            at=at,
            reason="the patient is waiting for the holder",
            supporters=supporters,
        )
        return "nudged"
    offer(
        db,
        conv,
        tier=conv.tier_position or 0,
        supporters=supporters,
        minutes=duty.tier_minutes(db, conv.patient_id, conv.tier_position),
        at=at,
    )
    conv.wait_stage = deadlines.TRYING_OTHERS
    db.add(conv)
    record_decision(
        db,
        conv,
        action="offer_others",
        at=at,
        reason="the holder did not answer in time",
        supporters=supporters,
    )
    tell_patient(db, conv, at)
    return "reoffered"


def _ask_for_note(db: Session, conv: Conversation, *, holder_id: int, at: datetime) -> bool:
    """Shortly before the holder's shift ends, ask them once for a handover note
    (live, and a push that says nothing about the patient)."""
    ends = duty.duty_ends_at(db, supporter_id=holder_id, patient_id=conv.patient_id, at=at)
    if ends is None or ends - at > continuity.NOTE_REQUEST_BEFORE or conv.note_requested_for == ends:
        return False
    conv.note_requested_for = ends
    db.add(conv)
    notify_on_commit(
        "chat:note_request",
        {"conversation_id": conv.id, "shift_ends_at": ends.isoformat()},
        [holder_id],
    )
    push.queue(
        [holder_id],
        push.PushMessage(
            title="shift_ends",
            tag=f"handover-{conv.id}",
            url=f"/#/samtale/{conv.id}",
            ttl=int(continuity.NOTE_REQUEST_BEFORE.total_seconds()),
        ),
    )
    return True


def _shift_change(db: Session, conv: Conversation, *, at: datetime) -> None:
    """The holder's shift ended: offer to whoever is on duty now in the same
    team first, then tier by tier. The automatic summary (with the holder's
    note) replaces the last one, and the patient and the next supporters are
    told in the chat what the server did."""
    leaving_id = conv.holder_id
    conv.shift_summary = continuity.summarize_shift(db, conv, leaving_id=leaving_id, at=at)
    conv.handover_note = None  # carried in the summary now
    same_team: set[int] = set()
    if leaving_id is not None:
        teams = access.supporter_team_ids(db, leaving_id)
        on_duty = duty.on_duty_in_teams(db, team_ids=teams, at=at, patient_id=conv.patient_id)
        same_team = {d.user_id for d in on_duty if d.user_id != leaving_id}
    if same_team:
        offer(
            db,
            conv,
            tier=conv.tier_position or 0,
            supporters=sorted(same_team),
            minutes=duty.tier_minutes(db, conv.patient_id, conv.tier_position),
            at=at,
        )
        record_decision(
            db,
            conv,
            action="shift_change",
            at=at,
            reason="holder's shift ended; offered to the incoming colleague",
            supporters=conv.offered_to,
        )
        tell_patient(db, conv, at)
    else:
        route(db, conv, from_tier=0, at=at, action="shift_change", reason="holder's shift ended")
    if conv.state == ConversationState.offered:
        kind = (
            duty.team_kind_of(db, supporter_id=conv.offered_to[0], patient_id=conv.patient_id)
            if conv.offered_to
            else None
        )
        tell_in_chat(db, conv, code="shift_ended_offered", at=at, from_id=leaving_id, tier_kind=kind)
    else:
        tell_in_chat(db, conv, code="shift_ended_nobody", at=at, from_id=leaving_id)
