"""Break-glass access (nødtilgang): a supporter in the care circle who is not
on duty opens the patient's check-ins for a short time, with a stated reason
that the patient sees at once and an administrator reviews."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from nattlys.break_glass.routes import bp

    app.register_blueprint(bp)
