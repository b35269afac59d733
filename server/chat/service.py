"""The chat service: storing messages, routing by the roster, escalating,
handing over, and telling the patient honestly what is happening.

Routing asks the roster service (`on_duty`) tier by tier. Deadlines are stored
on the conversation, and `tick` (run by the one scheduler) escalates what is
due, so timers survive restarts. Events are emitted only after commit.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from server import access
from server.accounts.models import Role, User
from server.accounts.throttle import flood_hit
from server.alerts import gaps as gap_log
from server.alerts.models import GapKind
from server.alerts.reach import reachability
from server.api.errors import ApiError, forbidden, not_found
from server.audit import writer as audit
from server.chat import continuity, deadlines
from server.chat.models import SYSTEM_SENDER, Conversation, ConversationState, Message, RoutingDecision
from server.chat.presence import presence
from server.chat.schemas import (
    MAX_MESSAGE_LENGTH,
    ChatNotice,
    ChatStatus,
    ConversationPublic,
    MessagePublic,
)
from server.db import after_commit
from server.realtime import current_socket, socketio, user_room
from server.rosters import duty
from server.rosters.snapshot import snapshot as roster_snapshot

log = logging.getLogger(__name__)


# --- helpers -------------------------------------------------------------------------


def _emit(
    event: str, payload: dict[str, Any], user_ids: list[int] | set[int], *, skip_sender: bool = False
) -> None:
    """After commit, to every device of these users; with `skip_sender`, not to
    the socket whose event this is (its acknowledgement carries the same)."""
    rooms = [user_room(u) for u in sorted(set(user_ids))]
    skip = current_socket() if skip_sender else None
    if rooms:
        after_commit(lambda: socketio.emit(event, payload, to=rooms, skip_sid=skip))


def _decide(
    db: Session,
    conv: Conversation,
    *,
    action: str,
    at: datetime,
    reason: str,
    tier: int | None = None,
    supporters: list[int] | None = None,
    actor: User | None = None,
) -> None:
    db.add(
        RoutingDecision(
            conversation_id=conv.id,  # type: ignore[arg-type]
            patient_id=conv.patient_id,
            at=at,
            action=action,
            tier_position=tier,
            supporter_ids=supporters or [],
            actor_id=actor.id if actor else None,
            reason=reason[:300],
        )
    )
    if actor is None:  # the server's own decision (a supporter's action has its own row)
        kinds = (_team_kind_of(db, s, conv.patient_id) for s in supporters or [])
        audit.record(
            db,
            actor=None,
            by_system=True,
            action=f"route.{action}",
            object_type="conversation",
            object_id=conv.id,
            patient_id=conv.patient_id,
            to_team_kinds=[k for k in kinds if k],
        )


def _team_kind_of(db: Session, supporter_id: int, patient_id: int) -> str | None:
    """The team kind the patient knows this supporter by: the first tier of the
    care circle with a team the supporter is in. Read from the roster snapshot
    (in memory); a primary contact outside the circle's teams falls back to the
    database."""
    snap = roster_snapshot(db)
    for tier in snap.circles.get(patient_id, ()):
        for team_id in tier.team_ids:
            if supporter_id in snap.roster(team_id).members:
                return snap.team_info[team_id].kind
    kinds = access.team_kinds_in_circle(db, supporter_id=supporter_id, patient_id=patient_id)
    return kinds[0] if kinds else None


def _supporter_name(db: Session, supporter_id: int) -> str | None:
    name = roster_snapshot(db).names.get(supporter_id)
    if name is None:
        user = db.get(User, supporter_id)
        name = user.display_name if user else None
    return name


def check_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise ApiError(400, "empty_message", "The message is empty.")
    if len(text) > MAX_MESSAGE_LENGTH:
        message = f"A message can have at most {MAX_MESSAGE_LENGTH} characters."
        raise ApiError(
            400,
            "message_too_long",
            message,
            fields=[{"loc": ["body"], "type": "string_too_long", "message": message}],
        )
    return text


def _rate_limit(db: Session, user: User, at: datetime) -> None:
    count, started = flood_hit(f"chat:user:{user.id}", at=at, window=timedelta(minutes=1))
    if count > current_app.config["CHAT_MESSAGES_PER_MINUTE"]:
        retry = max(1, int((started + timedelta(minutes=1) - at).total_seconds()))
        raise ApiError(
            429, "rate_limited", "Too many messages in a short time.", headers={"Retry-After": str(retry)}
        )


def conversation_for(db: Session, *, patient_id: int, at: datetime, lock: bool = False) -> Conversation:
    stmt = select(Conversation).where(Conversation.patient_id == patient_id)
    if lock:
        stmt = stmt.with_for_update()
    conv = db.exec(stmt).first()
    if conv is None:
        conv = Conversation(patient_id=patient_id, created_at=at, updated_at=at, offered_to=[])
        db.add(conv)
        try:
            with db.begin_nested():
                db.flush()
        except IntegrityError:
            conv = db.exec(stmt).one()
    return conv


def get_conversation(db: Session, conversation_id: int, *, lock: bool = False) -> Conversation:
    stmt = select(Conversation).where(Conversation.id == conversation_id)
    if lock:
        stmt = stmt.with_for_update()
    conv = db.exec(stmt).first()
    if conv is None:
        raise not_found("No such conversation.")
    return conv


# --- what the patient is told ---------------------------------------------------------


def patient_status(db: Session, conv: Conversation, *, at: datetime) -> ChatStatus:
    base: dict[str, Any] = {
        "state": conv.state,
        "delivered_upto_id": conv.delivered_upto_id,
        "read_upto_id": conv.read_upto_id,
        "reachability": reachability(db, conv.patient_id, at),
        "waiting_seconds": int((at - conv.waiting_since).total_seconds()) if conv.waiting_since else None,
    }
    if conv.state == ConversationState.unstaffed:
        return ChatStatus(code="nobody_on_duty", **base)
    if conv.state == ConversationState.offered and conv.wait_stage == deadlines.CEILING:
        return ChatStatus(code="nobody_reachable", **base)
    if conv.state == ConversationState.held and conv.holder_id:
        holder_name = _supporter_name(db, conv.holder_id)
        kind = _team_kind_of(db, conv.holder_id, conv.patient_id)
        code = (
            "read"
            if conv.read_upto_id >= conv.last_message_id and conv.read_by_id == conv.holder_id
            else "answering"
        )
        return ChatStatus(
            code=code,
            supporter_name=holder_name,
            supporter_team_kind=kind,
            **base,
        )
    if conv.state == ConversationState.offered:
        tier_kind = duty.tier_kind(db, conv.patient_id, conv.tier_position)
        wait = int((conv.escalate_at - at).total_seconds()) if conv.escalate_at else None
        if conv.wait_stage == deadlines.TRYING_OTHERS:
            code = "trying_others"
        elif conv.tier_position and conv.wait_stage != deadlines.PREFERRED:
            code = "passed_on"
        elif conv.delivered_upto_id >= conv.last_message_id:
            code = "delivered"
        else:
            code = "sent"
        return ChatStatus(
            code=code,
            tier_kind=tier_kind,
            expected_wait_seconds=max(0, wait) if wait is not None else None,
            **base,
        )
    return ChatStatus(code="sent" if conv.last_message_id else "idle", **base)


def _status_inputs(conv: Conversation) -> tuple[Any, ...]:
    """What `patient_status` is made of, but the clock (waits count from stored
    instants, and reachability does not move with a message): the same before
    and after a change, the status the patient's devices show still holds."""
    return (
        conv.state,
        conv.holder_id,
        conv.tier_position,
        conv.wait_stage,
        conv.waiting_since,
        conv.escalate_at,
        conv.delivered_upto_id,
        conv.read_upto_id,
        conv.read_by_id,
        conv.delivered_upto_id >= conv.last_message_id,
        conv.read_upto_id >= conv.last_message_id,
    )


