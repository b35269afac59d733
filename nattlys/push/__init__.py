"""Web push: subscriptions, and sending without health content on the lock screen."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from nattlys.push import service
    from nattlys.push.routes import bp

    service.init_app(app)
    app.register_blueprint(bp)
