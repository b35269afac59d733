"""The access log: the one writer, its hash chain, and who has seen my data."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from nattlys.audit.routes import bp

    app.register_blueprint(bp)