def _tell_patient(db: Session, conv: Conversation, at: datetime) -> None:
    status = patient_status(db, conv, at=at)
    _emit("chat:status", {"conversation_id": conv.id, **status.model_dump(mode="json")}, [conv.patient_id])


# --- routing ---------------------------------------------------------------------------


def _order_candidates(db: Session, conv: Conversation, supporter_ids: list[int]) -> list[int]:
    """The supporter the patient last talked to first, then those online."""
    online = presence().online(supporter_ids)
    return sorted(
        supporter_ids,
        key=lambda s: (s != conv.last_supporter_id, s not in online, s),
    )


def _push_new_message(user_ids: list[int] | set[int], *, conv: Conversation, for_patient: bool) -> None:
    """Web push "Ny melding": never the text, never who wrote."""
    from server.push.service import PushMessage, queue

    queue(
        user_ids,
        PushMessage(
            title="new_message",
            tag=f"chat-{conv.id}",
            url="/#/chat" if for_patient else f"/#/samtale/{conv.id}",
            ttl=15 * 60 if not for_patient else 6 * 3600,
            urgency="high",
        ),
    )


def _withdraw_from(conv: Conversation, keep: set[int]) -> None:
    """Tell supporters who had the offer (or held it) that it is no longer theirs."""
    gone = [s for s in (conv.offered_to or []) if s not in keep]
    if conv.state == ConversationState.held and conv.holder_id and conv.holder_id not in keep:
        gone.append(conv.holder_id)
    _emit("chat:withdrawn", {"conversation_id": conv.id}, gone)


