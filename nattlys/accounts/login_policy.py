"""Which roles may still log in with a password (PASSWORD_LOGIN_ROLES): pilots
and the demo keep it; a service on national eID switches it off per role."""

from __future__ import annotations

from flask import current_app

from nattlys.accounts.models import User
from nattlys.api.errors import ApiError


def require_password_login(user: User) -> None:
    if user.role not in current_app.config["SETTINGS"].password_login_roles:
        raise ApiError(
            403,
            "password_login_off",
            "Log in with ID-porten, HelseID or a passkey; passwords are switched off for you.",
        )
