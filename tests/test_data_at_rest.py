"""Clinical text is encrypted at rest: nothing readable in the database file,
its WAL or a dump; keys come from outside the database; rotation re-encrypts
while the service runs."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from nattlys.chat.models import Message
from nattlys.cli import upgrade_database
from nattlys.config import ConfigError, Settings
from nattlys.crypto import envelope, keys, rotate
from nattlys.db import get_engine
from nattlys.schema import metadata
from tests.clinical_markers import MARKERS, write_clinical_markers

NEW_KEY = keys.generate("k2")


def _is_sqlite(app: Any) -> bool:
    return get_engine(app).url.get_backend_name() == "sqlite"


def _stored_bytes(app: Any, tmp_path: Path) -> dict[str, bytes]:
    """What an attacker with the disk (SQLite: the file and its WAL, and a
    backup) or a database dump (PostgreSQL) reads."""
    url = get_engine(app).url
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        backup = tmp_path / "backup.db"
        with sqlite3.connect(path) as source, sqlite3.connect(backup) as target:
            source.backup(target)
        wal = path.with_name(path.name + "-wal")
        assert wal.exists() and wal.stat().st_size > 0, "the test should see a WAL with the new pages"
        return {"database file": path.read_bytes(), "WAL": wal.read_bytes(), "backup": backup.read_bytes()}
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    dump = subprocess.run(["pg_dump", "--no-owner", dsn], capture_output=True, check=True, timeout=60)
    return {"pg_dump": dump.stdout}


def test_no_clinical_marker_appears_in_the_database_file_wal_or_backup(
    app: Any, auth: Any, factories: Any, db: Any, tmp_path: Path
) -> None:
    write_clinical_markers(factories, auth, db)
    stored = _stored_bytes(app, tmp_path)
    # The test must read real data: user names are stored plain.
    assert b"marker-stotte" in b"".join(v for k, v in stored.items() if k != "backup")
    assert b"marker-stotte" in stored.get("backup", stored.get("pg_dump", b""))
    for where, raw in stored.items():
        for kind, marker in MARKERS.items():
            assert marker.encode() not in raw, f"{kind} readable in the {where}"


def test_the_app_reads_back_what_it_stored_and_the_row_holds_ciphertext(
    app: Any, auth: Any, factories: Any, db: Any
) -> None:
    patient = write_clinical_markers(factories, auth, db)
    conversation = auth.client_for(patient.username).get("/api/chat/conversation").json
    assert [m["body"] for m in conversation["messages"]] == [MARKERS["chat"]]
    raw = db.execute(text("SELECT body FROM messages")).scalar_one()
    db.commit()
    assert raw.startswith("nl1.dev.") and MARKERS["chat"] not in raw


def test_production_refuses_to_start_without_a_data_key(tmp_path: Path) -> None:
    production = {"NATTLYS_ENV": "production", "SECRET_KEY": "s" * 40}
    with pytest.raises(ConfigError, match="no data key"):
        Settings.from_env(environ=production)
    key_file = tmp_path / "data-keys"
    key_file.write_text(NEW_KEY + "\n")
    key_file.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        Settings.from_env(environ={**production, "DATA_KEY_FILE": str(key_file)})
    key_file.chmod(0o600)
    assert (
        Settings.from_env(environ={**production, "DATA_KEY_FILE": str(key_file)}).data_keys().current_id
        == "k2"
    )
    with pytest.raises(ConfigError, match="public development key"):
        Settings.from_env(environ={**production, "DATA_KEYS": keys.DEVELOPMENT_KEYS})
    with pytest.raises(ConfigError, match="32 bytes"):
        Settings.from_env(environ={**production, "DATA_KEYS": "k1:c2hvcnQ"})


def test_a_value_under_a_key_that_is_gone_or_altered_is_refused_not_guessed() -> None:
    ring = keys.parse(NEW_KEY, source="test")
    token = envelope.encrypt(ring, "hei")
    with pytest.raises(envelope.UndecryptableValue, match="no configured data key"):
        envelope.decrypt(keys.parse(keys.DEVELOPMENT_KEYS, source="dev"), token)
    altered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(envelope.UndecryptableValue, match="does not decrypt"):
        envelope.decrypt(ring, altered)


def test_rotate_moves_every_row_to_the_new_key_and_encrypts_old_plain_rows(
    make_app: Any, auth: Any, factories: Any, db: Any
) -> None:
    old = make_app()
    patient = write_clinical_markers(factories, auth, db)
    # A row from before encryption was switched on.
    db.execute(text("UPDATE messages SET body = 'eldre klartekst'"))
    db.commit()
    rotated = make_app(DATA_KEYS=f"{NEW_KEY},{keys.DEVELOPMENT_KEYS}")
    result = rotated.test_cli_runner().invoke(args=["keys", "rotate", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "nothing left under older keys (dev)" in result.output
    assert rotate.stale_rows(get_engine(rotated), keys.parse(NEW_KEY, source="t"), metadata) == {
        f"{t.name}.{c}": 0 for t, c in rotate.encrypted_columns(metadata)
    }
    raw = db.execute(text("SELECT body FROM messages")).scalar_one()
    db.commit()
    assert raw.startswith("nl1.k2.")
    # The new key alone now reads everything.
    only_new = make_app(DATA_KEYS=NEW_KEY)
    client = only_new.test_client()
    auth.login(client, patient.username)
    assert [m["body"] for m in client.get("/api/chat/conversation").json["messages"]] == ["eldre klartekst"]
    assert old is not None


def test_key_rotation_during_load_fails_no_request(
    make_app: Any, auth: Any, factories: Any, db: Any, clock: Any
) -> None:
    """Threads keep sending chat messages and reading the plan through the API
    while `nattlys keys rotate` re-encrypts; not one request fails."""
    app = make_app(DATA_KEYS=keys.DEVELOPMENT_KEYS)
    patients = [write_clinical_markers(factories, auth, db, username=f"last{i}") for i in range(3)]
    for i in range(60):  # enough old rows that rotation takes several batches
        db.add(
            Message(
                conversation_id=1,
                sender_id=patients[0].id,
                sender_role="patient",
                client_id=f"seed{i}",
                body=f"gammel melding {i}",
                created_at=clock(),
            )
        )
    db.commit()
    served = make_app(DATA_KEYS=f"{NEW_KEY},{keys.DEVELOPMENT_KEYS}", CHAT_MESSAGES_PER_MINUTE=10_000)
    failures: list[str] = []
    done = threading.Event()
    counts = {"requests": 0}

    def patient_load(username: str, plan_url: str) -> None:
        client = served.test_client()
        auth.login(client, username)
        while not done.is_set():
            sent = client.post(
                "/api/chat/messages", json={"client_id": uuid.uuid4().hex, "body": "under last"}
            )
            plan = client.get(plan_url)
            chat = client.get("/api/chat/conversation")
            for response in (sent, plan, chat):
                counts["requests"] += 1
                if response.status_code >= 400:
                    failures.append(
                        f"{response.request.path}: {response.status_code} {response.get_data()[:200]}"
                    )

    threads = [
        threading.Thread(target=patient_load, args=(p.username, f"/api/patients/{p.id}/crisis-plan"))
        for p in patients
    ]
    for t in threads:
        t.start()
    time.sleep(0.3)
    result = served.test_cli_runner().invoke(args=["keys", "rotate", "--batch-size", "10", "--pause", "0.02"])
    time.sleep(0.3)
    done.set()
    for t in threads:
        t.join(timeout=10)
    assert result.exit_code == 0, result.output
    rewritten = int(result.output.split(" rows under key 'k2'")[0].rsplit("\n", 1)[-1])
    assert rewritten >= 60, result.output
    assert failures == [], failures[:5]
    assert counts["requests"] > 30
    assert app is not None


def test_the_instance_folder_and_database_file_are_private(tmp_path: Path) -> None:
    from nattlys.db import make_engine

    folder = tmp_path / "instance"
    upgrade_database(f"sqlite:///{folder}/nattlys.db")
    engine = make_engine(f"sqlite:///{folder}/nattlys.db")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO rate_counters (key, window_start, count) VALUES ('x', '2026-01-01', 1)"
        )
        assert (folder / "nattlys.db-wal").exists()
        modes = {p.name: p.stat().st_mode & 0o777 for p in folder.iterdir()}
    engine.dispose()
    assert folder.stat().st_mode & 0o777 == 0o700
    assert modes == {"nattlys.db": 0o600, "nattlys.db-wal": 0o600, "nattlys.db-shm": 0o600}


def test_an_existing_database_file_readable_by_others_is_narrowed(tmp_path: Path) -> None:
    from nattlys.db import make_engine

    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    make_engine(f"sqlite:///{path}").dispose()
    assert path.stat().st_mode & 0o777 == 0o600