def _offer(
    db: Session, conv: Conversation, *, tier: int, supporters: list[int], minutes: int, at: datetime
) -> None:
    newly_offered = [u for u in supporters if u not in (conv.offered_to or []) and u != conv.holder_id]
    _withdraw_from(conv, set(supporters))
    _push_new_message(newly_offered, conv=conv, for_patient=False)
    conv.state = ConversationState.offered
    conv.holder_id = None
    conv.tier_position = tier
    conv.offered_to = _order_candidates(db, conv, supporters)
    conv.offered_at = at
    conv.escalate_at = at + timedelta(minutes=minutes)
    conv.wait_stage = None
    conv.updated_at = at
    db.add(conv)
    _emit_offer(db, conv, supporters, tier=tier, at=at)


def _emit_offer(db: Session, conv: Conversation, supporters: list[int], *, tier: int, at: datetime) -> None:
    """The live offer, to each supporter with tonight's level and the reasons
    for it that the patient shares with that supporter's team kind."""
    from server.chat.inbox import offer_reason

    for supporter_id in sorted(set(supporters)):
        viewer = db.get(User, supporter_id)
        reason = offer_reason(db, viewer=viewer, patient_id=conv.patient_id, at=at) if viewer else {}
        payload = {"conversation_id": conv.id, "patient_id": conv.patient_id, "tier": tier, **reason}
        _emit("chat:offer", payload, [supporter_id])


def route(
    db: Session,
    conv: Conversation,
    *,
    from_tier: int,
    at: datetime,
    action: str,
    reason: str,
    prefer_recent: bool = False,
) -> None:
    """Offer the conversation to the first tier, from `from_tier` on, that has
    anyone on duty now; if none has, say so at once and record the gap. With
    `prefer_recent` (a new wait), the supporter the patient last talked to
    gets it first when on duty in any tier."""
    prefer = (
        continuity.preferred_supporter(db, conv.patient_id, at) if prefer_recent and from_tier == 0 else None
    )
    tier = duty.first_tier(
        db, conv.patient_id, at, after=from_tier - 1 if from_tier > 0 else None, prefer=prefer
    )
    if tier is not None:
        _offer(db, conv, tier=tier.position, supporters=tier.supporter_ids, minutes=tier.limit_minutes, at=at)
        if tier.preferred:
            conv.wait_stage = deadlines.PREFERRED
            reason = f"{reason}; the supporter the patient last talked to first"
        _decide(db, conv, action=action, at=at, reason=reason, tier=tier.position, supporters=conv.offered_to)
        gap_log.close_gap(db, at=at, conversation_id=conv.id)
        _tell_patient(db, conv, at)
        return
    if from_tier > 0:
        everyone = duty.everyone_on_duty(db, conv.patient_id, at)
        if everyone:
            _reoffer_to_all(db, conv, everyone, at=at)
            _decide(
                db,
                conv,
                action="nobody_answered",
                at=at,
                reason="every tier tried; offered to all on duty",
                supporters=everyone,
            )
            _tell_patient(db, conv, at)
            return
    _withdraw_from(conv, set())
    conv.state = ConversationState.unstaffed
    conv.holder_id = None
    conv.offered_to = []
    conv.escalate_at = None
    conv.wait_stage = None
    conv.updated_at = at
    db.add(conv)
    _decide(db, conv, action="no_one_on_duty", at=at, reason="nobody on duty in any tier of the care circle")
    gap_log.open_gap(
        db,
        patient_id=conv.patient_id,
        kind=GapKind.chat_alone,
        at=at,
        shown="nobody_on_duty",
        conversation_id=conv.id,
    )
    _tell_patient(db, conv, at)


def retry_from(conv: Conversation) -> int:
    """The tier to try from when the current offer lapses: after an offer to
    the last supporter alone, the tiers in order from the first."""
    return 0 if conv.wait_stage == deadlines.PREFERRED else conv.tier_position or 0


def _reoffer_to_all(db: Session, conv: Conversation, everyone: list[int], *, at: datetime) -> None:
    """The ceiling: offered to everyone on duty in any tier, each pushed again."""
    already, again = set(conv.offered_to or []), conv.wait_stage == deadlines.CEILING
    _offer(db, conv, tier=conv.tier_position or 0, supporters=everyone, minutes=0, at=at)
    _push_new_message([u for u in everyone if u in already], conv=conv, for_patient=False)
    deadlines.reach_ceiling(db, conv, again=again, at=at)


# --- sending ---------------------------------------------------------------------------


