"""The supporter's inbox: conversations offered to me or held by me, who may
need it most first (tonight's level, red first, then the longest wait)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from nattlys import access
from nattlys.accounts.models import User
from nattlys.audit import writer as audit
from nattlys.chat import continuity
from nattlys.chat.models import Conversation, ConversationState
from nattlys.chat.schemas import InboxItem, TonightReason
from nattlys.checkins.levels import worst_first
from nattlys.checkins.models import Checkin
from nattlys.checkins.reasons import shared_reasons
from nattlys.checkins.timing import tonight_start
from nattlys.rosters import duty

# A check-in this recent ranks and marks a conversation in the inbox.
TONIGHT = timedelta(hours=12)


def inbox(db: Session, *, supporter: User, at: datetime) -> list[InboxItem]:
    rows = db.exec(
        select(Conversation, User)
        .join(User, col(User.id) == col(Conversation.patient_id))
        .where(col(Conversation.state).in_([ConversationState.offered, ConversationState.held]))
        .order_by(col(Conversation.waiting_since))
    ).all()
    visible = [
        (conv, patient)
        for conv, patient in rows
        if conv.holder_id == supporter.id or supporter.id in (conv.offered_to or [])
    ]
    # A check-in level is a check-in answer: only for those who may see check-ins now.
    sees = [p for _, p in visible if access.may_access_patient(db, supporter, p, access.Need.checkins, at=at)]
    latest = _latest_checkins(db, [patient.id for patient in sees])
    out = []
    for conv, patient in visible:
        mine = conv.holder_id == supporter.id
        audit.record(
            db,
            actor=supporter,
            action="chat.inbox",
            object_type="conversation",
            object_id=conv.id,
            patient_id=patient.id,
        )
        level, level_at = latest.get(patient.id, (None, None))
        out.append(
            InboxItem(
                conversation_id=conv.id,
                patient_id=patient.id,
                patient_name=patient.display_name,
                state=conv.state,
                mine=mine,
                tier_position=conv.tier_position,
                waiting_since=conv.waiting_since,
                waiting_seconds=int((at - conv.waiting_since).total_seconds())
                if conv.waiting_since
                else None,
                handover_note=conv.handover_note,
                shift_summary=continuity.summary_public(
                    db, conv, viewer=supporter, name_of=lambda u: duty.supporter_names(db, [u]).get(u), at=at
                ),
                last_message_id=conv.last_message_id,
                read_upto_id=conv.read_upto_id,
                latest_checkin_level=level,
                latest_checkin_at=level_at,
                tonight_level=level if level_at is not None and at - level_at < TONIGHT else None,
            )
        )
    # Who may need it most first (as a crisis line ranks its queue): tonight's
    # level, red first, then the longest wait.
    return sorted(out, key=lambda i: (_tonight_rank(i), -(i.waiting_seconds or 0)))


def _tonight_rank(item: InboxItem) -> int:
    return worst_first(item.tonight_level) if item.tonight_level else 3


def _latest_checkins(db: Session, patient_ids: list[int]) -> dict[int, tuple[str, datetime]]:
    from sqlalchemy import func

    if not patient_ids:
        return {}
    newest = (
        select(Checkin.patient_id, func.max(Checkin.created_at).label("at"))
        .where(col(Checkin.patient_id).in_(patient_ids))
        .group_by(col(Checkin.patient_id))
        .subquery()
    )
    rows = db.exec(
        select(Checkin.patient_id, Checkin.level, Checkin.created_at).join(
            newest, (newest.c.patient_id == Checkin.patient_id) & (newest.c.at == Checkin.created_at)
        )
    ).all()
    return {pid: (level, at) for pid, level, at in rows}


def tonight_reason(db: Session, *, viewer: User, patient_id: int, at: datetime) -> TonightReason | None:
    """Tonight's newest check-in (since 16:00), so the reason travels with the
    conversation to whoever holds it, after escalation or handover too."""

    patient = db.get(User, patient_id)
    if patient is None or not access.may_access_patient(db, viewer, patient, access.Need.checkins, at=at):
        return None
    checkin = db.exec(
        select(Checkin)
        .where(Checkin.patient_id == patient_id, col(Checkin.created_at) >= tonight_start(at))
        .order_by(col(Checkin.created_at).desc())
    ).first()
    if checkin is None:
        return None
    audit.record(db, actor=viewer, action="checkin.read", object_type="checkins", patient_id=patient_id)
    return TonightReason(
        level=checkin.level,
        reasons=shared_reasons(db, viewer, patient_id, list(checkin.reasons)),
        at=checkin.created_at,
        wants_contact=checkin.wants_contact,
    )


def offer_reason(db: Session, *, viewer: User, patient_id: int, at: datetime) -> dict[str, object]:
    """What a live offer carries for this supporter: the level the inbox shows
    (`latest_checkin_level`) and tonight's reason, or nothing for someone who
    may not see check-ins now."""
    patient = db.get(User, patient_id)
    if patient is None or not access.may_access_patient(db, viewer, patient, access.Need.checkins, at=at):
        return {}
    level, level_at = _latest_checkins(db, [patient_id]).get(patient_id, (None, None))
    tonight = tonight_reason(db, viewer=viewer, patient_id=patient_id, at=at)
    return {
        "latest_checkin_level": level,
        "latest_checkin_at": level_at.isoformat() if level_at else None,
        "tonight": tonight.model_dump(mode="json") if tonight else None,
    }
