"""Disabling a patient's account: one administrator asks, a second one
decides (nattlys/accounts/disabling.py)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, g
from pydantic import BaseModel, field_validator
from sqlmodel import Field, SQLModel

from nattlys import clock
from nattlys.accounts import disabling
from nattlys.accounts.models import Role, User
from nattlys.api.endpoints import endpoint
from nattlys.api.errors import not_found
from nattlys.db import get_db

bp = Blueprint("patient_disabling", __name__)


class DisableAsk(SQLModel):
    reason: str = Field(min_length=3, max_length=disabling.REASON_MAX)

    @field_validator("reason")
    @classmethod
    def _words(cls, value: str) -> str:
        value = " ".join(value.split())
        if len(value) < 3:
            raise ValueError("say why, in a few words")
        return value


class DisableAsked(BaseModel):
    id: int
    expires_at: datetime


@bp.post("/users/<int:user_id>/disable-request")
@endpoint(
    "Ask, with a reason, to disable a patient's account; nothing changes for her until a "
    "second administrator approves",
    tag="users",
    body=DisableAsk,
    response=DisableAsked,
    status=202,
    roles=(Role.admin,),
    errors=(409,),
)
def ask(user_id: int, body: DisableAsk) -> DisableAsked:
    user = get_db().get(User, user_id)
    if user is None:
        raise not_found("No such user.")
    request = disabling.ask(get_db(), admin=g.user, user=user, reason=body.reason, at=clock.now())
    return DisableAsked(id=request.id, expires_at=request.expires_at)


@bp.get("/disable-requests")
@endpoint(
    "Requests to disable a patient's account, waiting for a second administrator",
    tag="users",
    response=list[disabling.DisableRequestPublic],
    roles=(Role.admin,),
)
def waiting() -> list[disabling.DisableRequestPublic]:
    return disabling.waiting(get_db(), admin=g.user, at=clock.now())


@bp.post("/disable-requests/<int:request_id>/approve")
@endpoint(
    "Approve another administrator's request: the patient's account is disabled and her sessions end",
    tag="users",
    status=204,
    roles=(Role.admin,),
)
def approve(request_id: int) -> None:
    disabling.approve(get_db(), admin=g.user, request_id=request_id, at=clock.now())


@bp.post("/disable-requests/<int:request_id>/decline")
@endpoint(
    "Decline another administrator's request to disable a patient's account",
    tag="users",
    status=204,
    roles=(Role.admin,),
)
def decline(request_id: int) -> None:
    disabling.decline(get_db(), admin=g.user, request_id=request_id, at=clock.now())