def message_public(
    db: Session, message: Message, names: dict[int, tuple[str, str | None]] | None = None
) -> MessagePublic:
    name = kind = None
    if message.sender_role == SYSTEM_SENDER:
        return _notice_public(db, message)
    if message.sender_id is not None and message.sender_role == Role.supporter:
        if names is not None and message.sender_id in names:
            name, kind = names[message.sender_id]
        else:
            conv = db.get(Conversation, message.conversation_id)
            name = _supporter_name(db, message.sender_id)
            kind = _team_kind_of(db, message.sender_id, conv.patient_id) if conv else None
            if names is not None:
                names[message.sender_id] = (name or "", kind)
    return MessagePublic(
        id=message.id,  # type: ignore[arg-type]
        conversation_id=message.conversation_id,
        client_id=message.client_id,
        body=message.body,
        sender_role=message.sender_role,
        sender_id=message.sender_id,
        sender_name=name,
        sender_team_kind=kind,
        created_at=message.created_at,
    )


def _notice_public(db: Session, message: Message) -> MessagePublic:
    notice = message.notice or {}
    conv = db.get(Conversation, message.conversation_id)
    to_id = notice.get("to_id")
    return MessagePublic(
        id=message.id,  # type: ignore[arg-type]
        conversation_id=message.conversation_id,
        client_id=message.client_id,
        body="",
        sender_role=message.sender_role,
        sender_id=None,
        sender_name=None,
        sender_team_kind=None,
        created_at=message.created_at,
        notice=ChatNotice(
            code=str(notice.get("code", "")),
            from_name=_supporter_name(db, notice["from_id"]) if notice.get("from_id") else None,
            to_name=_supporter_name(db, to_id) if to_id else None,
            to_team_kind=_team_kind_of(db, to_id, conv.patient_id) if to_id and conv else None,
            tier_kind=notice.get("tier_kind"),
        ),
    )


def _tell_in_chat(db: Session, conv: Conversation, *, code: str, at: datetime, **names: Any) -> None:
    """A line from the server in the chat, to the patient and whoever holds or
    is offered the conversation. Not a message to answer: the read and
    delivered markers and the holder's clock stay where they are."""
    message = Message(
        conversation_id=conv.id,  # type: ignore[arg-type]
        sender_id=None,
        sender_role=SYSTEM_SENDER,
        client_id=f"notice-{uuid.uuid4().hex}",
        body="",
        notice={"code": code, **names},
        created_at=at,
    )
    db.add(message)
    db.flush()
    public = message_public(db, message)
    _emit("chat:message", public.model_dump(mode="json"), _recipients(conv) | {conv.patient_id})


def _resent(db: Session, conv: Conversation, *, sender: User, client_id: str) -> Message | None:
    """The message this client already sent under `client_id` (its outbox resends)."""
    return db.exec(
        select(Message).where(
            Message.conversation_id == conv.id, Message.sender_id == sender.id, Message.client_id == client_id
        )
    ).first()


def _store(
    db: Session, conv: Conversation, *, sender: User, client_id: str, body: str, at: datetime
) -> Message:
    message = Message(
        conversation_id=conv.id,  # type: ignore[arg-type]
        sender_id=sender.id,
        sender_role=sender.role,
        client_id=client_id,
        body=body,
        created_at=at,
    )
    db.add(message)
    db.flush()
    conv.last_message_id = message.id  # type: ignore[assignment]
    conv.updated_at = at
    return message


def _recipients(conv: Conversation) -> set[int]:
    if conv.state == ConversationState.held and conv.holder_id:
        return {conv.holder_id}
    if conv.state == ConversationState.offered:
        return set(conv.offered_to or [])
    return set()


def send_from_patient(
    db: Session, *, patient: User, client_id: str, body: str, at: datetime
) -> MessagePublic:
    return _patient_sends(db, patient=patient, client_id=client_id, body=body, at=at)[0]


def send_from_patient_with_status(
    db: Session, *, patient: User, client_id: str, body: str, at: datetime
) -> tuple[MessagePublic, ChatStatus]:
    """The message and the patient's status after it, for the sending socket's
    acknowledgement: a chat:status event follows only when the message changed it."""
    public, conv = _patient_sends(db, patient=patient, client_id=client_id, body=body, at=at)
    return public, patient_status(db, conv, at=at)


