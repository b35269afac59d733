"""Teams, memberships and each patient's care circle (tiers, primary contacts, last resort)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from nattlys.care_circles.routes import bp

    app.register_blueprint(bp)
