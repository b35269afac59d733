"""Nattlys: evening and night self-support. `create_app` is the app factory."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from nattlys.config import Settings, check_services


def create_app(config: dict[str, Any] | Settings | None = None) -> Flask:
    """Build the app. `config` overrides environment variables (tests pass a dict).
    A process built from its environment alone (gunicorn, `nattlys ...`) first
    checks that its database and Redis answer (STARTUP_CHECKS)."""
    settings = config if isinstance(config, Settings) else Settings.from_env(**(config or {}))
    if config is None and settings.STARTUP_CHECKS == "on" and settings.ENV != "testing":
        check_services(settings)

    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(settings.flask_config())
    app.config["SETTINGS"] = settings
    if settings.PROXY_COUNT:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to wrap the WSGI app
            app.wsgi_app,
            x_for=settings.PROXY_COUNT,
            x_proto=settings.PROXY_COUNT,
            x_host=settings.PROXY_COUNT,
        )

    from nattlys import (
        accounts,
        alerts,
        api,
        audit,
        break_glass,
        care_circles,
        chat,
        checkins,
        cli,
        clock,
        crypto,
        db,
        next_of_kin,
        observability,
        outcomes,
        plans,
        privacy,
        push,
        realtime,
        rosters,
        web,
    )

    if settings.CLOCK_START:
        clock.install(app, clock.running_from(datetime.fromisoformat(settings.CLOCK_START)))
    observability.init_app(app)
    if settings.METRICS_PORT:
        observability.serve_metrics(app, settings.METRICS_PORT)
    db.init_app(app)
    crypto.init_app(app)
    api.init_app(app)
    accounts.init_app(app)
    web.init_app(app)
    chat.init_app(app)  # before realtime: its socket events register on import
    realtime.init_app(app)
    for area in (rosters, push, care_circles, plans, audit, checkins, privacy, break_glass, alerts, outcomes):
        area.init_app(app)
    next_of_kin.init_app(app)
    cli.init_app(app)
    if settings.SCHEDULER == "embedded":
        from nattlys.scheduler import start_embedded

        start_embedded(app)
    return app