def _patient_sends(
    db: Session, *, patient: User, client_id: str, body: str, at: datetime
) -> tuple[MessagePublic, Conversation]:
    text = check_body(body)
    conv = conversation_for(db, patient_id=patient.id, at=at, lock=True)  # type: ignore[arg-type]
    existing = _resent(db, conv, sender=patient, client_id=client_id)
    if existing is not None:
        return message_public(db, existing), conv  # a resend: stored once, routed once
    _rate_limit(db, patient, at)
    status_before = _status_inputs(conv)
    message = _store(db, conv, sender=patient, client_id=client_id, body=text, at=at)
    public = message_public(db, message)
    audit.record(
        db,
        actor=patient,
        action="chat.write",
        object_type="message",
        object_id=message.id,
        patient_id=patient.id,
    )
    if conv.waiting_since is None:
        conv.waiting_since = at
    db.add(conv)
    if conv.state in (ConversationState.idle, ConversationState.unstaffed):
        route(
            db,
            conv,
            from_tier=0,
            at=at,
            action="offer",
            reason="patient wrote; nobody held the conversation",
            prefer_recent=True,
        )
    else:
        deadlines.patient_wrote_to_holder(db, conv, at=at)
        if _status_inputs(conv) != status_before:
            _tell_patient(db, conv, at)  # else the sending socket's acknowledgement carries it
    recipients = _recipients(conv)
    _emit("chat:message", public.model_dump(mode="json"), recipients | {patient.id}, skip_sender=True)  # type: ignore[operator]
    # One row per recipient, in the message's own transaction: the emit reaches
    # every device in their rooms whether or not one acknowledges, so a row
    # written on a socket's ack would miss some of those who got it.
    audit.record_each(
        db,
        actor_ids=recipients,
        action="chat.deliver",
        object_type="message",
        object_id=message.id,
        patient_id=patient.id,
    )
    return public, conv


def send_from_supporter(
    db: Session, *, supporter: User, conversation_id: int, client_id: str, body: str, at: datetime
) -> MessagePublic:
    text = check_body(body)
    conv = get_conversation(db, conversation_id, lock=True)
    access.require_chat_action(db, supporter, conv, at=at)
    answering_offer = conv.state == ConversationState.offered and supporter.id in (conv.offered_to or [])
    if not answering_offer and conv.holder_id != supporter.id:
        raise forbidden("Take the conversation before answering.")
    existing = _resent(db, conv, sender=supporter, client_id=client_id)
    if existing is None:
        _rate_limit(db, supporter, at)  # before anything is written
    if answering_offer:
        _take(db, conv, supporter=supporter, at=at, reason="answered the offer")
    if existing is not None:
        return message_public(db, existing)
    message = _store(db, conv, sender=supporter, client_id=client_id, body=text, at=at)
    public = message_public(db, message)
    conv.waiting_since = None
    deadlines.answered(conv)
    conv.last_supporter_id = supporter.id
    conv.read_upto_id = max(conv.read_upto_id, message.id)  # type: ignore[type-var]
    conv.read_by_id = supporter.id
    db.add(conv)
    audit.record(
        db,
        actor=supporter,
        action="chat.write",
        object_type="message",
        object_id=message.id,
        patient_id=conv.patient_id,
    )
    _emit("chat:message", public.model_dump(mode="json"), {conv.patient_id, supporter.id}, skip_sender=True)
    _tell_patient(db, conv, at)
    if not presence().online([conv.patient_id]):
        _push_new_message([conv.patient_id], conv=conv, for_patient=True)
    return public


# --- supporters' actions ------------------------------------------------------------


def _take(db: Session, conv: Conversation, *, supporter: User, at: datetime, reason: str) -> None:
    others = [s for s in (conv.offered_to or []) if s != supporter.id]
    conv.state = ConversationState.held
    conv.holder_id = supporter.id
    conv.last_supporter_id = supporter.id
    conv.escalate_at = None
    conv.wait_stage = None
    conv.offered_to = []
    conv.note_requested_for = None
    conv.updated_at = at
    db.add(conv)
    gap_log.close_gap(db, at=at, conversation_id=conv.id)
    summary = conv.shift_summary
    if summary and not summary.get("taken_by") and summary.get("from_id") != supporter.id:
        # The first one to take it after a shift change: both sides are told who did.
        conv.shift_summary = {**summary, "taken_by": supporter.id}
        _tell_in_chat(db, conv, code="taken_over", at=at, from_id=summary.get("from_id"), to_id=supporter.id)
    if conv.waiting_since is not None and conv.last_message_id > conv.read_upto_id:
        # The patient is still waiting for an answer: the holder's clock runs.
        deadlines.patient_wrote_to_holder(db, conv, at=at)
    _decide(
        db,
        conv,
        action="take",
        at=at,
        reason=reason,
        tier=conv.tier_position,
        supporters=[supporter.id],  # type: ignore[list-item]
        actor=supporter,
    )
    audit.record(
        db,
        actor=supporter,
        action="chat.take",
        object_type="conversation",
        object_id=conv.id,
        patient_id=conv.patient_id,
        reason=reason,
    )
    _emit("chat:taken", {"conversation_id": conv.id, "by": supporter.display_name}, others)
    _tell_patient(db, conv, at)


