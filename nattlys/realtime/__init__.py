"""Live connections: the Socket.IO server and its authenticated connections
(`connections.py`), and who has the app open (`presence.py`)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """After chat.init_app: the chat's socket events register on import."""
    from nattlys.realtime import connections, presence

    presence.init_app(app)
    connections.init_app(app)
