"""plans area: the crisis plan, its versions, sharing and proposals."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from nattlys.plans.routes import bp

    app.register_blueprint(bp)
