"""The one scheduler (APScheduler 3). In the single-machine default it runs
inside the server process (SCHEDULER=embedded); when scaled out it runs as its
own process (`nattlys scheduler`) and the web instances set SCHEDULER=off.
Every job is idempotent, so a restart or a stray second scheduler neither
skips nor doubles anything."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from flask import Flask, current_app

from nattlys import clock
from nattlys.alerts import escalation
from nattlys.chat.tick import tick
from nattlys.checkins import reminders
from nattlys.db import get_db, unit_of_work
from nattlys.privacy.deletion import carry_out_due
from nattlys.rosters.shifts import send_handoff_notices

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
    counts = tick(get_db(), at=clock.now())
    counts.update(escalation.tick(get_db(), at=clock.now()))
    if any(counts.values()):
        log.info("chat tick", extra=counts)


def checkin_reminders() -> None:
    reminders.run(get_db(), at=clock.now())


def handoff_notices() -> None:
    notice = timedelta(minutes=current_app.config["HANDOFF_NOTICE_MINUTES"])
    with unit_of_work(get_db()) as db:
        sent = send_handoff_notices(db, at=clock.now(), notice=notice)
    if sent:
        log.info("handoff notices", extra={"sent": sent})


def privacy_deletions() -> None:
    erased = carry_out_due(get_db(), at=clock.now())
    if erased:
        log.info("deletion requests carried out", extra={"patients": erased})


# Each job: its id, how often it runs (seconds) and how late a run may still
# start (seconds). Every job first runs at start-up, not one interval later;
# runs it missed are done once, and never two at once.
JOBS: tuple[tuple[Callable[[], None], str, int, int], ...] = (
    (chat_tick, "chat.tick", CHAT_TICK_SECONDS, 30),
    # Each reminder step is recorded under a unique key, so a restart or a
    # second scheduler neither doubles nor skips one.
    (checkin_reminders, "checkins.reminders", REMINDER_TICK_SECONDS, 60),
    (handoff_notices, "rosters.handoff_notices", 60, 60),
    # Deletion requests whose waiting period is over (days, so ten minutes late is fine).
    (privacy_deletions, "privacy.deletions", 600, 600),
)


def add_jobs(app: Flask, scheduler: BaseScheduler) -> None:
    for job, job_id, seconds, grace in JOBS:
        scheduler.add_job(
            _in_app(app, job, job_id),
            "interval",
            seconds=seconds,
            id=job_id,
            replace_existing=True,
            next_run_time=datetime.now(UTC),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=grace,
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
    """`nattlys scheduler` (nattlys/scheduler_process.py, patched by gevent):
    this process runs the jobs and nothing else."""
    from apscheduler.schedulers.gevent import GeventScheduler

    scheduler = GeventScheduler(timezone="UTC")
    add_jobs(app, scheduler)
    log.info("scheduler running")
    scheduler.start().join()
