"""Structured JSON logs with the request id, and Prometheus metrics.

Log lines carry only whitelisted fields: the route's rule (never the raw path,
which can hold a calendar-feed token), status, timing, job and event names and
counts. Request bodies, message text, passwords, tokens and health content are
never logged.

Metrics (GET /metrics on each web instance; METRICS_PORT for a process that
serves no HTTP, such as `nattlys scheduler`) carry no patient identifiers and
no content: labels are route rules, methods, status codes, conversation
states, check-in levels, routing actions and push outcomes only. Each process
exposes its own; there is no multiprocess directory to share:

- per process (sum over instances): request latency, connected sockets, push
  sends and failures;
- read from the database at scrape time, so the same cluster-wide value on
  every instance (take max, not sum): conversations waiting and their wait,
  escalations and other routing decisions, check-ins by level.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlmodel import Session

from nattlys import clock
from nattlys.config import ConfigError
from nattlys.db import get_db
from nattlys.realtime.connections import session_users

ALLOWED_EXTRA = (
    "request_id",
    "method",
    "rule",
    "status",
    "duration_ms",
    "job",
    "event",
    "reason",
    "escalated",
    "rerouted",
    "handed_over",
    "sent",
    "failed",
    "deleted",
    "deferred",
    "path",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if has_request_context() and "request_id" not in record.__dict__:
            entry["request_id"] = g.get("request_id")
        for key in ALLOWED_EXTRA:
            if key in record.__dict__:
                entry[key] = record.__dict__[key]
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root.handlers = [handler]
    root.setLevel(level)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("engineio").setLevel(logging.WARNING)
    logging.getLogger("socketio").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


_access = logging.getLogger("nattlys.access")
log = logging.getLogger(__name__)


# --- metrics ---------------------------------------------------------------------------

# Process-wide (tests build many apps in one process; a metric is made once).
_process_registry = CollectorRegistry(auto_describe=True)
REQUEST_LATENCY = Histogram(
    "nattlys_http_request_duration_seconds",
    "Time to answer an HTTP request, by route rule (never the raw path).",
    ["method", "rule", "status"],
    registry=_process_registry,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
_METRICS_KEY = "nattlys_metrics"
_FIGURES_KEY = "nattlys_database_figures"
# Families of metrics an area reads from the database: (session, now) -> families.
DatabaseFigures = Callable[[Session, datetime], list[Metric]]


class AppCollector:
    """Everything /metrics shows for one app: the process-wide request
    histogram, this process's sockets and pushes, and the cluster-wide values
    read from the database at scrape time."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Any:
        yield from _process_registry.collect()
        with self.app.app_context():
            yield from self._process_families()
            yield from self._database_families()

    def _process_families(self) -> Any:
        sockets = GaugeMetricFamily(
            "nattlys_socket_connections", "Authenticated Socket.IO connections on this process."
        )
        sockets.add_metric([], len(session_users))
        yield sockets
        push = current_app.extensions.get("nattlys_push")
        sent = CounterMetricFamily(
            "nattlys_push_messages",
            "Web push attempts by this process, by outcome (sent, failed, timeout, gone, deferred, "
            "no_subscription, disabled, error).",
            labels=["outcome"],
        )
        for outcome, count in sorted(dict(getattr(push, "counts", {})).items()):
            sent.add_metric([outcome], count)
        yield sent

    def _database_families(self) -> Any:
        up = GaugeMetricFamily("nattlys_metrics_database_up", "Whether the database answered this scrape.")
        try:
            db = get_db()
            now = clock.now()
            families = [family for figures in database_figures(self.app) for family in figures(db, now)]
            db.rollback()
        except Exception:
            log.warning("metrics: database query failed")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families


def add_database_figures(app: Flask, figures: DatabaseFigures) -> None:
    """An area's cluster-wide figures, read from the database at every scrape
    (each area adds its own in its init_app; this module knows no tables)."""
    app.extensions.setdefault(_FIGURES_KEY, []).append(figures)


def database_figures(app: Flask) -> list[DatabaseFigures]:
    return list(app.extensions.get(_FIGURES_KEY, []))


def metrics_registry(app: Flask) -> CollectorRegistry:
    return app.extensions[_METRICS_KEY]


def render_metrics(app: Flask) -> bytes:
    return generate_latest(metrics_registry(app))


def serve_metrics(app: Flask, port: int, host: str = "127.0.0.1") -> None:
    """Expose /metrics on a port of its own (the scheduler serves no HTTP)."""
    from prometheus_client import start_http_server

    try:
        start_http_server(port, addr=host, registry=metrics_registry(app))
    except OSError as exc:
        raise ConfigError(f"METRICS_PORT {port} cannot be used ({exc.strerror}); choose a free port") from exc


def init_app(app: Flask) -> None:
    if not app.testing:
        configure_logging()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AppCollector(app))
    app.extensions[_METRICS_KEY] = registry

    @app.before_request
    def _start_timer() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _log_request(response: Response) -> Response:
        started = g.get("started")
        rule = request.url_rule.rule if request.url_rule else "(no route)"
        elapsed = time.perf_counter() - started if started else None
        _access.info(
            "request",
            extra={
                "request_id": g.get("request_id"),
                "method": request.method,
                "rule": rule,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1) if elapsed is not None else None,
            },
        )
        if elapsed is not None:
            REQUEST_LATENCY.labels(request.method, rule, str(response.status_code)).observe(elapsed)
        return response
