"""Who can be reached: a supporter's devices (an open app, a working push
subscription), the supporter the patient last talked to and, for the patient,
which team kinds are on duty now."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from nattlys import access
from nattlys.accounts.models import Role, User
from nattlys.alerts.schemas import LastResortPublic, MyReach, Reachability, SupporterReach
from nattlys.chat.models import Conversation, Message
from nattlys.push import service as push
from nattlys.realtime.presence import presence
from nattlys.rosters import duty

# A supporter the patient talked to longer ago than this is not preferred.
RECENT = timedelta(days=7)


def reachable_devices(db: Session, supporter_ids: list[int], at: datetime) -> set[int]:
    """Supporters with the app open (a socket) or a push subscription that works."""
    if not supporter_ids:
        return set()
    return presence().online(supporter_ids) | push.users_with_push(db, supporter_ids, at=at)


def recent_supporter(db: Session, patient_id: int, at: datetime) -> int | None:
    """The last supporter who wrote in the patient's conversation within RECENT."""
    return db.exec(
        select(Message.sender_id)
        .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        .where(
            Conversation.patient_id == patient_id,
            Message.sender_role == Role.supporter,
            col(Message.created_at) > at - RECENT,
            col(Message.created_at) <= at,
        )
        .order_by(col(Message.created_at).desc(), col(Message.id).desc())
    ).first()


def preferred_supporter(db: Session, patient_id: int, at: datetime) -> int | None:
    """The supporter the patient last talked to, if a device of theirs can be
    reached: who a new wait (a chat or a red check-in) goes to first."""
    recent = recent_supporter(db, patient_id, at)
    return recent if recent is not None and reachable_devices(db, [recent], at) else None


def reachability(db: Session, patient_id: int, at: datetime) -> Reachability:
    kinds = duty.reachable_kinds(db, patient_id, at)
    resort = duty.last_resort(db, patient_id)
    return Reachability(
        reachable_kinds=kinds,
        next_on_duty_at=None if kinds else duty.next_on_duty_at(db, patient_id, at),
        last_resort=LastResortPublic(label=resort.label, phone=resort.phone) if resort else None,
    )


def on_duty_reach(db: Session, *, team_ids: list[int] | None, at: datetime) -> list[SupporterReach]:
    """Everyone on duty now in these teams (None: every team), with their devices."""
    duties = duty.on_duty_in_teams(db, team_ids=team_ids, at=at)
    ids = sorted({d.user_id for d in duties})
    online = presence().online(ids)
    with_push = push.users_with_push(db, ids, at=at) if ids else set()
    return [
        SupporterReach(
            user_id=d.user_id,
            display_name=d.display_name,
            team_name=d.team_name,
            team_kind=str(d.team_kind),
            app_open=d.user_id in online,
            push_ok=d.user_id in with_push,
        )
        for d in duties
    ]


def my_reach(db: Session, *, user: User, at: datetime) -> MyReach:
    teams = access.supporter_team_ids(db, user.id)
    on_duty = any(d.user_id == user.id for d in duty.on_duty_in_teams(db, team_ids=teams, at=at))
    return MyReach(
        on_duty=on_duty,
        app_open=bool(presence().online([user.id])),
        push_ok=bool(push.users_with_push(db, [user.id], at=at)),
    )
