"""/api/auth/methods and /api/auth/eid: logging in with ID-porten or HelseID."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, g, redirect, request
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from nattlys import clock
from nattlys.accounts import oidc, sessions
from nattlys.accounts.login import begin_session, set_cookies
from nattlys.accounts.oidc import EidError
from nattlys.api.endpoints import endpoint
from nattlys.api.errors import ApiError
from nattlys.db import get_db

log = logging.getLogger(__name__)
bp = Blueprint("eid", __name__, url_prefix="/api/auth")

BROWSER_COOKIE = "nattlys_eid"
FAILED_PATH = "/#/logg-inn/eid/"


class LoginMethods(BaseModel):
    eid_patient: bool
    eid_staff: bool
    password_roles: list[str]


@bp.get("/methods")
@endpoint("Which ways of logging in are switched on", tag="auth", response=LoginMethods, public=True)
def login_methods() -> LoginMethods:
    return LoginMethods(
        eid_patient=oidc.provider_config("patient") is not None,
        eid_staff=oidc.provider_config("staff") is not None,
        password_roles=sorted(current_app.config["SETTINGS"].password_login_roles),
    )


class EidStart(SQLModel):
    # An invitation link's token: this first eID login binds the person to the account.
    invitation: str | None = Field(default=None, min_length=10, max_length=200)


class EidRedirect(BaseModel):
    authorization_url: str


@bp.post("/eid/<provider>/start")
@endpoint(
    "Start logging in with ID-porten (patient) or HelseID (staff)",
    tag="auth",
    body=EidStart,
    response=EidRedirect,
    public=True,
    errors=(410, 502),
)
def start(provider: str, body: EidStart) -> object:
    try:
        url, browser = oidc.start(
            get_db(), provider_name=provider, invitation_token=body.invitation, at=clock.now()
        )
    except EidError as exc:  # the provider did not answer
        raise ApiError(502, "eid_unavailable", "The login service is not answering just now.") from exc
    response = current_app.json.response(EidRedirect(authorization_url=url).model_dump())
    response.set_cookie(
        BROWSER_COOKIE,
        browser,
        max_age=oidc.LOGIN_MINUTES * 60,
        path="/api/auth/eid",
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",  # sent on the provider's top-level redirect back to us
    )
    return response


class EidCallback(SQLModel):
    state: str = Field(default="", max_length=200)
    code: str | None = Field(default=None, max_length=2000)
    error: str | None = Field(default=None, max_length=200)
    iss: str | None = Field(default=None, max_length=500)
    error_description: str | None = Field(default=None, max_length=2000)


@bp.get("/eid/callback")
@endpoint(
    "Where the eID provider sends the browser back; answers with a redirect into the app",
    tag="auth",
    query=EidCallback,
    status=302,
    public=True,
)
def callback(query: EidCallback) -> object:
    db = get_db()
    at = clock.now()
    try:
        login = oidc.finish(
            db, state=query.state, code=query.code, browser=request.cookies.get(BROWSER_COOKIE), at=at
        )
    except EidError as exc:
        db.rollback()  # nothing of a refused login is kept (its state was used up already)
        log.info("eid login refused", extra={"reason": exc.code})
        response = redirect(FAILED_PATH + exc.code, code=302)
    else:
        g.login_method = "eid"
        token, auth_session = begin_session(login.user)
        db.flush()
        oidc.remember_session(db, session_id=auth_session.id, login=login)
        response = redirect("/#/", code=302)
        set_cookies(response, login.user, token, auth_session)
    response.delete_cookie(BROWSER_COOKIE, path="/api/auth/eid", secure=request.is_secure, httponly=True)
    return response


class LoggedOut(BaseModel):
    # Where to send the browser so the eID provider ends its session too.
    end_session_url: str | None


@bp.post("/eid/logout")
@endpoint(
    "Log out here, and learn where to end the eID provider's session too",
    tag="auth",
    response=LoggedOut,
)
def logout() -> object:
    db = get_db()
    ended = g.auth_session
    url = oidc.end_session_url(db, session_id=ended.id)
    sessions.end_session(db, ended, at=clock.now())
    response = current_app.json.response(LoggedOut(end_session_url=url).model_dump())
    sessions.clear_session_cookie(response)
    g.session_cookie_set = True
    return response
