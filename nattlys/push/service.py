"""Web push: subscriptions, and sending off the request path.

A push never says anything clinical: the payload is one of a few fixed,
discreet texts (a lock screen may show it). `queue` runs after the caller's
unit of work commits; the dispatcher then loads the users' subscriptions and
POSTs each encrypted message from a bounded worker pool (greenlets under
gevent, threads otherwise), reusing connections and the signed VAPID header.

Answers from push services: 2xx sent; 404/410 the subscription is gone and is
deleted; 429 the subscription is skipped until Retry-After, and the message is
tried once more then if that is soon (at most a minute, and within its TTL); a
5xx, a timeout or a refused connection is tried again after 0.5 s and 1 s and
then given up; any other answer (a redirect too: it is never followed) is given up
at once. What is given up is logged
(status and host only, never the payload) and counted once. Nothing here ever
raises into a job or a request.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from sqlmodel import Session, col, delete, select, update

from nattlys import catalogues, clock
from nattlys.db import after_commit, standalone_session
from nattlys.push.models import PushSubscription
from nattlys.push.transport import PushTransport, is_timeout
from nattlys.push.vapid import HeaderCache

log = logging.getLogger(__name__)
_KEY = "nattlys_push"

# Every text a push may carry is a key of the catalogues' `push` section, shown in
# the language each device asked for. Nothing else can be sent, so nothing clinical can.
TITLES = catalogues.keys(catalogues.DEFAULT_LANGUAGE, "push.titles")
BODIES = catalogues.keys(catalogues.DEFAULT_LANGUAGE, "push.bodies") | {""}
URGENCIES = ("very-low", "low", "normal", "high")
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
DEFAULT_RETRY_AFTER = timedelta(seconds=60)


@dataclass(frozen=True)
class PushMessage:
    title: str
    tag: str  # the notification tag: a newer one replaces an older one
    url: str  # where a tap opens the app (a hash route)
    ttl: int  # seconds: dropped by the push service if not delivered by then
    urgency: str = "normal"
    body: str = "open_app"

    def __post_init__(self) -> None:
        if self.title not in TITLES or self.body not in BODIES:
            raise ValueError("push texts must be one of the fixed, non-clinical texts")
        if self.urgency not in URGENCIES:
            raise ValueError("unknown push urgency")
        if not self.url.startswith("/") or self.ttl < 0:
            raise ValueError("push url must be app-relative and ttl non-negative")

    def payload(self, language: str) -> bytes:
        data = {
            "title": catalogues.text(language, f"push.titles.{self.title}"),
            "body": catalogues.text(language, f"push.bodies.{self.body}") if self.body else "",
            "tag": self.tag,
            "url": self.url,
        }
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


# --- subscriptions ---------------------------------------------------------------------


def usable_subscriptions(db: Session, user_ids: Iterable[int], *, at: datetime) -> list[PushSubscription]:
    ids = sorted(set(user_ids))
    if not ids:
        return []
    rows = db.exec(select(PushSubscription).where(col(PushSubscription.user_id).in_(ids))).all()
    return [s for s in rows if s.retry_after is None or s.retry_after <= at]


def users_with_push(db: Session, user_ids: Iterable[int], *, at: datetime) -> set[int]:
    """Which of these users can be reached by push now (push on, a usable subscription)."""
    if not dispatcher().enabled:
        return set()
    return {s.user_id for s in usable_subscriptions(db, user_ids, at=at)}


def queue(user_ids: Iterable[int], message: PushMessage) -> None:
    """Send `message` to every subscription of these users once the current
    unit of work has committed (dropped on rollback)."""
    ids = sorted(set(user_ids))
    if not ids:
        return
    push = dispatcher()
    after_commit(lambda: push.submit(ids, message))


# --- sending ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    id: int
    user_id: int
    endpoint: str
    p256dh: str
    auth: str
    language: str


def _retry_after(value: str | None, now: datetime) -> datetime:
    if value:
        value = value.strip()
        if value.isdigit():
            return now + timedelta(seconds=min(int(value), 86400))
        try:
            return max(now, parsedate_to_datetime(value))
        except (TypeError, ValueError):
            pass
    return now + DEFAULT_RETRY_AFTER


class _Batch:
    """The tasks of one submit(), with a callback once all are finished
    (sent, given up or dropped): a task's follow-ups (fan-out to sends, retries)
    join before the task itself leaves, so the count only reaches zero once."""

    def __init__(self, on_done: Callable[[], None]) -> None:
        self.on_done = on_done
        self.open = 0
        self.lock = threading.Lock()

    def join(self) -> None:
        with self.lock:
            self.open += 1

    def leave(self) -> None:
        with self.lock:
            self.open -= 1
            finished = self.open == 0
        if finished:
            self.on_done()


class PushDispatcher:
    # Attempts for a push service that fails (5xx, timeout, connection error),
    # the first retry after `retry_backoff` seconds, each next one twice as late.
    max_attempts = 3
    retry_backoff = 0.5
    # A 429's Retry-After up to this many seconds is waited out in memory.
    max_retry_after = 60.0

    def __init__(self, app: Flask) -> None:
        settings = app.config["SETTINGS"]
        self.app = app
        self.public_key: str = settings.VAPID_PUBLIC_KEY
        self.enabled = bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)
        self.timeout = settings.PUSH_TIMEOUT_MS / 1000
        self.workers = max(1, settings.PUSH_WORKERS)
        self.counts: Counter[str] = Counter()
        # What was queued (user id, message): fixed non-clinical texts only.
        self.history: deque[tuple[int, PushMessage]] = deque(maxlen=5000)
        self._headers: Any = None
        if self.enabled:
            self._headers = HeaderCache(
                settings.VAPID_PRIVATE_KEY, settings.VAPID_SUBJECT or "mailto:drift@nattlys.invalid"
            )
        self._lock = threading.Condition()
        self._pending = 0
        self._spawn: Callable[..., Any] | None = None
        self._spawn_loader: Callable[..., Any] | None = None
        self._later: Callable[..., Any] | None = None
        self._http: Any = None

    # The pool and the connections are made on first use, in the process
    # that sends (gunicorn forks after create_app).
    def _start(self) -> None:
        if self._spawn is not None:
            return
        from gevent.monkey import is_module_patched

        self._http = PushTransport(connections=self.workers)
        if is_module_patched("threading"):
            import gevent
            from gevent.pool import Pool

            pool = Pool(self.workers)
            self._spawn_loader = gevent.spawn
            self._spawn = pool.spawn
            self._later = gevent.spawn_later
        else:
            from concurrent.futures import ThreadPoolExecutor

            loader = ThreadPoolExecutor(max_workers=2, thread_name_prefix="push-load")
            senders = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="push")
            self._spawn_loader = loader.submit
            self._spawn = senders.submit

            def later(delay: float, fn: Callable[..., Any], *args: Any) -> None:
                timer = threading.Timer(delay, fn, args=args)
                timer.daemon = True
                timer.start()

            self._later = later

    def _track(
        self,
        fn: Callable[..., None],
        *args: Any,
        loader: bool = False,
        delay: float = 0,
        batch: _Batch | None = None,
    ) -> None:
        with self._lock:
            self._pending += 1
        if batch is not None:
            batch.join()

        def run() -> None:
            try:
                with self.app.app_context():
                    fn(*args, batch=batch)
                    if batch is not None:
                        batch.leave()
            except Exception:
                self.counts["error"] += 1
                log.exception("push task failed")
            finally:
                with self._lock:
                    self._pending -= 1
                    self._lock.notify_all()

        self._start()
        # Loading subscriptions runs beside the bounded pool of senders, so a
        # burst of fan-outs can never fill the pool and wait on itself.
        spawn = self._spawn_loader if loader else self._spawn
        assert spawn is not None and self._later is not None  # set by _start()
        if delay > 0:
            # A retry waits on a timer, not in the bounded pool of senders.
            self._later(delay, spawn, run)
        else:
            spawn(run)

    def submit(
        self, user_ids: list[int], message: PushMessage, *, on_done: Callable[[], None] | None = None
    ) -> None:
        """Send `message` to every push subscription of these users, in the
        background. `on_done` runs (in an app context) once every send has
        been made, given up or dropped; a task that crashed leaves it uncalled."""
        for user_id in user_ids:
            self.history.append((user_id, message))
        if not self.enabled:
            self.counts["disabled"] += len(user_ids)
            if on_done is not None:
                on_done()
            return
        batch = _Batch(on_done) if on_done is not None else None
        self._track(self._fan_out, user_ids, message, loader=True, batch=batch)

    def drain(self, timeout: float = 30) -> bool:
        """Wait until everything queued so far has been sent (tests, shutdown)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout=timeout)

    def _fan_out(self, user_ids: list[int], message: PushMessage, *, batch: _Batch | None = None) -> None:
        with standalone_session(self.app) as db:
            subs = usable_subscriptions(db, user_ids, at=clock.now())
            targets = [_Target(s.id, s.user_id, s.endpoint, s.p256dh, s.auth, s.language) for s in subs]
            db.commit()
        if not targets:
            self.counts["no_subscription"] += len(user_ids)
        payloads = {language: message.payload(language) for language in {t.language for t in targets}}
        for target in targets:
            self._track(self._send_one, target, message, payloads[target.language], batch=batch)

    def _send_one(
        self,
        target: _Target,
        message: PushMessage,
        payload: bytes,
        attempt: int = 1,
        after_429: bool = False,
        *,
        batch: _Batch | None = None,
    ) -> None:
        from pywebpush import WebPusher

        if (attempt > 1 or after_429) and not self._still_subscribed(target):
            self.counts["dropped"] += 1  # unsubscribed (or moved) since the first attempt
            return
        headers = dict(self._headers.headers_for(target.endpoint))
        headers["Urgency"] = message.urgency
        if _TOPIC.match(message.tag):
            headers["Topic"] = message.tag
        info = {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
        host = urlsplit(target.endpoint).netloc
        try:
            response = WebPusher(info, requests_session=self._http).send(
                payload, headers=headers, ttl=message.ttl, timeout=self.timeout
            )
        except Exception as exc:
            kind = "timeout" if is_timeout(exc) else "failed"
            if self._retry(target, message, payload, attempt, after_429, batch):
                return
            self.counts[kind] += 1
            log.warning("push not sent", extra={"outcome": kind, "host": host, "error": type(exc).__name__})
            self._record_failure(target.id)
            return
        status = response.status_code
        if status in (200, 201, 202):
            self.counts["sent"] += 1
        elif status in (404, 410):
            self.counts["gone"] += 1
            log.info("push subscription gone; deleted", extra={"host": host, "status": status})
            self._delete(target.id)
        elif status == 429:
            self.counts["deferred"] += 1
            now = clock.now()
            until = _retry_after(response.headers.get("Retry-After"), now)
            log.warning("push service asked us to wait", extra={"host": host, "until": until.isoformat()})
            self._defer(target.id, until)
            wait = (until - now).total_seconds()
            if not after_429 and wait <= min(self.max_retry_after, message.ttl):
                self.counts["retried"] += 1
                self._track(self._send_one, target, message, payload, attempt, True, delay=wait, batch=batch)
        else:
            if status >= 500 and self._retry(target, message, payload, attempt, after_429, batch):
                return
            self.counts["failed"] += 1
            log.warning("push not sent", extra={"outcome": "failed", "host": host, "status": status})
            self._record_failure(target.id)

    def _retry(
        self,
        target: _Target,
        message: PushMessage,
        payload: bytes,
        attempt: int,
        after_429: bool,
        batch: _Batch | None,
    ) -> bool:
        if attempt >= self.max_attempts:
            return False
        self.counts["retried"] += 1
        delay = self.retry_backoff * 2 ** (attempt - 1)
        self._track(
            self._send_one, target, message, payload, attempt + 1, after_429, delay=delay, batch=batch
        )
        return True

    def _still_subscribed(self, target: _Target) -> bool:
        with standalone_session(self.app) as db:
            sub = db.get(PushSubscription, target.id)
            db.commit()
            return sub is not None and sub.user_id == target.user_id and sub.endpoint == target.endpoint

    def _delete(self, sub_id: int) -> None:
        with standalone_session(self.app) as db:
            db.exec(delete(PushSubscription).where(col(PushSubscription.id) == sub_id))
            db.commit()

    def _defer(self, sub_id: int, until: datetime) -> None:
        with standalone_session(self.app) as db:
            sub = db.get(PushSubscription, sub_id)
            if sub is not None:
                sub.retry_after = until
                db.add(sub)
            db.commit()

    def _record_failure(self, sub_id: int) -> None:
        # One UPDATE: two sends failing at once must both be counted.
        with standalone_session(self.app) as db:
            db.exec(
                update(PushSubscription)
                .where(col(PushSubscription.id) == sub_id)
                .values(failures=col(PushSubscription.failures) + 1)
            )
            db.commit()

    def stats(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "pending": self._pending, **dict(self.counts)}


def init_app(app: Flask) -> None:
    app.extensions[_KEY] = PushDispatcher(app)


def dispatcher(app: Flask | None = None) -> PushDispatcher:
    return (app or current_app).extensions[_KEY]
