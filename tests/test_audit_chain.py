"""The audit log is tamper-evident: every row is linked into a SHA-256 hash
chain at commit, `nattlys audit verify` walks it, and an edited, deleted or
cut-off row is named. Writers in parallel never fork the chain."""

# The `people` fixture of test_audit.py is imported; test arguments of that name use it.
# ruff: noqa: F811

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import text
from sqlmodel import Session, col, delete, select

from nattlys.accounts.models import User
from nattlys.audit import writer
from nattlys.audit.chain import GENESIS, link_hash, verify
from nattlys.audit.models import AuditEntry
from nattlys.care_circles.models import TeamKind, TeamMembership
from nattlys.db import standalone_session
from tests.scenes.audit import people  # noqa: F401  (the fixture, reused as is)
from tests.scenes.world import CareCircle


def _some_reads(auth: Any, people: CareCircle, times: int = 4) -> None:
    client = auth.client_for(people.kari.username)
    for _ in range(times):
        assert client.get(f"/api/patients/{people.patient.id}").status_code == 200


def _chain(db: Session) -> list[AuditEntry]:
    rows = list(
        db.exec(
            select(AuditEntry).order_by(col(AuditEntry.chain_seq)).execution_options(populate_existing=True)
        ).all()
    )
    db.commit()
    return rows


def test_every_row_is_linked_to_the_one_before(people: CareCircle, auth: Any, db: Session) -> None:
    _some_reads(auth, people)
    rows = _chain(db)
    assert len(rows) >= 4
    assert [r.chain_seq for r in rows] == list(range(1, len(rows) + 1))
    running = GENESIS
    for row in rows:
        assert row.prev_hash == running
        assert row.row_hash == link_hash(running, row)
        running = row.row_hash
    verdict = verify(db)
    assert verdict.intact, verdict
    assert (verdict.rows, verdict.head_seq, verdict.head_hash) == (len(rows), len(rows), running)


def test_an_edited_row_is_named(people: CareCircle, auth: Any, db: Session) -> None:
    _some_reads(auth, people)
    victim = _chain(db)[2]
    db.execute(text("UPDATE audit_entries SET actor_id = NULL WHERE id = :id"), params={"id": victim.id})
    db.commit()
    verdict = verify(db)
    assert not verdict.intact
    assert verdict.broken_row_id == victim.id
    assert verdict.rows == 2
    assert "changed after it was written" in (verdict.problem or "")


def test_an_edited_row_with_its_hash_recomputed_breaks_the_next_link(
    people: CareCircle, auth: Any, db: Session
) -> None:
    _some_reads(auth, people)
    rows = _chain(db)
    victim, after = rows[1], rows[2]
    victim.reason = "ingen grunn"
    victim.row_hash = link_hash(victim.prev_hash or "", victim)
    db.add(victim)
    db.commit()
    verdict = verify(db)
    assert verdict.broken_row_id == after.id
    assert "does not follow" in (verdict.problem or "")


def test_a_deleted_row_is_named(people: CareCircle, auth: Any, db: Session) -> None:
    _some_reads(auth, people)
    rows = _chain(db)
    db.exec(delete(AuditEntry).where(col(AuditEntry.id) == rows[1].id))
    db.commit()
    verdict = verify(db)
    assert verdict.broken_row_id == rows[2].id
    assert verdict.problem == "rows 2 to 2 of the chain are missing (deleted)"


def test_deleting_the_newest_rows_is_seen(people: CareCircle, auth: Any, db: Session) -> None:
    _some_reads(auth, people)
    rows = _chain(db)
    db.exec(delete(AuditEntry).where(col(AuditEntry.id) == rows[-1].id))
    db.commit()
    verdict = verify(db)
    assert not verdict.intact
    assert verdict.broken_row_id is None
    assert "rows were deleted" in (verdict.problem or "")


def test_the_verify_command_says_intact_or_names_the_first_broken_row(
    people: CareCircle, auth: Any, db: Session, runner: Any
) -> None:
    _some_reads(auth, people)
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("audit log intact: ")

    victim = _chain(db)[1]
    db.execute(text("UPDATE audit_entries SET reason = 'x' WHERE id = :id"), params={"id": victim.id})
    db.commit()
    bad = runner.invoke(args=["audit", "verify"])
    assert bad.exit_code == 1
    assert f"audit log BROKEN at row id {victim.id} (chain position 2)" in bad.output


def test_a_rolled_back_row_leaves_no_gap(people: CareCircle, app: Flask, db: Session) -> None:
    with app.app_context(), standalone_session(app) as session:
        kari = session.get(User, people.kari.id)
        writer.record(session, actor=kari, action="patient.read", object_type="patient", patient_id=1)
        session.rollback()
        writer.record(session, actor=kari, action="patient.read", object_type="patient", patient_id=2)
        session.commit()
    assert [r.chain_seq for r in _chain(db)] == [1]
    assert verify(db).intact


