"""Secure chat routed by the roster."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Call before realtime.init_app: the socket events register their handlers
    on import, so every app built in this process (tests build many) gets them."""
    import nattlys.chat.events  # noqa: F401
    from nattlys import observability
    from nattlys.care_circles.service import supporters_left
    from nattlys.chat import figures
    from nattlys.chat.departures import release_chats
    from nattlys.chat.routes import bp

    supporters_left.connect(release_chats)
    observability.add_database_figures(app, figures.metrics)
    app.register_blueprint(bp)
