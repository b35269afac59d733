"""Accounts: users, passwords, logins (password, national eID, passkeys, second factor),
sessions and invitations."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from nattlys.accounts import passwords, sessions, throttle
    from nattlys.accounts.eid_routes import bp as eid_bp
    from nattlys.accounts.passkey_routes import bp as passkeys_bp
    from nattlys.accounts.routes import bp

    passwords.init_app(app)
    throttle.init_app(app)
    sessions.init_app(app)
    for blueprint in (bp, eid_bp, passkeys_bp):
        app.register_blueprint(blueprint)
