"""The one scheduler (APScheduler 3). In the single-machine default it runs
inside the server process (SCHEDULER=embedded); when scaled out it runs as its
own process (`nattlys scheduler`) and the web instances set SCHEDULER=off.
Every job is idempotent, so a restart or a stray second scheduler neither
skips nor doubles anything."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from flask import Flask

from nattlys import clock
from nattlys.db import get_db

log = logging.getLogger(__name__)
CHAT_TICK_SECONDS = 5
REMINDER_TICK_SECONDS = 60


def _in_app(app: Flask, job: Callable[[], Any], name: str) -> Callable[[], None]:
    def run() -> None:
        with app.app_context():
            try:
                job()
            except Exception:
                log.exception("scheduled job failed", extra={"job": name})

    return run


def chat_tick() -> None:
    from nattlys.alerts import escalation
    from nattlys.chat.tick import tick

    counts = tick(get_db(), at=clock.now())
    counts.update(escalation.tick(get_db(), at=clock.now()))
    if any(counts.values()):
        log.info("chat tick", extra=counts)


def checkin_reminders() -> None:
    from nattlys.checkins import reminders

    reminders.run(get_db(), at=clock.now())


def handoff_notices() -> None:
    from datetime import timedelta

    from flask import current_app

    from nattlys.rosters.shifts import send_handoff_notices

    db = get_db()
    notice = timedelta(minutes=current_app.config["HANDOFF_NOTICE_MINUTES"])
    sent = send_handoff_notices(db, at=clock.now(), notice=notice)
    db.commit()
    from nattlys.db import run_after_commit

    run_after_commit()
    if sent:
        log.info("handoff notices", extra={"sent": sent})


def privacy_deletions() -> None:
    from nattlys.privacy.deletion import carry_out_due

    erased = carry_out_due(get_db(), at=clock.now())
    if erased:
        log.info("deletion requests carried out", extra={"patients": erased})


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def add_jobs(app: Flask, scheduler: BaseScheduler) -> None:
    scheduler.add_job(
        _in_app(app, chat_tick, "chat.tick"),
        "interval",
        seconds=CHAT_TICK_SECONDS,
        id="chat.tick",
        replace_existing=True,
        next_run_time=_now(),  # first run at start-up, not one interval later
        coalesce=True,
        max_instances=1,
        misfire_grace_time=30,
    )
    # Every minute; each reminder step is recorded under a unique key, so a
    # restart or a second scheduler neither doubles nor skips one.
    scheduler.add_job(
        _in_app(app, checkin_reminders, "checkins.reminders"),
        "interval",
        seconds=REMINDER_TICK_SECONDS,
        id="checkins.reminders",
        replace_existing=True,
        next_run_time=_now(),  # first run at start-up, not one interval later
        coalesce=True,
        max_instances=1,
        misfire_grace_time=60,
    )
    scheduler.add_job(
        _in_app(app, handoff_notices, "rosters.handoff_notices"),
        "interval",
        seconds=60,
        id="rosters.handoff_notices",
        replace_existing=True,
        next_run_time=_now(),  # first run at start-up, not one interval later
        coalesce=True,
        max_instances=1,
        misfire_grace_time=60,
    )
    # Patients' deletion requests whose waiting period is over (days, so ten minutes late is fine).
    scheduler.add_job(
        _in_app(app, privacy_deletions, "privacy.deletions"),
        "interval",
        seconds=600,
        id="privacy.deletions",
        replace_existing=True,
        next_run_time=_now(),  # first run at start-up, not one interval later
        coalesce=True,
        max_instances=1,
        misfire_grace_time=600,
    )


def start_embedded(app: Flask) -> BaseScheduler:
    """Run the jobs inside this process: under gevent as greenlets."""
    from gevent.monkey import is_module_patched

    if is_module_patched("threading"):
        from apscheduler.schedulers.gevent import GeventScheduler

        scheduler: BaseScheduler = GeventScheduler(timezone="UTC")
    else:
        from apscheduler.schedulers.background import BackgroundScheduler

        scheduler = BackgroundScheduler(timezone="UTC", daemon=True)
    add_jobs(app, scheduler)
    scheduler.start()
    app.extensions["nattlys_scheduler"] = scheduler
    return scheduler


def run_forever(app: Flask) -> None:
    """`nattlys scheduler`: this process runs the jobs and nothing else."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone="UTC")
    add_jobs(app, scheduler)
    log.info("scheduler running")
    scheduler.start()