def test_a_row_written_in_a_savepoint_goes_with_it(people: CareCircle, app: Flask, db: Session) -> None:
    """A savepoint rolled back takes its rows; one released keeps them, and
    they are sealed when the transaction commits, not when the savepoint ends."""
    with app.app_context(), standalone_session(app) as session:
        kari = session.get(User, people.kari.id)
        writer.record(session, actor=kari, action="patient.read", object_type="patient", patient_id=1)
        try:
            with session.begin_nested():
                writer.record(session, actor=kari, action="patient.read", object_type="patient", patient_id=2)
                raise RuntimeError("the savepoint's work failed")
        except RuntimeError:
            pass
        with session.begin_nested():
            writer.record(session, actor=kari, action="patient.read", object_type="patient", patient_id=3)
        assert session.exec(select(AuditEntry)).all() == []
        session.commit()
    assert [(r.chain_seq, r.patient_id) for r in _chain(db)] == [(1, 1), (2, 3)]
    assert verify(db).intact


def test_parallel_writers_never_fork_the_chain(people: CareCircle, app: Flask, db: Session) -> None:
    """Each writer commits its rows while the others do; the head lock makes
    them queue, so the chain stays one line (a fork would repeat a position,
    which the unique chain_seq refuses, or break a link)."""
    threads, per_thread, failures = 6, 15, []
    start = threading.Barrier(threads)

    def write(n: int) -> None:
        try:
            with app.app_context(), standalone_session(app) as session:
                kari = session.get(User, people.kari.id)
                session.commit()
                start.wait()
                for i in range(per_thread):
                    writer.record(
                        session,
                        actor=kari,
                        action="patient.read",
                        object_type="patient",
                        object_id=f"{n}-{i}",
                    )
                    session.commit()
        except Exception as exc:  # reported below, with the thread's number
            failures.append((n, repr(exc)))

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert failures == []
    verdict = verify(db)
    assert verdict.intact, verdict
    assert verdict.rows == threads * per_thread


def test_the_actors_team_kinds_are_kept_as_they_were(
    people: CareCircle, auth: Any, db: Session, factories: Any
) -> None:
    kari, patient = people.kari, people.patient
    _some_reads(auth, people, times=1)
    db.exec(delete(TeamMembership).where(col(TeamMembership.user_id) == kari.id))
    factories.team(TeamKind.dps, members=[kari])
    db.commit()
    seen = auth.client_for(patient.username).get("/api/me/audit").json
    (read,) = [e for e in seen if e["action"] == "patient.read"]
    assert read["actor_team_kinds"] == ["bolig"]
    assert verify(db).intact


def test_rows_written_before_the_chain_are_linked_by_the_migration(tmp_path: Any) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    from nattlys.cli import alembic_config

    url = f"sqlite:///{tmp_path / 'before-chain.db'}"
    command.upgrade(alembic_config(url), "0006")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, username, display_name, role, is_active, created_at) VALUES (1, 'kari', 'Kari', 'supporter', 1, '2026-11-01 20:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO teams (id, name, kind, created_at) VALUES (1, 'Bolig', 'bolig', '2026-11-01 20:00:00')"
            )
        )
        conn.execute(text("INSERT INTO team_memberships (team_id, user_id) VALUES (1, 1)"))
        for n in range(3):
            conn.execute(
                text(
                    "INSERT INTO audit_entries (at, actor_id, actor_role, action, object_type, object_id)"
                    " VALUES (:at, 1, 'supporter', 'patient.read', 'patient', :n)"
                ),
                {"at": f"2026-11-0{n + 1} 21:00:00.000123", "n": str(n)},
            )
    command.upgrade(alembic_config(url), "head")
    with Session(engine) as db:
        verdict = verify(db)
        kinds = db.exec(select(AuditEntry.actor_team_kinds)).all()
    engine.dispose()
    assert verdict.intact, verdict
    assert verdict.rows == 3
    assert set(kinds) == {"bolig"}


# A row as it was written before rows carried details (migration 0019), and
# its hash under the chain code of that time: it must verify unchanged.
OLD_ROW = {
    "chain_seq": 7,
    "at": datetime(2026, 11, 3, 21, 40, 5, tzinfo=UTC),
    "actor_id": 12,
    "actor_role": "supporter",
    "actor_team_kinds": "bolig",
    "patient_id": 4,
    "action": "crisis_plan.read",
    "object_type": "crisis_plan",
    "object_id": "1",
    "request_id": "req-1",
    "reason": "version 4; sections shown: meeting, warning_signs",
    "to_team_kinds": "",
    "details": None,
}
OLD_ROW_HASH = "1b3b908f1ee947e2ff8241657d45a82ae3a41d39bc3350c75ee110735665cf81"


def test_rows_written_before_details_existed_hash_as_they_did() -> None:
    assert link_hash("ab" * 32, OLD_ROW) == OLD_ROW_HASH
    assert link_hash("ab" * 32, {**OLD_ROW, "details": {"version": 4}}) != OLD_ROW_HASH


def test_a_rows_details_are_part_of_its_hash(people: CareCircle, auth: Any, db: Session) -> None:
    client = auth.client_for(people.kari.username)
    assert client.get(f"/api/patients/{people.patient.id}/crisis-plan").status_code == 200
    (read,) = [r for r in _chain(db) if r.action == "crisis_plan.read"]
    assert read.details and "sections_shown" in read.details
    assert verify(db).intact
    for forged in ('{"version": 99, "sections_shown": []}', None):
        db.execute(
            text("UPDATE audit_entries SET details = :d WHERE id = :id"), params={"d": forged, "id": read.id}
        )
        db.commit()
        verdict = verify(db)
        assert verdict.broken_row_id == read.id, forged
        assert "changed after it was written" in (verdict.problem or "")
