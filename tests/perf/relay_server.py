"""The bare baseline for the chat benchmark: Flask-SocketIO on gunicorn's gevent
worker, no auth, no database, no routing. A client joins a room by name and
`relay` emits the payload to the other room.

    gunicorn --worker-class gevent --workers 1 --bind 127.0.0.1:PORT tests.perf.relay_server:app
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_socketio import SocketIO, emit, join_room

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent", cors_allowed_origins=None)


@socketio.on("connect")
def connect(auth: Any = None) -> None:
    join_room(request.args.get("room", "none"))


@socketio.on("relay")
def relay(data: dict[str, Any]) -> dict[str, Any]:
    emit("message", data, to=data["to"])
    return {"ok": True}
