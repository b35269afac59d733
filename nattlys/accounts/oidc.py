"""National eID login by OpenID Connect: ID-porten for patients, HelseID for staff.

Authorization code flow with PKCE, state and nonce (Authlib for the protocol,
joserfc for the ID token's signature and claims). A login's state, nonce and
code verifier are kept server-side, used once, and bound to the browser that
started it by a cookie, so a stolen callback link logs nobody in.

An account is linked to a person by a keyed hash (HMAC-SHA256, EID_PID_KEY) of
the national identity number from the ID token, never by e-mail and never by
the number itself: an invitation binds it at the first eID login, and every
later login must match the bound hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app, request
from joserfc import jwt
from joserfc.errors import InvalidClaimError, JoseError, MissingClaimError
from joserfc.jwk import KeySet, KeySetSerialization
from sqlmodel import Session, col, delete, select, update

from nattlys.accounts import invitations
from nattlys.accounts.models import Invitation, Role, User
from nattlys.accounts.sessions import token_digest
from nattlys.accounts.strong_models import EidIdentity, EidLoginState, EidSession
from nattlys.api.errors import ApiError, not_found
from nattlys.audit import writer as audit

PROVIDERS = ("patient", "staff")
ROLES = {"patient": (Role.patient,), "staff": (Role.supporter, Role.admin)}
CALLBACK_PATH = "/api/auth/eid/callback"
LOGIN_MINUTES = 10
HTTP_TIMEOUT = 5
METADATA_SECONDS = 3600
# ID tokens are checked against the real clock: they come from the provider's.
ID_TOKEN_LEEWAY = 60
ID_TOKEN_ALGORITHMS = ("RS256", "PS256", "ES256")


class EidError(Exception):
    """An eID login that must not go on; `code` names why (and the screen's text)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    issuer: str
    client_id: str
    client_secret: str
    private_key: str
    acr: tuple[str, ...]
    pid_claim: str
    scopes: str


def provider_config(name: str) -> ProviderConfig | None:
    """The configured provider for "patient" or "staff", or None when it is off."""
    if name not in PROVIDERS:
        return None
    cfg = current_app.config
    prefix = f"EID_{name.upper()}_"
    if not cfg.get(prefix + "ISSUER"):
        return None
    key = cfg.get(prefix + "PRIVATE_KEY", "")
    if key and not key.lstrip().startswith("-----BEGIN"):
        key = Path(key).read_text()
    return ProviderConfig(
        name=name,
        issuer=cfg[prefix + "ISSUER"].rstrip("/"),
        client_id=cfg[prefix + "CLIENT_ID"],
        client_secret=cfg.get(prefix + "CLIENT_SECRET", ""),
        private_key=key,
        acr=tuple(a.strip() for a in cfg[prefix + "ACR"].split(",") if a.strip()),
        pid_claim=cfg[prefix + "PID_CLAIM"],
        scopes=cfg[prefix + "SCOPES"],
    )


def pid_hash(pid: str) -> str:
    key = current_app.config.get("EID_PID_KEY") or current_app.config["SECRET_KEY"]
    return hmac.new(key.encode(), pid.encode(), hashlib.sha256).hexdigest()


# --- provider metadata and keys, cached per process ----------------------------------

_metadata: dict[str, tuple[float, dict[str, Any]]] = {}
_keys: dict[str, KeySet] = {}


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as exc:
        raise EidError("provider_unavailable") from exc


def metadata(provider: ProviderConfig) -> dict[str, Any]:
    cached = _metadata.get(provider.issuer)
    if cached and time.monotonic() - cached[0] < METADATA_SECONDS:
        return cached[1]
    found = _get_json(provider.issuer + "/.well-known/openid-configuration")
    if found.get("issuer", "").rstrip("/") != provider.issuer:
        raise EidError("provider_unavailable")
    _metadata[provider.issuer] = (time.monotonic(), found)
    return found


def _key_set(jwks_uri: str, *, fresh: bool = False) -> KeySet:
    if fresh or jwks_uri not in _keys:
        _keys[jwks_uri] = KeySet.import_key_set(cast(KeySetSerialization, _get_json(jwks_uri)))
    return _keys[jwks_uri]


def redirect_uri() -> str:
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return base.rstrip("/") + CALLBACK_PATH


def _client(provider: ProviderConfig, meta: dict[str, Any]) -> OAuth2Session:
    """With a private key the client proves itself by a signed JWT (HelseID's
    way); otherwise by its secret."""
    auth_method: Any = PrivateKeyJWT(meta["token_endpoint"]) if provider.private_key else None
    return OAuth2Session(
        provider.client_id,
        provider.private_key or provider.client_secret,
        token_endpoint_auth_method=auth_method,
        code_challenge_method="S256",
        scope=provider.scopes,
        redirect_uri=redirect_uri(),
    )


# --- starting and finishing a login ----------------------------------------------------


def start(db: Session, *, provider_name: str, invitation_token: str | None, at: datetime) -> tuple[str, str]:
    """The provider's authorization URL and the browser token to put in a cookie."""
    provider = provider_config(provider_name)
    if provider is None:
        raise not_found("This way of logging in is not switched on.")
    invitation_id = None
    if invitation_token is not None:
        # A link still awaiting approval may start an eID login: the callback
        # lets it through only for the person already bound to the account.
        invitation, user = invitations.find(db, token=invitation_token, at=at, awaiting_approval_ok=True)
        if user.role not in ROLES[provider_name]:
            raise ApiError(400, "eid_wrong_provider", "This invitation is for another way of logging in.")
        invitation_id = invitation.id
    meta = metadata(provider)
    db.exec(delete(EidLoginState).where(col(EidLoginState.expires_at) <= at))
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    browser = secrets.token_urlsafe(32)
    url, _ = _client(provider, meta).create_authorization_url(
        meta["authorization_endpoint"],
        state=state,
        nonce=nonce,
        code_verifier=verifier,
        acr_values=provider.acr[0],
    )
    db.add(
        EidLoginState(
            state_hash=token_digest(state),
            provider=provider.name,
            nonce=nonce,
            code_verifier=verifier,
            browser_hash=token_digest(browser),
            invitation_id=invitation_id,
            created_at=at,
            expires_at=at + timedelta(minutes=LOGIN_MINUTES),
        )
    )
    return url, browser


def _claim_state(db: Session, *, state: str, browser: str | None, at: datetime) -> EidLoginState:
    """The login this callback belongs to, marked used; a second use fails."""
    row = db.get(EidLoginState, token_digest(state)) if state else None
    if row is None:
        raise EidError("unknown_login")
    claimed = db.exec(
        update(EidLoginState)
        .where(
            col(EidLoginState.state_hash) == row.state_hash,
            col(EidLoginState.used_at).is_(None),
            col(EidLoginState.expires_at) > at,
        )
        .values(used_at=at)
    )
    if claimed.rowcount != 1:
        raise EidError("unknown_login")
    if not browser or not hmac.compare_digest(row.browser_hash, token_digest(browser)):
        raise EidError("other_browser")
    return row


def verify_id_token(
    provider: ProviderConfig, meta: dict[str, Any], id_token: str, *, nonce: str
) -> dict[str, Any]:
    try:
        try:
            token = jwt.decode(id_token, _key_set(meta["jwks_uri"]), algorithms=list(ID_TOKEN_ALGORITHMS))
        except JoseError:
            # The provider may have rotated its keys since they were fetched.
            token = jwt.decode(
                id_token, _key_set(meta["jwks_uri"], fresh=True), algorithms=list(ID_TOKEN_ALGORITHMS)
            )
    except (JoseError, ValueError) as exc:
        raise EidError("bad_id_token") from exc
    registry = jwt.JWTClaimsRegistry(
        now=lambda: int(time.time()),
        leeway=ID_TOKEN_LEEWAY,
        iss={"essential": True, "value": provider.issuer},
        sub={"essential": True},
        aud={"essential": True, "value": provider.client_id},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
        acr={"essential": True, "values": list(provider.acr)},
    )
    try:
        registry.validate(token.claims)
    except (InvalidClaimError, MissingClaimError) as exc:
        raise EidError({"nonce": "wrong_nonce", "acr": "wrong_acr"}.get(exc.claim, "bad_id_token")) from exc
    except JoseError as exc:
        raise EidError("bad_id_token") from exc
    audience = token.claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and token.claims.get("azp") != provider.client_id:
        raise EidError("bad_id_token")
    return dict(token.claims)


@dataclass(frozen=True)
class EidLogin:
    user: User
    provider: str
    id_token: str


def finish(db: Session, *, state: str, code: str | None, browser: str | None, at: datetime) -> EidLogin:
    """Check the provider's answer and find (or, with an invitation, bind) the account."""
    login = _claim_state(db, state=state, browser=browser, at=at)
    # Used, whatever happens next; and no write lock is held while the provider answers.
    db.commit()
    if not code:
        raise EidError("cancelled")
    provider = provider_config(login.provider)
    if provider is None:
        raise EidError("unknown_login")
    meta = metadata(provider)
    try:
        token = _client(provider, meta).fetch_token(
            meta["token_endpoint"],
            grant_type="authorization_code",
            code=code,
            code_verifier=login.code_verifier,
            timeout=HTTP_TIMEOUT,
        )
    except Exception as exc:  # Authlib raises OAuthError, requests its own: either way, no login
        raise EidError("code_refused") from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise EidError("bad_id_token")
    claims = verify_id_token(provider, meta, id_token, nonce=login.nonce)
    pid = claims.get(provider.pid_claim)
    if not isinstance(pid, str) or not pid.strip():
        raise EidError("bad_id_token")
    user = _account_for(
        db, provider=provider.name, hashed=pid_hash(pid.strip()), invitation_id=login.invitation_id, at=at
    )
    return EidLogin(user=user, provider=provider.name, id_token=id_token)


def _account_for(db: Session, *, provider: str, hashed: str, invitation_id: int | None, at: datetime) -> User:
    bound = db.exec(
        select(EidIdentity).where(EidIdentity.provider == provider, EidIdentity.pid_hash == hashed)
    ).first()
    if invitation_id is not None:
        bound = _enrol(db, provider=provider, hashed=hashed, bound=bound, invitation_id=invitation_id, at=at)
    if bound is None:
        raise EidError("not_enrolled")
    user = db.get(User, bound.user_id)
    if user is None or not user.is_active or user.role not in ROLES[provider]:
        raise EidError("not_enrolled")
    bound.last_login_at = at
    db.add(bound)
    audit.record(
        db,
        actor=user,
        action="eid.login",
        object_type="user",
        object_id=user.id,
        patient_id=user.id if user.role == Role.patient else None,
    )
    return user


def _enrol(
    db: Session, *, provider: str, hashed: str, bound: EidIdentity | None, invitation_id: int, at: datetime
) -> EidIdentity:
    """Use the invitation: bind this person to its account, or, if the account
    is bound already, accept only the same person."""
    invitation = db.get(Invitation, invitation_id)
    if invitation is None or invitation.revoked_at is not None or invitation.expires_at <= at:
        raise EidError("invitation_gone")
    user = db.get(User, invitation.user_id)
    if user is None:
        raise EidError("invitation_gone")
    own = db.exec(
        select(EidIdentity).where(EidIdentity.provider == provider, EidIdentity.user_id == user.id)
    ).first()
    if own is not None and not hmac.compare_digest(own.pid_hash, hashed):
        raise EidError("other_person")
    # A link for an account that can already be logged in to binds no new
    # identity until the holder (or a second staff member) has approved it:
    # otherwise whoever issued it could bind their own eID to her account. The
    # bound person logging in with her own eID is her own proof.
    if own is None and invitation.needs_approval and invitation.approved_at is None:
        raise EidError("invitation_awaiting_approval")
    if bound is not None and bound.user_id != user.id:
        raise EidError("identity_in_use")
    claimed = db.exec(
        update(Invitation)
        .where(col(Invitation.id) == invitation.id, col(Invitation.used_at).is_(None))
        .values(used_at=at)
    )
    if claimed.rowcount != 1:
        raise EidError("invitation_gone")
    if own is None:
        own = EidIdentity(user_id=user.id, provider=provider, pid_hash=hashed, bound_at=at)
        db.add(own)
        db.flush()
    audit.record(
        db,
        actor=user,
        action="eid.enrol",
        object_type="invitation",
        object_id=invitation.id,
        patient_id=user.id if user.role == Role.patient else None,
    )
    return own


# --- logging out -------------------------------------------------------------------------


def _sealer() -> Fernet:
    """The ID token carries the identity number: it is kept (for the provider's
    logout) only encrypted, with a key derived from EID_PID_KEY."""
    key = (current_app.config.get("EID_PID_KEY") or current_app.config["SECRET_KEY"]).encode()
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"nattlys eid session").derive(key)
    return Fernet(base64.urlsafe_b64encode(derived))


def remember_session(db: Session, *, session_id: str, login: EidLogin) -> None:
    sealed = _sealer().encrypt(login.id_token.encode()).decode()
    db.add(EidSession(session_id=session_id, provider=login.provider, id_token=sealed))


def end_session_url(db: Session, *, session_id: str) -> str | None:
    """Where to send the browser so the provider ends its session too, if it can."""
    row = db.get(EidSession, session_id)
    provider = provider_config(row.provider) if row else None
    if row is None or provider is None:
        return None
    db.delete(row)
    try:
        endpoint = metadata(provider).get("end_session_endpoint")
    except EidError:
        return None
    if not endpoint:
        return None
    try:
        id_token = _sealer().decrypt(row.id_token.encode()).decode()
    except InvalidToken:
        return None
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return str(
        requests.Request(
            "GET",
            endpoint,
            params={
                "id_token_hint": id_token,
                "post_logout_redirect_uri": base.rstrip("/") + "/",
                "client_id": provider.client_id,
            },
        )
        .prepare()
        .url
    )