def take(db: Session, *, supporter: User, conversation_id: int, at: datetime) -> Conversation:
    conv = get_conversation(db, conversation_id, lock=True)
    access.require_chat_action(db, supporter, conv, at=at)
    if conv.state == ConversationState.held and conv.holder_id == supporter.id:
        return conv
    if conv.state != ConversationState.offered or supporter.id not in (conv.offered_to or []):
        raise ApiError(409, "not_offered_to_you", "Someone else has this conversation, or it is not waiting.")
    _take(db, conv, supporter=supporter, at=at, reason="took the offer")
    return conv


def handover(
    db: Session,
    *,
    supporter: User,
    conversation_id: int,
    to_user_id: int | None,
    to_tier: int | None,
    note: str,
    at: datetime,
) -> Conversation:
    conv = get_conversation(db, conversation_id, lock=True)
    access.require_chat_action(db, supporter, conv, at=at)
    if conv.holder_id != supporter.id:
        raise forbidden("Only the supporter holding the conversation can hand it over.")
    if (to_user_id is None) == (to_tier is None):
        raise ApiError(
            400,
            "invalid_input",
            "Hand over to one colleague or to one tier.",
            fields=[{"loc": ["to_user_id"], "type": "one_of", "message": "give to_user_id or to_tier"}],
        )
    conv.handover_note = note.strip() or None
    if to_user_id is not None:
        colleague = db.get(User, to_user_id)
        if colleague is None or colleague.role != Role.supporter or not colleague.is_active:
            raise ApiError(
                400,
                "invalid_input",
                "Choose an active supporter.",
                fields=[{"loc": ["to_user_id"], "type": "not_supporter", "message": str(to_user_id)}],
            )
        if not access.is_in_care_circle(db, supporter_id=to_user_id, patient_id=conv.patient_id):
            raise ApiError(
                400,
                "not_in_care_circle",
                "That colleague is not in this patient's care circle.",
                fields=[{"loc": ["to_user_id"], "type": "not_in_circle", "message": str(to_user_id)}],
            )
        if not duty.is_on_duty_for(db, supporter_id=to_user_id, patient_id=conv.patient_id, at=at):
            raise ApiError(
                400,
                "not_on_duty",
                "That colleague is not on duty for this patient now.",
                fields=[{"loc": ["to_user_id"], "type": "not_on_duty", "message": str(to_user_id)}],
            )
        _offer(
            db,
            conv,
            tier=conv.tier_position or 0,
            supporters=[to_user_id],
            minutes=_tier_minutes(db, conv),
            at=at,
        )
        _decide(
            db,
            conv,
            action="handover",
            at=at,
            reason="handed to a colleague",
            supporters=[to_user_id],
            actor=supporter,
        )
        _tell_patient(db, conv, at)
    else:
        route(db, conv, from_tier=to_tier or 0, at=at, action="handover", reason=f"handed to tier {to_tier}")
    audit.record(
        db,
        actor=supporter,
        action="chat.handover",
        object_type="conversation",
        object_id=conv.id,
        patient_id=conv.patient_id,
    )
    return conv


def _tier_minutes(db: Session, conv: Conversation) -> int:
    return duty.tier_minutes(db, conv.patient_id, conv.tier_position)


def close(db: Session, *, supporter: User, conversation_id: int, at: datetime) -> Conversation:
    conv = get_conversation(db, conversation_id, lock=True)
    access.require_chat_action(db, supporter, conv, at=at)
    if conv.holder_id != supporter.id:
        raise forbidden("Only the supporter holding the conversation can close it.")
    conv.state = ConversationState.idle
    conv.holder_id = None
    conv.offered_to = []
    conv.escalate_at = None
    conv.wait_stage = None
    conv.waiting_since = None
    conv.handover_note = None
    conv.shift_summary = None
    conv.note_requested_for = None
    conv.updated_at = at
    db.add(conv)
    gap_log.close_gap(db, at=at, conversation_id=conv.id)
    _decide(db, conv, action="close", at=at, reason="closed by the supporter", actor=supporter)
    audit.record(
        db,
        actor=supporter,
        action="chat.close",
        object_type="conversation",
        object_id=conv.id,
        patient_id=conv.patient_id,
    )
    _tell_patient(db, conv, at)
    return conv


def mark_read(db: Session, *, user: User, conversation_id: int, upto_id: int, at: datetime) -> None:
    conv = get_conversation(db, conversation_id, lock=True)
    if user.role == Role.patient:
        if conv.patient_id != user.id:
            raise forbidden()
        conv.patient_read_upto_id = max(conv.patient_read_upto_id, min(upto_id, conv.last_message_id))
        db.add(conv)
        return
    access.require_chat_action(db, user, conv, at=at)
    if conv.holder_id != user.id:
        return  # only the one answering marks the patient's words as read
    upto = min(upto_id, conv.last_message_id)
    if upto > conv.read_upto_id:
        _audit_marker(db, user, conv, action="chat.mark_read", upto=upto)
    conv.read_upto_id = max(conv.read_upto_id, upto)
    conv.read_by_id = user.id
    db.add(conv)
    _tell_patient(db, conv, at)


