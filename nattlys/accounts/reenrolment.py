"""Re-enrolment: approving a new invitation link for an account that can
already be logged in to (README, "No account takeover").

Nobody on the staff can alone gain a way into someone else's account. The
link a staff member issues for such an account works only when
- the account holder confirms it from a device where she is still logged in, or
- she has no such device, and a second staff member, not the one who issued
  it, approves it.
Until the link is used, her old password and sessions keep working.
Whether a staff member may enrol a patient is access's answer; the routes pass
it in as `may_enrol`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from nattlys.accounts import auth_events
from nattlys.accounts.credentials import holder_can_confirm
from nattlys.accounts.models import Invitation, Role, User
from nattlys.accounts.schemas import Awaiting, ReenrolmentPublic
from nattlys.api.errors import ApiError, conflict, forbidden, not_found
from nattlys.audit import writer as audit


def awaiting(db: Session, user: User, *, at: datetime) -> Awaiting:
    return Awaiting.account_holder if holder_can_confirm(db, user, at=at) else Awaiting.second_staff


def _pending(db: Session, *, at: datetime) -> Select[Invitation, User]:
    return (
        select(Invitation, User)
        .join(User, col(User.id) == col(Invitation.user_id))
        .where(
            col(Invitation.needs_approval).is_(True),
            col(Invitation.approved_at).is_(None),
            col(Invitation.used_at).is_(None),
            col(Invitation.revoked_at).is_(None),
            col(Invitation.expires_at) > at,
        )
        .order_by(col(Invitation.id))
    )


def _public(db: Session, invitation: Invitation, user: User, *, at: datetime) -> ReenrolmentPublic:
    issuer = db.get(User, invitation.created_by_id) if invitation.created_by_id else None
    return ReenrolmentPublic(
        id=invitation.id,
        user_id=user.id,
        user_display_name=user.display_name,
        issued_by_name=issuer.display_name if issuer else None,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        awaiting=awaiting(db, user, at=at),
    )


def pending_for_holder(db: Session, holder: User, *, at: datetime) -> list[ReenrolmentPublic]:
    rows = db.exec(_pending(db, at=at).where(Invitation.user_id == holder.id)).all()
    return [_public(db, invitation, user, at=at) for invitation, user in rows]


# Whether the approver may enrol this patient (nattlys.access, Need.enrol).
MayEnrol = Callable[[User], bool]


def _may_approve(approver: User, user: User, may_enrol: MayEnrol) -> bool:
    if user.role == Role.patient:
        return may_enrol(user)
    return approver.role == Role.admin and approver.is_active


def pending_for_approver(
    db: Session, approver: User, *, may_enrol: MayEnrol, at: datetime
) -> list[ReenrolmentPublic]:
    """Links this staff member may approve: not their own, for accounts they
    may enrol, whose holder cannot confirm herself now."""
    rows = db.exec(_pending(db, at=at)).all()
    return [
        _public(db, invitation, user, at=at)
        for invitation, user in rows
        if invitation.created_by_id != approver.id
        and user.id != approver.id
        and _may_approve(approver, user, may_enrol)
        and awaiting(db, user, at=at) == Awaiting.second_staff
    ]


def _find_pending(db: Session, invitation_id: int, *, at: datetime) -> tuple[Invitation, User]:
    row = db.exec(_pending(db, at=at).where(Invitation.id == invitation_id)).first()
    if row is None:
        raise not_found("There is no link waiting for approval here.")
    return row


def _record(db: Session, *, actor: User, user: User, invitation: Invitation, action: str) -> None:
    audit.record(
        db,
        actor=actor,
        action=action,
        object_type="invitation",
        object_id=invitation.id,
        patient_id=user.id if user.role == Role.patient else None,
    )
    auth_events.notify(user.id, action)


def confirm(db: Session, *, holder: User, invitation_id: int, at: datetime) -> None:
    """The holder, logged in, says the new link is hers."""
    invitation, user = _find_pending(db, invitation_id, at=at)
    if user.id != holder.id:
        raise not_found("There is no link waiting for approval here.")
    invitation.approved_at = at
    invitation.approved_by_id = holder.id
    db.add(invitation)
    _record(db, actor=holder, user=user, invitation=invitation, action="invitation.confirm")


def decline(db: Session, *, holder: User, invitation_id: int, at: datetime) -> None:
    """The holder did not ask for a new link: it stops working at once."""
    invitation, user = _find_pending(db, invitation_id, at=at)
    if user.id != holder.id:
        raise not_found("There is no link waiting for approval here.")
    invitation.revoked_at = at
    db.add(invitation)
    _record(db, actor=holder, user=user, invitation=invitation, action="invitation.decline")


def approve(db: Session, *, approver: User, invitation_id: int, may_enrol: MayEnrol, at: datetime) -> None:
    """A second staff member approves a link for a holder who cannot confirm herself."""
    invitation, user = _find_pending(db, invitation_id, at=at)
    if not _may_approve(approver, user, may_enrol) or user.id == approver.id:
        raise forbidden()
    if invitation.created_by_id == approver.id:
        raise ApiError(
            403, "second_person_required", "Someone other than the person who made the link must approve it."
        )
    if awaiting(db, user, at=at) == Awaiting.account_holder:
        raise conflict(
            "account_holder_must_confirm",
            "This person is logged in on a device and confirms the link there herself.",
        )
    invitation.approved_at = at
    invitation.approved_by_id = approver.id
    db.add(invitation)
    _record(db, actor=approver, user=user, invitation=invitation, action="invitation.approve")
