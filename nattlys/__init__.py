"""Nattlys: evening and night self-support. `create_app` is the app factory."""

from __future__ import annotations

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

    from nattlys import clock, db, observability, realtime

    if settings.CLOCK_START:
        from datetime import datetime

        clock.install(app, clock.running_from(datetime.fromisoformat(settings.CLOCK_START)))
    from nattlys.accounts import passwords, sessions, throttle
    from nattlys.api import errors
    from nattlys.crypto import keys as data_keys
    from nattlys.web import security

    observability.init_app(app)
    if settings.METRICS_PORT:
        observability.serve_metrics(app, settings.METRICS_PORT)
    db.init_app(app)
    data_keys.init_app(app, settings.data_keys())
    errors.init_app(app)
    passwords.init_app(app)
    throttle.init_app(app)
    sessions.init_app(app)
    security.init_app(app)
    from nattlys import chat

    chat.init_app(app)
    realtime.init_app(app)

    from nattlys.chat import presence
    from nattlys.rosters import snapshot as roster_snapshot

    roster_snapshot.init_app(app)
    presence.init_app(app)
    from nattlys.push import service as push

    push.init_app(app)
    from nattlys.accounts.routes import bp as accounts_bp
    from nattlys.api.routes import bp as api_bp
    from nattlys.audit.routes import bp as audit_bp
    from nattlys.care_circles.routes import bp as care_circles_bp
    from nattlys.chat.routes import bp as chat_bp
    from nattlys.plans.routes import bp as plans_bp
    from nattlys.rosters.routes import bp as rosters_bp
    from nattlys.web.routes import bp as web_bp

    for blueprint in (api_bp, accounts_bp, care_circles_bp, rosters_bp, chat_bp, plans_bp, audit_bp, web_bp):
        app.register_blueprint(blueprint)
    from nattlys.checkins.routes import bp as checkins_bp
    from nattlys.push.routes import bp as push_bp

    app.register_blueprint(checkins_bp)
    app.register_blueprint(push_bp)
    from nattlys.privacy.routes import bp as privacy_bp

    app.register_blueprint(privacy_bp)
    from nattlys.break_glass.routes import bp as break_glass_bp

    app.register_blueprint(break_glass_bp)
    from nattlys.accounts.eid_routes import bp as eid_bp
    from nattlys.accounts.passkey_routes import bp as passkeys_bp

    app.register_blueprint(eid_bp)
    app.register_blueprint(passkeys_bp)
    from nattlys.alerts.routes import bp as alerts_bp

    app.register_blueprint(alerts_bp)
    from nattlys.outcomes.routes import bp as outcomes_bp

    app.register_blueprint(outcomes_bp)
    from nattlys import next_of_kin

    next_of_kin.init_app(app)

    from nattlys import cli

    cli.init_app(app)
    if settings.SCHEDULER == "embedded":
        from nattlys.scheduler import start_embedded

        start_embedded(app)
    return app