def mark_delivered(db: Session, *, user: User, conversation_id: int, upto_id: int, at: datetime) -> None:
    conv = get_conversation(db, conversation_id, lock=True)
    access.require_chat_action(db, user, conv, at=at)
    upto = min(upto_id, conv.last_message_id)
    if upto > conv.delivered_upto_id:
        _audit_marker(db, user, conv, action="chat.mark_delivered", upto=upto)
        conv.delivered_upto_id = upto
        db.add(conv)
        _tell_patient(db, conv, at)


def _audit_marker(db: Session, user: User, conv: Conversation, *, action: str, upto: int) -> None:
    """A supporter's screen got (or showed) the patient's messages: only a
    marker that moves is recorded, so repeated acknowledgements add nothing."""
    audit.record(
        db,
        actor=user,
        action=action,
        object_type="conversation",
        object_id=conv.id,
        patient_id=conv.patient_id,
        reason=f"up to message {upto}",
    )


# --- reading ------------------------------------------------------------------------


def messages_after(
    db: Session, conv: Conversation, *, after_id: int, limit: int = 200
) -> list[MessagePublic]:
    rows = db.exec(
        select(Message)
        .where(Message.conversation_id == conv.id, col(Message.id) > after_id)
        .order_by(col(Message.id))
        .limit(limit)
    ).all()
    names: dict[int, tuple[str, str | None]] = {}
    return [message_public(db, m, names) for m in rows]


def conversation_view(
    db: Session, *, user: User, conv: Conversation, after_id: int, at: datetime
) -> ConversationPublic:
    if user.role != Role.patient:
        access.require_chat_action(db, user, conv, at=at, reading=True)
        audit.record(
            db,
            actor=user,
            action="chat.read",
            object_type="conversation",
            object_id=conv.id,
            patient_id=conv.patient_id,
        )
    elif conv.patient_id != user.id:
        raise forbidden()
    staff_view: dict[str, object] = {}
    if user.role != Role.patient:
        from server.chat.inbox import tonight_reason

        patient = db.get(User, conv.patient_id)
        staff_view = {
            "patient_name": patient.display_name if patient else None,
            "mine": conv.holder_id == user.id,
            "offered_to_me": user.id in (conv.offered_to or []),
            "tier_position": conv.tier_position,
            "handover_note": conv.handover_note,
            "shift_summary": continuity.summary_public(
                db, conv, viewer=user, name_of=lambda u: _supporter_name(db, u), at=at
            ),
            "note_requested_for": conv.note_requested_for if conv.holder_id == user.id else None,
            # On the first load only: later syncs fetch new messages, not the reason again.
            "tonight": tonight_reason(db, viewer=user, patient_id=conv.patient_id, at=at)
            if after_id == 0
            else None,
        }
    return ConversationPublic(
        id=conv.id,  # type: ignore[arg-type]
        patient_id=conv.patient_id,
        state=conv.state,
        status=patient_status(db, conv, at=at),
        messages=messages_after(db, conv, after_id=after_id),
        **staff_view,  # type: ignore[arg-type]
    )


# --- the scheduler's tick ------------------------------------------------------------


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
                _reoffer_to_all(db, conv, everyone, at=at)
                _decide(db, conv, action="reoffer", at=at, reason="still unanswered", supporters=everyone)
                _tell_patient(db, conv, at)
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
        db.commit()
        _flush()
    open_ids = db.exec(
        select(Conversation.id).where(
            col(Conversation.state).in_(
                [ConversationState.unstaffed, ConversationState.offered, ConversationState.held]
            )
        )
    ).all()
    for conversation_id in open_ids:
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
            if not duty.is_on_duty_for(db, supporter_id=conv.holder_id, patient_id=conv.patient_id, at=at):
                _shift_change(db, conv, at=at)
                counts["handed_over"] += 1
            elif _ask_for_note(db, conv, at=at):
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
        db.commit()
        _flush()
    return counts


def _holder_quiet(db: Session, conv: Conversation, *, at: datetime) -> str:
    """The patient wrote and the holder has not answered in time."""
    step, supporters = deadlines.holder_due(db, conv, at=at)
    if step == "nudge":
        _emit("chat:nudge", {"conversation_id": conv.id}, supporters)
        _push_new_message(supporters, conv=conv, for_patient=False)
        _decide(
            db,
            conv,
            action="nudge",
            at=at,
            reason="the patient is waiting for the holder",
            supporters=supporters,
        )
        return "nudged"
    _offer(
        db,
        conv,
        tier=conv.tier_position or 0,
        supporters=supporters,
        minutes=duty.tier_minutes(db, conv.patient_id, conv.tier_position),
        at=at,
    )
    conv.wait_stage = deadlines.TRYING_OTHERS
    db.add(conv)
    _decide(
        db,
        conv,
        action="offer_others",
        at=at,
        reason="the holder did not answer in time",
        supporters=supporters,
    )
    _tell_patient(db, conv, at)
    return "reoffered"


