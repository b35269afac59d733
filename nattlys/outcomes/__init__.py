"""Outcome figures for administrators (is Nattlys helping?), and the "what
happened" record staff add after a red night."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from nattlys.outcomes.routes import bp

    app.register_blueprint(bp)
