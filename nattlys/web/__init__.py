"""The request guards (request id, origin, CSRF, security headers) and the PWA's files."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from nattlys.web import security
    from nattlys.web.routes import bp

    security.init_app(app)
    app.register_blueprint(bp)