def _ask_for_note(db: Session, conv: Conversation, *, at: datetime) -> bool:
    """Shortly before the holder's shift ends, ask them once for a handover note
    (live, and a push that says nothing about the patient)."""
    from server.push.service import PushMessage, queue

    holder_id = conv.holder_id
    ends = duty.duty_ends_at(db, supporter_id=holder_id, patient_id=conv.patient_id, at=at)  # type: ignore[arg-type]
    if ends is None or ends - at > continuity.NOTE_REQUEST_BEFORE or conv.note_requested_for == ends:
        return False
    conv.note_requested_for = ends
    db.add(conv)
    _emit("chat:note_request", {"conversation_id": conv.id, "shift_ends_at": ends.isoformat()}, [holder_id])  # type: ignore[list-item]
    queue(
        [holder_id],  # type: ignore[list-item]
        PushMessage(
            title="shift_ends",
            tag=f"handover-{conv.id}",
            url=f"/#/samtale/{conv.id}",
            ttl=int(continuity.NOTE_REQUEST_BEFORE.total_seconds()),
        ),
    )
    return True


def write_handover_note(
    db: Session, *, supporter: User, conversation_id: int, note: str, at: datetime
) -> Conversation:
    """The holder's note for whoever takes over (kept until the conversation is
    closed or the next shift change carries it in its summary)."""
    conv = get_conversation(db, conversation_id, lock=True)
    access.require_chat_action(db, supporter, conv, at=at)
    if conv.holder_id != supporter.id:
        raise forbidden("Only the supporter holding the conversation can write its handover note.")
    conv.handover_note = note.strip() or None
    conv.updated_at = at
    db.add(conv)
    audit.record(
        db,
        actor=supporter,
        action="chat.handover_note",
        object_type="conversation",
        object_id=conv.id,
        patient_id=conv.patient_id,
    )
    return conv


def _shift_change(db: Session, conv: Conversation, *, at: datetime) -> None:
    """The holder's shift ended: offer to whoever is on duty now in the same
    team first, then tier by tier. The automatic summary (with the holder's
    note) replaces the last one, and the patient and the next supporters are
    told in the chat what the server did."""
    leaving_id = conv.holder_id
    conv.shift_summary = continuity.summarize_shift(db, conv, leaving_id=leaving_id, at=at)
    conv.handover_note = None  # carried in the summary now
    snap = roster_snapshot(db)
    same_team: list[int] = []
    if leaving_id is not None:
        teams = set(access.supporter_team_ids(db, leaving_id))
        for tier in snap.circles.get(conv.patient_id, ()):
            for team_id in tier.team_ids:
                if team_id in teams:
                    same_team += [
                        d.user_id for d in snap.roster(team_id).on_duty(at) if d.user_id != leaving_id
                    ]
    if same_team:
        _offer(
            db,
            conv,
            tier=conv.tier_position or 0,
            supporters=sorted(set(same_team)),
            minutes=_tier_minutes(db, conv),
            at=at,
        )
        _decide(
            db,
            conv,
            action="shift_change",
            at=at,
            reason="holder's shift ended; offered to the incoming colleague",
            supporters=conv.offered_to,
        )
        _tell_patient(db, conv, at)
    else:
        route(db, conv, from_tier=0, at=at, action="shift_change", reason="holder's shift ended")
    if conv.state == ConversationState.offered:
        kind = _team_kind_of(db, conv.offered_to[0], conv.patient_id) if conv.offered_to else None
        _tell_in_chat(db, conv, code="shift_ended_offered", at=at, from_id=leaving_id, tier_kind=kind)
    else:
        _tell_in_chat(db, conv, code="shift_ended_nobody", at=at, from_id=leaving_id)


def _flush() -> None:
    from server.db import run_after_commit

    run_after_commit()


def gaps(db: Session, *, viewer: User, since: datetime) -> list[tuple[RoutingDecision, User]]:
    rows = list(
        db.exec(
            select(RoutingDecision, User)
            .join(User, col(User.id) == col(RoutingDecision.patient_id))
            .where(
                col(RoutingDecision.action).in_(["no_one_on_duty", "nobody_answered"]),
                RoutingDecision.at >= since,
            )
            .order_by(col(RoutingDecision.at).desc())
        ).all()
    )
    for patient_id in sorted({d.patient_id for d, _ in rows}):
        audit.record(db, actor=viewer, action="chat.gaps_read", object_type="gaps", patient_id=patient_id)
    return rows
