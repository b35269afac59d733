"""Check-ins by level for /metrics, read from the database at scrape time
(cluster-wide; levels only, never whose)."""

from __future__ import annotations

from datetime import datetime

from prometheus_client.core import CounterMetricFamily, Metric
from sqlmodel import Session, func, select

from nattlys.checkins.models import Checkin


def metrics(db: Session, at: datetime) -> list[Metric]:
    levels = CounterMetricFamily(
        "nattlys_checkins", "Check-ins by level (cluster-wide, from the database).", labels=["level"]
    )
    for level, count in sorted(db.exec(select(Checkin.level, func.count()).group_by(Checkin.level)).all()):
        levels.add_metric([str(level)], count)
    return [levels]
