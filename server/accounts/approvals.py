"""Changes to someone's account that take two administrators (README, "No
account takeover"): one asks, with a reason; a second one, never the one who
asked and never the account holder, approves; only then does it happen. The
account holder is told of both steps on every device and sees who took them.

- Resetting a staff member's authenticator app (`server/accounts/mfa.py`).
- Disabling a patient's account, which ends her way into the app and the
  crisis chat. Until it is approved she keeps all her access. (A staff account
  is disabled by one administrator at once: someone who leaves must lose
  access at once. Enabling an account gives access back and needs one.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, SQLModel, col, select

from server.accounts import auth_events, mfa, services
from server.accounts.models import AccountApproval, ApprovalKind, Role, User
from server.api.errors import ApiError, conflict, not_found


@dataclass(frozen=True)
class Rule:
    applies_to: Callable[[User], bool]
    not_applicable: str
    lasts: timedelta
    requested: auth_events.AuthEvent
    # (db, the account, the approving administrator, when)
    carry_out: Callable[[Session, User, User, datetime], None]


RULES: dict[ApprovalKind, Rule] = {
    ApprovalKind.second_factor_reset: Rule(
        applies_to=lambda user: user.is_staff,
        not_applicable="No such staff member.",
        lasts=timedelta(hours=24),
        requested=auth_events.AuthEvent.factor_reset_requested,
        carry_out=lambda db, user, admin, at: mfa.reset(db, user=user, actor=admin, at=at),
    ),
    ApprovalKind.disable: Rule(
        applies_to=lambda user: user.role == Role.patient and user.is_active,
        not_applicable="No such patient with an active account.",
        lasts=timedelta(hours=72),
        requested=auth_events.AuthEvent.disable_requested,
        carry_out=lambda db, user, admin, at: services.disable(db, actor=admin, user=user, at=at),
    ),
}


class ApprovalRequested(SQLModel):
    id: int
    expires_at: datetime


class AccountApprovalPublic(SQLModel):
    id: int
    kind: ApprovalKind
    user_id: int
    user_display_name: str
    requested_by_name: str | None
    reason: str | None
    created_at: datetime
    expires_at: datetime
    # False for the one who asked: someone else must approve.
    may_approve: bool


def _second_person_required(message: str) -> ApiError:
    return ApiError(403, "second_person_required", message)


def _waiting(at: datetime) -> object:
    return (
        select(AccountApproval, User)
        .join(User, col(User.id) == col(AccountApproval.user_id))
        .where(col(AccountApproval.approved_at).is_(None), col(AccountApproval.expires_at) > at)
        .order_by(col(AccountApproval.id))
    )


def _public(db: Session, approval: AccountApproval, user: User, *, viewer: User) -> AccountApprovalPublic:
    requester = db.get(User, approval.requested_by_id) if approval.requested_by_id else None
    return AccountApprovalPublic(
        id=approval.id,  # type: ignore[arg-type]
        kind=approval.kind,
        user_id=user.id,  # type: ignore[arg-type]
        user_display_name=user.display_name,
        requested_by_name=requester.display_name if requester else None,
        reason=approval.reason,
        created_at=approval.created_at,
        expires_at=approval.expires_at,
        may_approve=_may_approve(viewer, approval, user),
    )


def _may_approve(admin: User, approval: AccountApproval, user: User) -> bool:
    return admin.role == Role.admin and approval.requested_by_id != admin.id and user.id != admin.id


def request(
    db: Session, *, kind: ApprovalKind, admin: User, user: User, reason: str | None, at: datetime
) -> ApprovalRequested:
    rule = RULES[kind]
    if not rule.applies_to(user):
        raise not_found(rule.not_applicable)
    if user.id == admin.id:
        raise _second_person_required("Another administrator must do this for your own account.")
    already = db.exec(
        _waiting(at).where(AccountApproval.user_id == user.id, AccountApproval.kind == kind)  # type: ignore[attr-defined]
    ).first()
    if already is not None:
        raise conflict("already_requested", "This is already waiting for a second administrator.")
    approval = AccountApproval(
        kind=kind,
        user_id=user.id,  # type: ignore[arg-type]
        requested_by_id=admin.id,
        reason=reason,
        created_at=at,
        expires_at=at + rule.lasts,
    )
    db.add(approval)
    db.flush()
    auth_events.record(db, user=user, event=rule.requested, actor=admin, reason=reason)
    return ApprovalRequested(id=approval.id, expires_at=approval.expires_at)  # type: ignore[arg-type]


def pending_for_admin(db: Session, *, admin: User, at: datetime) -> list[AccountApprovalPublic]:
    """What waits for a second administrator, except what is about herself;
    she may approve what someone else asked for."""
    return [
        _public(db, approval, user, viewer=admin)
        for approval, user in db.exec(_waiting(at)).all()  # type: ignore[call-overload]
        if user.id != admin.id
    ]


def pending_about(db: Session, *, user: User, at: datetime) -> list[AccountApprovalPublic]:
    """What is waiting to be done to this account, as its holder sees it."""
    rows = db.exec(_waiting(at).where(AccountApproval.user_id == user.id)).all()  # type: ignore[attr-defined]
    return [_public(db, approval, holder, viewer=user) for approval, holder in rows]


def approve(db: Session, *, admin: User, approval_id: int, at: datetime) -> None:
    row = db.exec(_waiting(at).where(AccountApproval.id == approval_id)).first()  # type: ignore[attr-defined]
    if row is None:
        raise not_found("There is nothing waiting for approval here.")
    approval, user = row
    if not _may_approve(admin, approval, user):
        raise _second_person_required("A different administrator must approve this.")
    rule = RULES[approval.kind]
    if not rule.applies_to(user):  # e.g. enabled again, or already disabled, since it was asked
        raise conflict("no_longer_applies", "This no longer applies to the account.")
    approval.approved_at = at
    approval.approved_by_id = admin.id
    db.add(approval)
    rule.carry_out(db, user, admin, at)
