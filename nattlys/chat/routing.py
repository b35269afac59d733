"""Routing by the roster: offering a conversation tier by tier to whoever is
on duty (the supporter the patient last talked to first), saying at once when
nobody is, and recording every decision and gap.

Routing asks the roster service (`duty`) tier by tier; the tick escalates
what is due (nattlys/chat/tick.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from nattlys.accounts.models import User
from nattlys.alerts import gaps as gap_log
from nattlys.alerts import reach
from nattlys.alerts.models import GapKind
from nattlys.audit import writer as audit
from nattlys.chat import deadlines
from nattlys.chat.inbox import offer_reason
from nattlys.chat.models import Conversation, ConversationState, RoutingDecision
from nattlys.chat.status import tell_patient
from nattlys.push import service as push
from nattlys.realtime.connections import notify_on_commit
from nattlys.realtime.presence import presence
from nattlys.rosters import duty


def record_decision(
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
            conversation_id=conv.id,
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
        kinds = (duty.team_kind_of(db, supporter_id=s, patient_id=conv.patient_id) for s in supporters or [])
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


def _order_candidates(conv: Conversation, supporter_ids: list[int]) -> list[int]:
    """The supporter the patient last talked to first, then those online."""
    online = presence().online(supporter_ids)
    return sorted(
        supporter_ids,
        key=lambda s: (s != conv.last_supporter_id, s not in online, s),
    )


def push_new_message(user_ids: list[int] | set[int], *, conv: Conversation, for_patient: bool) -> None:
    """Web push "Ny melding": never the text, never who wrote."""
    push.queue(
        user_ids,
        push.PushMessage(
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
    notify_on_commit("chat:withdrawn", {"conversation_id": conv.id}, gone)


def offer(
    db: Session, conv: Conversation, *, tier: int, supporters: list[int], minutes: int, at: datetime
) -> None:
    """Offer the conversation to these supporters (live and pushed), with `minutes` to take it."""
    newly_offered = [u for u in supporters if u not in (conv.offered_to or []) and u != conv.holder_id]
    _withdraw_from(conv, set(supporters))
    push_new_message(newly_offered, conv=conv, for_patient=False)
    conv.state = ConversationState.offered
    conv.holder_id = None
    conv.tier_position = tier
    conv.offered_to = _order_candidates(conv, supporters)
    conv.offered_at = at
    conv.escalate_at = at + timedelta(minutes=minutes)
    conv.wait_stage = None
    conv.updated_at = at
    db.add(conv)
    _emit_offer(db, conv, supporters, tier=tier, at=at)


def _emit_offer(db: Session, conv: Conversation, supporters: list[int], *, tier: int, at: datetime) -> None:
    """The live offer, to each supporter with tonight's level and the reasons
    for it that the patient shares with that supporter's team kind."""
    for supporter_id in sorted(set(supporters)):
        viewer = db.get(User, supporter_id)
        reason = offer_reason(db, viewer=viewer, patient_id=conv.patient_id, at=at) if viewer else {}
        payload = {"conversation_id": conv.id, "patient_id": conv.patient_id, "tier": tier, **reason}
        notify_on_commit("chat:offer", payload, [supporter_id])


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
    prefer = reach.preferred_supporter(db, conv.patient_id, at) if prefer_recent and from_tier == 0 else None
    tier = duty.first_tier(
        db, conv.patient_id, at, after=from_tier - 1 if from_tier > 0 else None, prefer=prefer
    )
    if tier is not None:
        offer(db, conv, tier=tier.position, supporters=tier.supporter_ids, minutes=tier.limit_minutes, at=at)
        if tier.preferred:
            conv.wait_stage = deadlines.PREFERRED
            reason = f"{reason}; the supporter the patient last talked to first"
        record_decision(
            db, conv, action=action, at=at, reason=reason, tier=tier.position, supporters=conv.offered_to
        )
        gap_log.close_gap(db, at=at, conversation_id=conv.id)
        tell_patient(db, conv, at)
        return
    if from_tier > 0:
        everyone = duty.everyone_on_duty(db, conv.patient_id, at)
        if everyone:
            reoffer_to_all(db, conv, everyone, at=at)
            record_decision(
                db,
                conv,
                action="nobody_answered",
                at=at,
                reason="every tier tried; offered to all on duty",
                supporters=everyone,
            )
            tell_patient(db, conv, at)
            return
    _withdraw_from(conv, set())
    conv.state = ConversationState.unstaffed
    conv.holder_id = None
    conv.offered_to = []
    conv.escalate_at = None
    conv.wait_stage = None
    conv.updated_at = at
    db.add(conv)
    record_decision(
        db, conv, action="no_one_on_duty", at=at, reason="nobody on duty in any tier of the care circle"
    )
    gap_log.open_gap(
        db,
        patient_id=conv.patient_id,
        kind=GapKind.chat_alone,
        at=at,
        shown="nobody_on_duty",
        conversation_id=conv.id,
    )
    tell_patient(db, conv, at)


def retry_from(conv: Conversation) -> int:
    """The tier to try from when the current offer lapses: after an offer to
    the last supporter alone, the tiers in order from the first."""
    return 0 if conv.wait_stage == deadlines.PREFERRED else conv.tier_position or 0


def reoffer_to_all(db: Session, conv: Conversation, everyone: list[int], *, at: datetime) -> None:
    """The ceiling: offered to everyone on duty in any tier, each pushed again."""
    already, again = set(conv.offered_to or []), conv.wait_stage == deadlines.CEILING
    offer(db, conv, tier=conv.tier_position or 0, supporters=everyone, minutes=0, at=at)
    push_new_message([u for u in everyone if u in already], conv=conv, for_patient=False)
    deadlines.reach_ceiling(db, conv, again=again, at=at)


def gaps(db: Session, *, viewer: User, since: datetime) -> list[tuple[RoutingDecision, User]]:
    """The decisions that left a patient alone (nobody on duty, nobody answered), newest first."""
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
