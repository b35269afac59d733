"""No wait runs on without a ceiling.

- A held conversation: the patient wrote and the holder has not answered
  within the tier's limit -> the holder is nudged (live and push); after a
  second limit it is offered to everyone on duty for the patient too, and the
  patient is told ("Vi prøver å nå noen andre også").
- Every tier tried and nobody took it (the ceiling): the patient is told
  plainly and shown the numbers to call; everyone on duty is offered it again
  every few minutes with a push, and the unanswered wait is logged.

The deadlines live on the conversation (`escalate_at`, `wait_stage`), so the
one scheduler's tick moves them across restarts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlmodel import Session

from nattlys.alerts import gaps
from nattlys.alerts.models import GapKind
from nattlys.chat.models import Conversation, ConversationState
from nattlys.rosters import duty

# Offered to the supporter the patient last talked to alone: when that lapses,
# the tiers are tried in order from the first (nattlys/chat/continuity.py).
PREFERRED = "preferred"
NUDGED = "nudged"
TRYING_OTHERS = "trying_others"
CEILING = "ceiling"


def reoffer_minutes() -> int:
    return int(current_app.config.get("CEILING_REOFFER_MINUTES", 5))


def patient_wrote_to_holder(db: Session, conv: Conversation, *, at: datetime) -> None:
    """Start the holder's clock at the patient's first unanswered message."""
    if conv.state == ConversationState.held and conv.escalate_at is None:
        conv.escalate_at = at + timedelta(minutes=duty.tier_minutes(db, conv.patient_id, conv.tier_position))
        conv.wait_stage = None
        db.add(conv)


def answered(conv: Conversation) -> None:
    conv.escalate_at = None
    conv.wait_stage = None


def reach_ceiling(db: Session, conv: Conversation, *, again: bool, at: datetime) -> None:
    """Called after the conversation was offered to everyone on duty with no
    tier left (`again`: it was at the ceiling already)."""
    conv.wait_stage = CEILING
    conv.escalate_at = at + timedelta(minutes=reoffer_minutes())
    db.add(conv)
    if not again:
        gaps.open_gap(
            db,
            patient_id=conv.patient_id,
            kind=GapKind.chat_unanswered,
            at=at,
            shown="nobody_reachable",
            conversation_id=conv.id,
        )
    else:
        gaps.count_reoffer(db, conversation_id=conv.id)


def holder_due(db: Session, conv: Conversation, *, at: datetime) -> tuple[str, list[int]]:
    """What a held conversation past its deadline does next: ("nudge", [holder])
    or ("offer_others", everyone on duty with the holder)."""
    minutes = duty.tier_minutes(db, conv.patient_id, conv.tier_position)
    if conv.wait_stage is None:
        conv.wait_stage = NUDGED
        conv.escalate_at = at + timedelta(minutes=minutes)
        db.add(conv)
        return "nudge", [conv.holder_id] if conv.holder_id else []
    everyone = duty.everyone_on_duty(db, conv.patient_id, at)
    if conv.holder_id and conv.holder_id not in everyone:
        everyone.append(conv.holder_id)
    return "offer_others", sorted(everyone)
