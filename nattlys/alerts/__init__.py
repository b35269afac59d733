"""Alerts that keep moving until a person answers, and the log of every time a
patient was alone or waited without an answer."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from nattlys.alerts.routes import bp

    app.register_blueprint(bp)
