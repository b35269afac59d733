"""Authentication events: written to the audit log through the one writer and
shown to the account holder ("Ny innlogging på kontoen din"), live on every
device where they are logged in."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from blinker import Namespace
from sqlalchemy import ColumnElement, String, cast
from sqlmodel import Session, and_, col, or_, select

from nattlys.accounts.models import Invitation, User
from nattlys.audit import writer as audit
from nattlys.audit.models import AuditEntry
from nattlys.db import after_commit

# The Socket.IO event every device of the account holder gets.
ACCOUNT_EVENT = "account:event"
# Sent once an account event is committed, with the user id as sender and the
# action; live connections listen (nattlys.realtime) and tell her devices.
account_event = Namespace().signal("account-event")


class AuthEvent(StrEnum):
    login = "auth.login"
    login_failed = "auth.login_failed"
    lockout = "auth.lockout"
    new_device = "auth.new_device"
    factor_added = "auth.factor_added"
    factor_removed = "auth.factor_removed"
    factor_reset_requested = "auth.factor_reset_requested"
    password_changed = "auth.password_changed"  # noqa: S105 - an event name
    session_revoked = "auth.session_revoked"


# Re-enrolment steps are invitation rows (they point to the invitation).
REENROLMENT_ACTIONS = (
    "invitation.issue",
    "invitation.confirm",
    "invitation.decline",
    "invitation.approve",
    "invitation.accept",
)
ACCOUNT_ACTIONS = tuple(str(e) for e in AuthEvent) + REENROLMENT_ACTIONS


def notify(user_id: int, action: str) -> None:
    """Tell every device of the account holder, once the change is committed."""

    def announce() -> None:
        account_event.send(user_id, action=action)

    after_commit(announce)


# Account events name the account in object_id, not in patient_id: they are
# about logging in, not about her health data, and the account holder sees
# them in "my account" rather than in "who has seen my data".


def record(
    db: Session,
    *,
    user: User,
    event: AuthEvent,
    actor: User | None = None,
    details: dict[str, Any] | None = None,
    tell: bool = True,
) -> None:
    """An event on `user`'s account, done by `actor` (the user themselves when None)."""
    audit.record(
        db,
        actor=actor or user,
        action=str(event),
        object_type="account",
        object_id=user.id,
        details=details,
    )
    if tell:
        notify(user.id, str(event))


def record_anonymous(db: Session, *, user: User, event: AuthEvent) -> None:
    """A failed login or a lock-out: nobody is logged in, the row is about `user`."""
    audit.record(
        db,
        actor=None,
        action=str(event),
        object_type="account",
        object_id=user.id,
    )


def is_about(user_id: int) -> ColumnElement[bool]:
    """A filter for audit rows about this account: its auth events and the
    steps of any re-enrolment link for it."""
    invitation_ids = select(Invitation.id).where(Invitation.user_id == user_id)
    return or_(
        and_(col(AuditEntry.object_type) == "account", col(AuditEntry.object_id) == str(user_id)),
        and_(
            col(AuditEntry.object_type) == "invitation",
            col(AuditEntry.action).in_(REENROLMENT_ACTIONS),
            col(AuditEntry.object_id).in_(select(cast(invitation_ids.subquery().c.id, String))),
        ),
    )
