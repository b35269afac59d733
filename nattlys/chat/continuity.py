"""Continuity: what a conversation carries across a shift change (the holder's
note and an automatic summary that replaces the last one). Who the patient last
talked to is asked of nattlys/alerts/reach.py, as alerts ask it too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from nattlys import access
from nattlys.accounts.models import Role, User
from nattlys.chat.models import Conversation, Message
from nattlys.chat.schemas import ShiftSummary
from nattlys.checkins.models import Checkin
from nattlys.checkins.timing import tonight_start

# How long before the holder's shift ends they are asked for a handover note.
NOTE_REQUEST_BEFORE = timedelta(minutes=15)


def _tonight_level(db: Session, patient_id: int, at: datetime) -> str | None:
    return db.exec(
        select(Checkin.level)
        .where(Checkin.patient_id == patient_id, col(Checkin.created_at) >= tonight_start(at))
        .order_by(col(Checkin.created_at).desc())
    ).first()


def _unanswered(db: Session, conv: Conversation) -> int:
    """The patient's messages since a supporter last wrote."""
    last_answer = db.exec(
        select(func.max(Message.id)).where(
            Message.conversation_id == conv.id, Message.sender_role == Role.supporter
        )
    ).one()
    return db.exec(
        select(func.count())
        .select_from(Message)
        .where(
            Message.conversation_id == conv.id,
            Message.sender_role == Role.patient,
            col(Message.id) > (last_answer or 0),
        )
    ).one()


def summarize_shift(
    db: Session, conv: Conversation, *, leaving_id: int | None, at: datetime
) -> dict[str, Any]:
    """The automatic summary at a shift change, stored as data (it replaces the
    one before) and put into words by the reader's app."""
    return {
        "from_id": leaving_id,
        "at": at.isoformat(),
        "level": _tonight_level(db, conv.patient_id, at),
        "waiting_minutes": int((at - conv.waiting_since).total_seconds() // 60)
        if conv.waiting_since
        else None,
        "unanswered": _unanswered(db, conv),
        "note": conv.handover_note,
    }


def summary_public(
    db: Session, conv: Conversation, *, viewer: User, name_of: Callable[[int], str | None], at: datetime
) -> ShiftSummary | None:
    summary = conv.shift_summary
    if not summary:
        return None
    patient = db.get(User, conv.patient_id)
    sees_level = patient is not None and access.may_access_patient(
        db, viewer, patient, access.Need.checkins, at=at
    )
    return ShiftSummary(
        from_name=name_of(summary["from_id"]) if summary.get("from_id") else None,
        at=datetime.fromisoformat(summary["at"]),
        level=summary.get("level") if sees_level else None,
        waiting_minutes=summary.get("waiting_minutes"),
        unanswered=summary.get("unanswered") or 0,
        note=summary.get("note"),
    )
