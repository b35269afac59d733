"""On-call rosters and "who is on duty now"."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from nattlys.rosters import snapshot
    from nattlys.rosters.routes import bp

    snapshot.init_app(app)
    app.register_blueprint(bp)
