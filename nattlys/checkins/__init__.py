"""Evening and night check-ins, their reminders, and alerts on red."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from nattlys import observability
    from nattlys.checkins import figures
    from nattlys.checkins.routes import bp

    observability.add_database_figures(app, figures.metrics)
    app.register_blueprint(bp)
