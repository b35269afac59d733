"""The demo's chat history: over the year, on most red evenings, some yellow
ones and now and then a calm one, the patient wrote in the evening or night;
the conversation was offered to whoever the demo rosters had on duty in the
first staffed tier of her circle, who answered (now and then only after it
went on to the next tier), and closed it. Written in bulk through the tables'
own column types (the bodies are encrypted as the app stores them), ending
more than a week ago so that who the patient "last talked to" is not decided
by generated history. Idempotent: a conversation with any message is left alone."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, select

from nattlys import clock
from nattlys.accounts.models import Role, User
from nattlys.alerts.reach import RECENT
from nattlys.chat import conversations
from nattlys.chat.models import Message, RoutingDecision
from nattlys.checkins.demo import DemoEvening
from nattlys.checkins.levels import Level
from nattlys.db import stored_id, table_of
from nattlys.rosters import duty

CHANCE = {Level.red: 0.9, Level.yellow: 0.25, Level.green: 0.04}
OPENINGS = (
    "Hei. Det er vanskelig å roe seg ned i kveld.",
    "Hei, er det noen der? Jeg klarer ikke å sove.",
    "Det har vært en tung dag. Kan jeg skrive litt?",
    "Jeg kjenner at uroen kommer tilbake.",
    "Hei. Jeg trenger noen å snakke med.",
)
SECOND = ("Jeg har prøvd å gå en tur, men det hjalp ikke så mye.", "Tankene går i ring.", "")
ANSWERS = (
    "Hei, jeg er her. Vil du fortelle litt om hva som skjer?",
    "Hei, så fint at du skriver. Hva kjennes tyngst akkurat nå?",
    "Hei, jeg har tid nå. Hvordan har kvelden vært?",
)
REPLIES = (
    "Det hjelper å skrive. Jeg tror jeg går en tur.",
    "Takk. Jeg skal prøve pusteøvelsen fra planen min.",
    "Jeg setter på litt musikk og legger meg.",
    "Det er bedre nå. Takk for at du svarte.",
)
CLOSINGS = (
    "Så bra. Skriv igjen om det blir tungt, vi er her.",
    "Godt å høre. Ta vare på deg selv i natt.",
    "Fint. Du kan alltid skrive igjen i kveld.",
)


def _decision(conv_id: int, patient_id: int, at: datetime, action: str, **extra: Any) -> dict[str, Any]:
    return {
        "conversation_id": conv_id,
        "patient_id": patient_id,
        "at": at,
        "action": action,
        "tier_position": extra.get("tier"),
        "supporter_ids": extra.get("supporters", []),
        "actor_id": extra.get("actor"),
        "reason": extra["reason"],
    }


def _route(
    db: Session, patient_id: int, asked: datetime, rng: random.Random
) -> tuple[list[tuple[datetime, str, duty.FirstTier, str]], datetime] | None:
    """How one wait went, by the rosters: (when, action, tier, why) up to the
    tier that answered, and when it answered."""
    tier = duty.first_tier(db, patient_id, asked)
    if tier is None:
        return None  # the demo rosters cover every hour; a changed roster may not
    steps = [(asked, "offer", tier, "patient wrote; nobody held the conversation")]
    answered = asked + timedelta(seconds=rng.randint(30, 170))
    if rng.random() < 0.12:  # nobody took it in time: on to the next tier
        escalated = asked + timedelta(minutes=tier.limit_minutes)
        later = duty.first_tier(db, patient_id, escalated, after=tier.position)
        if later is None:
            answered = asked + timedelta(seconds=rng.randint(200, 600))
        else:
            why = f"nobody took it within the time limit of tier {tier.position}"
            steps.append((escalated, "escalate", later, why))
            answered = escalated + timedelta(seconds=rng.randint(30, 150))
    last = steps[-1][2]
    on_duty = duty.first_tier(db, patient_id, answered, after=last.position - 1)
    if on_duty is None:
        return None
    if on_duty.position != last.position:  # that tier's shift ended while she waited
        steps.append((answered, "reroute", on_duty, "nobody on duty any more"))
    return steps, answered


def ensure_demo_chat_history(db: Session, patient: User, evenings: list[DemoEvening]) -> int:
    """Returns the messages written."""
    patient_id = stored_id(patient)
    last_day = clock.now() - RECENT - timedelta(days=1)
    rng = random.Random(f"{patient.username}:chat")
    chats = [e for e in evenings if e.at < last_day and rng.random() < CHANCE[Level(e.level)]]
    if not chats:
        return 0
    conv = conversations.conversation_for(db, patient_id=patient_id, at=chats[0].at)
    conv_id = stored_id(conv)
    if db.exec(select(Message.id).where(Message.conversation_id == conv_id).limit(1)).first() is not None:
        return 0
    messages: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []

    def say(sender: int, role: str, at: datetime, body: str) -> None:
        n = len(messages)
        messages.append(
            {
                "conversation_id": conv_id,
                "sender_id": sender,
                "sender_role": role,
                "client_id": f"demo-history-{n}",
                "body": body,
                "notice": None,
                "created_at": at,
            }
        )

    supporter = None
    for evening in chats:
        asked = evening.at + timedelta(minutes=rng.randint(5, 300))
        routed = _route(db, patient_id, asked, rng)
        if routed is None:
            continue
        steps, answered = routed
        decisions += [
            _decision(
                conv_id, patient_id, at, action, tier=t.position, supporters=t.supporter_ids, reason=why
            )
            for at, action, t, why in steps
        ]
        tier = steps[-1][2]
        supporter = rng.choice(tier.supporter_ids)
        say(patient_id, Role.patient, asked, rng.choice(OPENINGS))
        second = rng.choice(SECOND)
        if second:
            say(patient_id, Role.patient, asked + timedelta(seconds=rng.randint(15, 25)), second)
        decisions.append(
            _decision(
                conv_id,
                patient_id,
                answered,
                "take",
                tier=tier.position,
                supporters=[supporter],
                actor=supporter,
                reason="answered the offer",
            )
        )
        say(supporter, Role.supporter, answered, rng.choice(ANSWERS))
        replied = answered + timedelta(minutes=rng.randint(2, 12))
        say(patient_id, Role.patient, replied, rng.choice(REPLIES))
        closed = replied + timedelta(minutes=rng.randint(1, 5))
        say(supporter, Role.supporter, closed, rng.choice(CLOSINGS))
        decisions.append(
            _decision(
                conv_id,
                patient_id,
                closed + timedelta(minutes=1),
                "close",
                actor=supporter,
                reason="closed by the supporter",
            )
        )
    if not messages:
        return 0
    # Core executemany on the tables: the encrypted body's type still encrypts.
    db.execute(insert(table_of(Message)), messages)
    db.execute(insert(table_of(RoutingDecision)), decisions)
    last_id = db.exec(select(func.max(Message.id)).where(Message.conversation_id == conv_id)).one()
    # Everything delivered, read on both sides and closed.
    conv.last_message_id = conv.delivered_upto_id = conv.read_upto_id = conv.patient_read_upto_id = (
        last_id or 0
    )
    conv.read_by_id = conv.last_supporter_id = supporter
    conv.updated_at = messages[-1]["created_at"]
    db.add(conv)
    db.flush()
    return len(messages)
