"""Next of kin the patient includes: consent, invitation, shared plan, worry signal."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.next_of_kin.routes import bp

    app.register_blueprint(bp)
