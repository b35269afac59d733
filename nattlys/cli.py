"""The `nattlys` command: database, demo data and serving."""

from __future__ import annotations

import os
import sys
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from nattlys.audit.chain import verify
from nattlys.config import MIGRATIONS_ROOT
from nattlys.crypto.cli import keys_group
from nattlys.db import standalone_session
from nattlys.demo import DEFAULT_DEMO_PASSWORD, load_demo
from nattlys.push.vapid import generate


def alembic_config(database_url: str):
    from alembic.config import Config

    cfg = Config(str(MIGRATIONS_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS_ROOT))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade_database(database_url: str, *, wait_seconds: float = 0) -> None:
    """`alembic upgrade head`, retried until the database answers."""
    from alembic import command
    from sqlalchemy.exc import OperationalError

    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            command.upgrade(alembic_config(database_url), "head")
            return
        except OperationalError as exc:
            if time.monotonic() >= deadline:
                raise click.ClickException(f"database not reachable: {exc.orig}") from exc
            click.echo("database not reachable yet; retrying in 2 s", err=True)
            time.sleep(2)


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@click.option("--wait", default=0.0, help="Seconds to keep retrying while the database is down.")
@with_appcontext
def db_upgrade(wait: float) -> None:
    """Bring the schema to the newest migration."""
    upgrade_database(current_app.config["DATABASE_URL"], wait_seconds=wait)
    click.echo("database is at the newest schema")


@click.command("demo")
@click.option(
    "--password",
    envvar="NATTLYS_DEMO_PASSWORD",
    default=None,
    help="Password for every demo account (default: the local-only demo password).",
)
@with_appcontext
def demo_command(password: str | None) -> None:
    """Create (or refresh) the demo teams, users and care circles."""

    if password is None:
        if not current_app.config["SETTINGS"].is_development:
            raise click.ClickException("outside development, give --password or NATTLYS_DEMO_PASSWORD")
        password = DEFAULT_DEMO_PASSWORD
    summary = load_demo(password=password)
    click.echo(summary)


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def serve_command(host: str, port: int) -> None:
    """Serve HTTP and Socket.IO with gunicorn's gevent worker (one process)."""
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--worker-class",
        "gevent",
        "--workers",
        "1",
        "--bind",
        f"{host}:{port}",
        # The limits of deploy/gunicorn.conf.py (an installed package has no
        # deploy/ folder): gunicorn's default of 1,000 connections would leave
        # the 1,001st user with the app open hanging.
        "--worker-connections",
        os.environ.get("GUNICORN_WORKER_CONNECTIONS", "5000"),
        "--graceful-timeout",
        os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "10"),
        # Several instances run side by side (tests, the local cluster).
        "--no-control-socket",
        # The app logs each request as JSON with its route rule, never the raw
        # path (a calendar-feed URL holds its token).
        "nattlys.wsgi:app",
    ]
    os.execv(sys.executable, args)  # noqa: S606 - fixed argv, no shell


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the scheduled jobs (escalations, reminders) in this process only."""
    # A fresh interpreter, so gevent patches before the app is imported.
    os.execv(sys.executable, [sys.executable, "-m", "nattlys.scheduler_process"])  # noqa: S606 - fixed argv


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check the audit log's hash chain; name the first row that breaks it."""

    with standalone_session() as db:
        verdict = verify(db)
    if verdict.intact:
        click.echo(
            f"audit log intact: {verdict.rows} rows; head {verdict.head_seq} {verdict.head_hash}"
            " (keep this line somewhere else to check later that nothing before it changed)"
        )
        return
    where = (
        f"row id {verdict.broken_row_id} (chain position {verdict.broken_seq})"
        if verdict.broken_row_id is not None
        else "the end of the chain"
    )
    click.echo(
        f"audit log BROKEN at {where}: {verdict.problem}; {verdict.rows} rows before it are intact", err=True
    )
    sys.exit(1)


@click.group("vapid")
def vapid_group() -> None:
    """Web push (VAPID) keys."""


@vapid_group.command("generate")
@click.option(
    "--subject", default="mailto:drift@example.no", help="Who runs this server (mailto: or https:)."
)
def vapid_generate(subject: str) -> None:
    """Print a new VAPID key pair as lines for the environment file (never commit them)."""

    keys = generate()
    click.echo(f"VAPID_PUBLIC_KEY={keys.public_key}")
    click.echo(f"VAPID_PRIVATE_KEY={keys.private_key}")
    click.echo(f"VAPID_SUBJECT={subject}")


def init_app(app: Flask) -> None:
    app.cli.add_command(scheduler_command)
    app.cli.add_command(db_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(vapid_group)
    app.cli.add_command(keys_group)
    app.cli.add_command(audit_group)
