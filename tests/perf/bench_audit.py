"""Audit chain benchmark: what linking each row into the hash chain costs.

    .venv/bin/python -m tests.perf.bench_audit [--database-url URL] [--rows 2000] [--writers 4]

Commits `--rows` transactions of one audit row each through the writer
(chained: team kinds looked up, head locked, SHA-256) and the same number of
bare inserts of an identical row (no chain) on the same database, one writer
after the other, then again with `--writers` threads at once. Reports the
median and p99 per transaction and the difference, then reads the log back a
page of 100 at a time as the administrator's view does (names resolved) and
reports the time and SQL statements per page. Not a test: it asserts
nothing. Default database: a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections.abc import Callable

from sqlalchemy import event
from sqlmodel import Session, col, delete

from nattlys import clock, create_app
from nattlys.accounts.models import Role, User
from nattlys.audit import service, writer
from nattlys.audit.chain import verify
from nattlys.audit.models import AuditEntry
from nattlys.care_circles.models import Team, TeamKind, TeamMembership
from nattlys.cli import upgrade_database
from nattlys.db import get_engine


def _chained(db: Session, actor: User) -> None:
    writer.record(
        db,
        actor=actor,
        action="crisis_plan.read",
        object_type="crisis_plan",
        object_id=1,
        patient_id=actor.id,
        details={"version": 4, "sections_shown": ["meeting", "warning_signs"]},
    )
    db.commit()


def _bare(db: Session, actor: User) -> None:
    db.add(
        AuditEntry(
            at=clock.now(),
            actor_id=actor.id,
            actor_role="supporter",
            actor_team_kinds="bolig",
            action="crisis_plan.read",
            object_type="crisis_plan",
            object_id="1",
        )
    )
    db.commit()


def _run(app, actor_id: int, write: Callable[[Session, User], None], rows: int, writers: int) -> list[float]:
    timings: list[float] = []
    lock = threading.Lock()

    def worker(count: int) -> None:
        with app.app_context(), Session(get_engine(app), expire_on_commit=False) as db:
            actor = db.get_one(User, actor_id)
            db.commit()
            mine = []
            for _ in range(count):
                started = time.perf_counter()
                write(db, actor)
                mine.append(time.perf_counter() - started)
            with lock:
                timings.extend(mine)

    threads = [threading.Thread(target=worker, args=(rows // writers,)) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings


def _line(label: str, t: list[float]) -> str:
    t = sorted(t)
    p50, p99 = statistics.median(t) * 1000, t[int(len(t) * 0.99) - 1] * 1000
    return f"{label:<34} n={len(t):5d}  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--writers", type=int, default=4)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench-audit.db"
    upgrade_database(url)
    app = create_app(
        {"ENV": "testing", "DATABASE_URL": url, "SOCKETIO_ASYNC_MODE": "threading", "STARTUP_CHECKS": "off"}
    )
    with app.app_context(), Session(get_engine(app)) as db:
        user = User(username="bench-kari", display_name="Kari", role=Role.supporter)
        team = Team(name="Bolig bench", kind=TeamKind.bolig)
        db.add(user)
        db.add(team)
        db.flush()
        db.add(TeamMembership(team_id=team.id, user_id=user.id))
        db.commit()
        actor_id = user.id
    print(f"database: {url.split('@')[-1]}")
    for writers in (1, args.writers):
        with app.app_context():
            for label, fn in (("bare insert", _bare), ("chained (writer)", _chained)):
                _run(app, actor_id, fn, min(200, args.rows), writers)  # warm-up
                print(_line(f"{label}, {writers} writer(s)", _run(app, actor_id, fn, args.rows, writers)))
    with app.app_context(), Session(get_engine(app)) as db:
        db.exec(delete(AuditEntry).where(col(AuditEntry.chain_seq).is_(None)))
        db.commit()
        started = time.perf_counter()
        verdict = verify(db)
        print(
            f"verify: {verdict.rows} chained rows in {time.perf_counter() - started:.2f} s, intact={verdict.intact}"
        )

    _read_pages(app)


def _read_pages(app, pages: int = 50) -> None:
    """The administrator's view: newest first, a page of 100, names resolved."""
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    with app.app_context(), Session(get_engine(app)) as db:
        service.entries(db, limit=100)  # warm-up
        event.listen(db.get_bind(), "before_cursor_execute", count)
        timings = []
        for _ in range(pages):
            started = time.perf_counter()
            page = service.entries(db, limit=100)
            timings.append(time.perf_counter() - started)
            db.commit()
        event.remove(db.get_bind(), "before_cursor_execute", count)
    print(_line(f"read a page of {len(page)}", timings) + f"  {statements / pages:.1f} SQL per page")


if __name__ == "__main__":
    main()
