"""Changes to someone's account that take two administrators: asking to
disable a patient, approving what another administrator asked, and seeing
what waits to be done to one's own account (server/accounts/approvals.py)."""

from __future__ import annotations

from flask import Blueprint, g
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from server import clock
from server.accounts import approvals
from server.accounts.models import ApprovalKind, Role, User
from server.api.endpoints import endpoint
from server.api.errors import not_found
from server.db import get_db

bp = Blueprint("account_approvals", __name__)


class DisableRequest(SQLModel):
    reason: str = Field(min_length=3, max_length=500)

    @field_validator("reason")
    @classmethod
    def _words(cls, value: str) -> str:
        value = " ".join(value.split())
        if len(value) < 3:
            raise ValueError("say why, in a few words")
        return value


@bp.post("/users/<int:user_id>/disable-request")
@endpoint(
    "Ask to disable a patient's account, with a reason; it happens when a second administrator "
    "approves, and she keeps her access until then",
    tag="users",
    body=DisableRequest,
    response=approvals.ApprovalRequested,
    status=202,
    roles=(Role.admin,),
    errors=(409,),
)
def request_disable(user_id: int, body: DisableRequest) -> approvals.ApprovalRequested:
    db = get_db()
    user = db.get(User, user_id)
    if user is None:
        raise not_found("No such user.")
    return approvals.request(
        db,
        kind=ApprovalKind.disable,
        admin=g.user,
        user=user,
        reason=body.reason,
        at=clock.now(),
    )


@bp.get("/account-approvals")
@endpoint(
    "Changes to accounts waiting for a second administrator; I may approve those someone else asked for",
    tag="users",
    response=list[approvals.AccountApprovalPublic],
    roles=(Role.admin,),
)
def approvable() -> list[approvals.AccountApprovalPublic]:
    return approvals.pending_for_admin(get_db(), admin=g.user, at=clock.now())


@bp.post("/account-approvals/<int:approval_id>/approve")
@endpoint(
    "Approve, as the second administrator, a change to an account that another administrator asked for",
    tag="users",
    status=204,
    roles=(Role.admin,),
    errors=(409,),
)
def approve(approval_id: int) -> None:
    approvals.approve(get_db(), admin=g.user, approval_id=approval_id, at=clock.now())


@bp.get("/me/account-approvals")
@endpoint(
    "Changes to my account that an administrator asked for and a second one has not yet approved",
    tag="account",
    response=list[approvals.AccountApprovalPublic],
)
def mine() -> list[approvals.AccountApprovalPublic]:
    return approvals.pending_about(get_db(), user=g.user, at=clock.now())
