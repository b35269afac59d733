"""deploy/backup.sh writes an age-encrypted dump nobody on this machine can
read; deploy/restore.sh brings it back into an empty database with every
clinical row readable by the app again."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from nattlys.chat.models import Conversation, Message
from nattlys.checkins.models import Checkin
from nattlys.db import get_engine
from nattlys.plans.models import CrisisPlanProposal, CrisisPlanVersion
from tests.clinical_markers import MARKERS, write_clinical_markers

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is not installed (.ci/run installs it)")
        pytest.skip(f"needs {tool} (apt-get install {tool})")


def _run(argv: list[str], **env: str) -> str:
    done = subprocess.run(
        argv,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _postgres(url: Any, statement: str) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(statement))
    admin.dispose()


@pytest.fixture
def empty_target(app: Any, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """An empty database next to the test's own: (URL for restore.sh, SQLAlchemy URL)."""
    url = get_engine(app).url
    if url.get_backend_name() == "sqlite":
        target = tmp_path / "restored.db"
        yield f"sqlite:///{target}", url.set(database=str(target))
        return
    name = f"{url.database}_restore"
    _postgres(url, f'DROP DATABASE IF EXISTS "{name}"')
    _postgres(url, f'CREATE DATABASE "{name}"')
    restored = url.set(database=name)
    yield restored.set(drivername="postgresql").render_as_string(hide_password=False), restored
    _postgres(url, f'DROP DATABASE IF EXISTS "{name}"')


def test_an_encrypted_backup_restores_into_an_empty_database_with_the_marker_rows(
    app: Any, auth: Any, factories: Any, db: Any, tmp_path: Path, empty_target: tuple[str, Any]
) -> None:
    _need("age")
    url = get_engine(app).url
    _need("sqlite3" if url.get_backend_name() == "sqlite" else "pg_dump")
    write_clinical_markers(factories, auth, db)
    identity = tmp_path / "backup-identity.txt"
    _run(["age-keygen", "-o", str(identity)])
    recipients = tmp_path / "recipients.txt"
    recipients.write_text(_run(["age-keygen", "-y", str(identity)]))

    written = _run(
        [str(DEPLOY / "backup.sh")],
        DATABASE_URL=url.render_as_string(hide_password=False),
        BACKUP_AGE_RECIPIENTS=str(recipients),
        BACKUP_DIR=str(tmp_path / "backups"),
    ).strip()
    backup = Path(written)
    raw = backup.read_bytes()
    assert raw.startswith(b"age-encryption.org/v1")
    assert b"marker-stotte" not in raw, "even the plain columns are unreadable in the backup"
    assert backup.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in backup.parent.iterdir()] == [backup.name], "no plain or partial copy left"

    target, restored_url = empty_target
    _run([str(DEPLOY / "restore.sh"), str(backup), target], AGE_IDENTITY=str(identity))
    engine = create_engine(restored_url)
    try:
        with app.app_context(), Session(engine) as restored:
            found = {
                "chat": [m.body for m in restored.exec(select(Message)).all()],
                "plan": [v.content["warning_signs"] for v in restored.exec(select(CrisisPlanVersion)).all()],
                "plan_note": [v.note for v in restored.exec(select(CrisisPlanVersion)).all()],
                "proposal": [p.changes["self_help"] for p in restored.exec(select(CrisisPlanProposal)).all()],
                "proposal_note": [p.note for p in restored.exec(select(CrisisPlanProposal)).all()],
                "checkin_note": [c.note for c in restored.exec(select(Checkin)).all()],
                "handover": [c.handover_note for c in restored.exec(select(Conversation)).all()],
            }
        assert found == {
            "chat": [MARKERS["chat"]],
            "plan": [[MARKERS["plan"]]],
            "plan_note": [MARKERS["plan_note"]],
            "proposal": [[MARKERS["proposal"]]],
            "proposal_note": [MARKERS["proposal_note"]],
            "checkin_note": [MARKERS["checkin_note"]],
            "handover": [MARKERS["handover"]],
        }
    finally:
        engine.dispose()
    # Restoring over data is refused.
    refused = subprocess.run(
        [str(DEPLOY / "restore.sh"), str(backup), target],
        env={"PATH": os.environ["PATH"], "AGE_IDENTITY": str(identity)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2 and "restore:" in refused.stderr
