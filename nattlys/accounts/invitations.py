"""One-time invitation links with which a person chooses their own password."""

from __future__ import annotations

import io
import secrets
from datetime import datetime, timedelta

import segno
from flask import current_app, request
from sqlmodel import Session, col, select, update

from nattlys.accounts import auth_events
from nattlys.accounts.credentials import has_credentials
from nattlys.accounts.models import Invitation, Role, User
from nattlys.accounts.schemas import Awaiting, InvitationIssued
from nattlys.accounts.service import _rate_limited, set_password
from nattlys.accounts.sessions import end_all_sessions, token_digest
from nattlys.accounts.throttle import login_throttle
from nattlys.api.errors import ApiError, not_found
from nattlys.audit import writer as audit

INVITATION_PATH = "/#/invitasjon/"


def issue(db: Session, *, user: User, created_by: User, at: datetime) -> tuple[str, Invitation]:
    """A new link for `user`; any earlier unused link stops working. For an
    account that can already be logged in to, the link works only once it is
    approved (nattlys/accounts/reenrolment.py); the holder is told at once."""
    db.exec(
        update(Invitation)
        .where(
            col(Invitation.user_id) == user.id,
            col(Invitation.used_at).is_(None),
            col(Invitation.revoked_at).is_(None),
        )
        .values(revoked_at=at)
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        token_hash=token_digest(token),
        user_id=user.id,
        created_by_id=created_by.id,
        created_at=at,
        expires_at=at + timedelta(hours=current_app.config["INVITATION_HOURS"]),
        needs_approval=has_credentials(db, user),
    )
    db.add(invitation)
    db.flush()
    if invitation.needs_approval:
        auth_events.notify(user.id, "invitation.issue")
    audit.record(
        db,
        actor=created_by,
        action="invitation.issue",
        object_type="invitation",
        object_id=invitation.id,
        patient_id=user.id if user.role == Role.patient else None,
    )
    return token, invitation


def link(token: str) -> str:
    # The token sits in the fragment, which browsers never send to servers or
    # write to access logs.
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return base.rstrip("/") + INVITATION_PATH + token


def qr_svg(text: str) -> str:
    """A QR code to scan with a phone camera or an authenticator app."""
    buffer = io.BytesIO()
    # A standalone SVG (with its namespace) so browsers draw it as an image;
    # the standard four-module quiet zone so phone cameras read it.
    segno.make(text, error="m").save(
        buffer,
        kind="svg",
        scale=4,
        border=4,
        dark="#000",
        light="#fff",
        xmldecl=False,
        svgns=True,
        omitsize=True,
    )
    return buffer.getvalue().decode()


def issued(token: str, invitation: Invitation, *, awaiting: Awaiting | None = None) -> InvitationIssued:
    url = link(token)
    return InvitationIssued(url=url, expires_at=invitation.expires_at, qr_svg=qr_svg(url), awaiting=awaiting)


def find(
    db: Session, *, token: str, at: datetime, awaiting_approval_ok: bool = False
) -> tuple[Invitation, User]:
    """The invitation for a token, or a clear 404 / 410; 429 after too many
    wrong tokens from one IP (guessing links is throttled like passwords)."""
    throttle = login_throttle()
    ip = request.remote_addr or "unknown"
    # The counters use their own connection; on SQLite this request must not
    # hold the write lock meanwhile.
    db.commit()
    retry_after = throttle.token_retry_after(ip, at=at)
    if retry_after is not None:
        raise _rate_limited(retry_after)
    invitation = db.exec(select(Invitation).where(Invitation.token_hash == token_digest(token))).first()
    if invitation is None:
        db.commit()  # as above: end the read before the counter's own write
        throttle.record_token_failure(ip, at=at)
        raise not_found("This invitation link is not valid. Ask for a new one.")
    if invitation.used_at is not None:
        raise ApiError(410, "invitation_used", "This invitation link has already been used.")
    if invitation.revoked_at is not None:
        raise ApiError(410, "invitation_replaced", "A newer invitation link has replaced this one.")
    if invitation.expires_at <= at:
        raise ApiError(410, "invitation_expired", "This invitation link has expired. Ask for a new one.")
    if invitation.needs_approval and invitation.approved_at is None and not awaiting_approval_ok:
        raise ApiError(
            409,
            "invitation_awaiting_approval",
            "This link works once it has been approved. You will be told when it has.",
        )
    user = db.get(User, invitation.user_id)
    if user is None or not user.is_active:
        raise ApiError(410, "invitation_expired", "This invitation link has expired. Ask for a new one.")
    return invitation, user


def accept(db: Session, *, token: str, password: str, at: datetime) -> tuple[User, Invitation]:
    invitation, user = find(db, token=token, at=at)
    set_password(db, user=user, password=password, at=at)
    # Conditional, so two devices racing with the same link cannot both win.
    claimed = db.exec(
        update(Invitation)
        .where(col(Invitation.id) == invitation.id, col(Invitation.used_at).is_(None))
        .values(used_at=at)
    )
    if claimed.rowcount != 1:
        raise ApiError(410, "invitation_used", "This invitation link has already been used.")
    # A new password ends any session that might be using the old one.
    end_all_sessions(db, user_id=user.id, at=at)
    audit.record(
        db,
        actor=user,
        action="invitation.accept",
        object_type="invitation",
        object_id=invitation.id,
        patient_id=user.id if user.role == Role.patient else None,
    )
    if invitation.needs_approval:
        auth_events.notify(user.id, "invitation.accept")
    return user, invitation
