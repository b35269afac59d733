"""/api/auth/passkey (logging in with a passkey) and /api/me/passkeys (one's own)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, g
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from nattlys import clock
from nattlys.accounts import passkeys
from nattlys.accounts.login import logged_in
from nattlys.accounts.schemas import SessionPublic
from nattlys.api.endpoints import endpoint
from nattlys.db import get_db

bp = Blueprint("passkeys", __name__, url_prefix="/api")


class PasskeyCeremony(BaseModel):
    # Sent back with the authenticator's answer; the challenge itself stays on the server.
    ceremony: str
    options: dict[str, Any]


class PasskeyAnswer(SQLModel):
    ceremony: str = Field(min_length=20, max_length=200)
    credential: dict[str, Any]


class PasskeyAdd(PasskeyAnswer):
    name: str = Field(default="Passnøkkel", min_length=1, max_length=80)


class PasskeyPublic(BaseModel):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


def _public(passkey: Any) -> PasskeyPublic:
    return PasskeyPublic(
        id=passkey.id, name=passkey.name, created_at=passkey.created_at, last_used_at=passkey.last_used_at
    )


@bp.post("/auth/passkey/options")
@endpoint("A challenge for logging in with a passkey", tag="auth", response=PasskeyCeremony, public=True)
def login_options() -> PasskeyCeremony:
    found = passkeys.login_options(get_db(), at=clock.now())
    return PasskeyCeremony(ceremony=found.ceremony, options=found.options)


@bp.post("/auth/passkey/login")
@endpoint("Log in with a passkey", tag="auth", body=PasskeyAnswer, response=SessionPublic, public=True)
def login(body: PasskeyAnswer) -> object:
    user = passkeys.authenticate(get_db(), ceremony=body.ceremony, credential=body.credential, at=clock.now())
    # A passkey with user verification is a strong login on its own (no second code).
    g.login_method = "passkey"
    return logged_in(user)


@bp.get("/me/passkeys")
@endpoint("My passkeys", tag="auth", response=list[PasskeyPublic])
def list_mine() -> list[PasskeyPublic]:
    return [_public(p) for p in passkeys.list_mine(get_db(), user=g.user)]


@bp.post("/me/passkeys/options")
@endpoint("A challenge for adding a passkey", tag="auth", response=PasskeyCeremony, errors=(409,))
def registration_options() -> PasskeyCeremony:
    found = passkeys.registration_options(get_db(), user=g.user, at=clock.now())
    return PasskeyCeremony(ceremony=found.ceremony, options=found.options)


@bp.post("/me/passkeys")
@endpoint("Add a passkey", tag="auth", body=PasskeyAdd, response=PasskeyPublic, status=201, errors=(409,))
def add(body: PasskeyAdd) -> PasskeyPublic:
    passkey = passkeys.register(
        get_db(),
        user=g.user,
        ceremony=body.ceremony,
        credential=body.credential,
        name=" ".join(body.name.split()) or "Passnøkkel",
        at=clock.now(),
    )
    return _public(passkey)


@bp.delete("/me/passkeys/<int:passkey_id>")
@endpoint("Remove one of my passkeys", tag="auth", status=204)
def remove(passkey_id: int) -> None:
    passkeys.remove(get_db(), user=g.user, passkey_id=passkey_id)
