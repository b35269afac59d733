"""Socket.IO: one server instance, bound in create_app; connections authenticate
with the same server-side session as HTTP, and the origin must be our own."""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from flask import Flask, current_app, g, has_request_context, request
from flask_socketio import SocketIO, join_room
from sqlmodel import Session

from nattlys import clock
from nattlys.accounts import sessions
from nattlys.accounts.auth_events import ACCOUNT_EVENT, account_event
from nattlys.api.json_limits import SocketJson
from nattlys.config import origin_list
from nattlys.db import after_commit, app_object, get_db, standalone_session
from nattlys.realtime.presence import presence
from nattlys.web.security import origin_allowed as _allowed

socketio = SocketIO()
# Which user each of this process's Socket.IO connections belongs to.
session_users: dict[str, int] = {}
# Which server-side session (its digest) each of them was opened with.
socket_sessions: dict[str, str] = {}
_sweeper_started = False
log = logging.getLogger(__name__)


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def current_socket() -> str | None:
    """The Socket.IO connection whose event is being handled; None in an HTTP request."""
    return getattr(request, "sid", None) if has_request_context() else None


def notify_on_commit(event: str, payload: Any, user_ids: Iterable[int], *, skip_sender: bool = False) -> None:
    """The one door for live events: to every device of these users once the
    unit of work has committed, never for what a rollback undid. With
    `skip_sender`, not to the socket whose event this is (its acknowledgement
    carries the same)."""
    rooms = [user_room(u) for u in sorted(set(user_ids))]
    skip = current_socket() if skip_sender else None
    if rooms:
        after_commit(lambda: socketio.emit(event, payload, to=rooms, skip_sid=skip))


def origin_allowed(origin: str | None) -> bool:
    return _allowed(origin)


def event_channel(database_url: str) -> str:
    """The Redis pub/sub channel for Socket.IO events. Pub/sub ignores Redis
    database numbers, so two deployments (or test runs) sharing one Redis
    would see each other's events on the default channel; the instances of one
    deployment share a database, so the channel is named after it."""
    from sqlalchemy.engine import make_url

    address = make_url(database_url).render_as_string(hide_password=True)
    return "nattlys-" + hashlib.sha256(address.encode()).hexdigest()[:16]


def init_app(app: Flask) -> None:
    # Several web instances share events through Redis; tests may turn it off.
    message_queue = app.config.get("SOCKETIO_MESSAGE_QUEUE", app.config.get("REDIS_URL")) or None
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=message_queue,
        channel=event_channel(app.config["DATABASE_URL"]),
        # The origin is checked in the connect handler against the request's
        # own host (or the configured list); never a wildcard.
        cors_allowed_origins=origin_list(app.config["ALLOWED_ORIGINS"]) or None,
        manage_session=False,
        ping_interval=20,
        ping_timeout=20,
        max_http_buffer_size=64 * 1024,
        json=SocketJson,
    )
    sessions.sessions_ended.connect(_drop_ended)
    account_event.connect(_tell_devices)


def _drop_ended(user_id: int, *, session_id: str | None) -> None:
    drop_sockets(user_id, session_id=session_id)


def _tell_devices(user_id: int, *, action: str) -> None:
    socketio.emit(ACCOUNT_EVENT, {"action": action}, to=user_room(user_id))


def authenticate_socket() -> Any:
    """The user behind this socket event, re-read from the session every time,
    so a disabled user or an ended session is refused at once."""
    token = sessions.presented_token()
    if not token:
        return None
    found = sessions.resolve_session(get_db(), token, at=clock.now())
    if found is None:
        return None
    if g.get("session_touched"):
        get_db().commit()
    auth_session, user = found
    g.user = user
    g.socket_session_id = auth_session.id
    return user


def _sid() -> str:
    """This socket's id: Flask-SocketIO sets `request.sid`, which Flask's Request
    type does not declare."""
    sid: str = cast(Any, request).sid
    return sid


@socketio.on("connect")
def on_connect(auth: Any = None) -> bool:
    if not origin_allowed(request.headers.get("Origin")):
        return False
    user = authenticate_socket()
    if user is None:
        return False
    join_room(user_room(user.id))

    presence().connected(user.id)
    _make_room_in_session(g.socket_session_id, current_app.config["SOCKETS_PER_SESSION"])
    session_users[_sid()] = user.id
    socket_sessions[_sid()] = g.socket_session_id
    _start_sweeper_once(app_object())
    return True


def _make_room_in_session(session_id: str, cap: int) -> None:
    """At most `cap` sockets per login session on this process: a new one
    closes the session's oldest, rather than being refused, so a phone that
    reconnects often on a poor line is never the one left without live chat."""
    held = [sid for sid, sess in list(socket_sessions.items()) if sess == session_id]
    for sid in held[: max(0, len(held) - cap + 1)]:
        socketio.server.disconnect(sid, namespace="/")


def drop_sockets(user_id: int, *, session_id: str | None = None) -> None:
    """Stop live events to sockets whose session has ended: those of one
    session, or (session_id None) all of the user's. Every event handler
    re-checks the session anyway; this is about what the server pushes.

    Sockets on this process are disconnected. For all of a user's sockets the
    user's room is also closed on every process (through the message queue), so
    a socket held on another process receives nothing more either."""
    doomed = [
        sid
        for sid, uid in list(session_users.items())
        if uid == user_id and (session_id is None or socket_sessions.get(sid) == session_id)
    ]
    for sid in doomed:
        socketio.server.disconnect(sid, namespace="/")
    if session_id is None:
        socketio.close_room(user_room(user_id))


def sweep_ended_sessions(db: Session, *, at: datetime) -> int:
    """Disconnect this process's sockets whose session has ended since they
    connected: expired while idle, logged out on another process, or the user
    disabled. Events re-check the session anyway; this stops what the server
    pushes (chat messages, alerts) to a socket nobody is logged in on any more.
    Returns how many sockets were disconnected."""
    by_session: dict[str, list[str]] = defaultdict(list)
    for sid, session_id in list(socket_sessions.items()):
        by_session[session_id].append(sid)
    if not by_session:
        return 0
    live = sessions.live_session_ids(db, list(by_session), at=at)
    ended = [sid for session_id, sids in by_session.items() if session_id not in live for sid in sids]
    for sid in ended:
        socketio.server.disconnect(sid, namespace="/")
    return len(ended)


def _sweep_forever(app: Flask, interval: float) -> None:
    while True:
        socketio.sleep(interval)
        try:
            with app.app_context(), standalone_session(app) as db:
                dropped = sweep_ended_sessions(db, at=clock.now())
            if dropped:
                log.info("sockets of ended sessions disconnected", extra={"sockets": dropped})
        except Exception:  # the sweep must outlive a database hiccup
            log.exception("socket session sweep failed")


def _start_sweeper_once(app: Flask) -> None:
    global _sweeper_started
    interval = app.config["SOCKET_SESSION_SWEEP_SECONDS"]
    if _sweeper_started or interval <= 0:
        return
    _sweeper_started = True
    socketio.start_background_task(_sweep_forever, app, interval)


@socketio.on("disconnect")
def on_disconnect(*_args: Any) -> None:
    user_id = session_users.pop(_sid(), None)
    socket_sessions.pop(_sid(), None)
    if user_id is not None:
        presence().disconnected(user_id)
