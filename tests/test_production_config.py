"""Production start-up: a wrong DATABASE_URL, an unreachable Redis, missing
push keys or a default secret stop the process with one line that says what to
fix; the deploy files document every setting; /metrics carries no identifiers."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from nattlys.config import ConfigError, Settings, check_services
from nattlys.crypto import keys

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k3" + secrets.token_urlsafe(40)
# A syntactically valid pair is not needed: the check is that both are set.
PUSH = {"VAPID_PUBLIC_KEY": "pub", "VAPID_PRIVATE_KEY": "priv", "VAPID_SUBJECT": "mailto:drift@example.no"}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _production(tmp_path: Path, **env: str) -> dict[str, str]:
    return {
        "NATTLYS_ENV": "production",
        "SECRET_KEY": GOOD_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path}/nattlys.db",
        "STARTUP_WAIT_SECONDS": "0",
        "DATA_KEYS": keys.generate("t1"),
        **PUSH,
        **env,
    }


def _refusal(environ: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        check_services(Settings.from_env(environ=environ), sleep=lambda _s: None)
    message = str(caught.value)
    assert message and "\n" not in message, "start-up errors are one line"
    return message


def test_production_starts_with_everything_in_place(tmp_path: Path) -> None:
    check_services(Settings.from_env(environ=_production(tmp_path)))


def test_production_refuses_to_start_without_push_keys(tmp_path: Path) -> None:
    env = _production(tmp_path)
    for key in PUSH:
        env.pop(key)
    message = _refusal(env)
    assert "VAPID_PUBLIC_KEY" in message and "vapid generate" in message


def test_development_runs_without_push_keys(tmp_path: Path) -> None:
    check_services(
        Settings.from_env(
            environ={"NATTLYS_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
        )
    )


def test_a_sqlite_path_in_a_missing_directory_is_refused(tmp_path: Path) -> None:
    message = _refusal(_production(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/nowhere/nattlys.db"))
    assert message.startswith("DATABASE_URL:") and "nowhere" in message


def test_a_database_that_nobody_answers_is_refused(tmp_path: Path) -> None:
    port = _closed_port()
    message = _refusal(_production(tmp_path, DATABASE_URL=f"postgresql://nattlys@127.0.0.1:{port}/nattlys"))
    assert message.startswith("DATABASE_URL:") and f"127.0.0.1:{port}" in message


def test_a_refused_database_is_retried_while_it_starts(tmp_path: Path) -> None:
    port = _closed_port()
    waits: list[float] = []
    settings = Settings.from_env(
        environ=_production(
            tmp_path, DATABASE_URL=f"postgresql://n@127.0.0.1:{port}/n", STARTUP_WAIT_SECONDS="2"
        )
    )
    with pytest.raises(ConfigError):
        check_services(settings, sleep=lambda s: waits.append(s) or __import__("time").sleep(s))  # type: ignore[func-returns-value]  # called for its side effect
    assert waits, "a refused connection is retried until STARTUP_WAIT_SECONDS"


def test_an_unreachable_redis_is_refused(tmp_path: Path) -> None:
    message = _refusal(_production(tmp_path, REDIS_URL=f"redis://:hunter2@127.0.0.1:{_closed_port()}/0"))
    assert message.startswith("REDIS_URL:")
    assert "hunter2" not in message, "the password never reaches a log"


def test_a_redis_url_with_another_scheme_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="REDIS_URL"):
        Settings.from_env(environ=_production(tmp_path, REDIS_URL="http://127.0.0.1:6379"))


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_a_missing_postgresql_database_or_user_is_named(tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    from nattlys.config import normalise_database_url

    url = make_url(normalise_database_url(os.environ["TEST_DATABASE_URL"]))
    missing_db = url.set(database="nattlys_does_not_exist").render_as_string(hide_password=False)
    message = _refusal(_production(tmp_path, DATABASE_URL=missing_db))
    assert "nattlys_does_not_exist" in message and "does not exist" in message
    wrong_user = url.set(username="nattlys_no_such_role", password="x").render_as_string(hide_password=False)
    message = _refusal(_production(tmp_path, DATABASE_URL=wrong_user))
    assert "nattlys_no_such_role" in message


def _start(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        env={"PATH": os.environ.get("PATH", ""), **env},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _nattlys_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("nattlys:")]


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"SECRET_KEY": "changeme"}, "SECRET_KEY"),
        ({"VAPID_PUBLIC_KEY": "", "VAPID_PRIVATE_KEY": ""}, "VAPID_PUBLIC_KEY"),
        ({"REDIS_URL": "redis://127.0.0.1:1/0"}, "REDIS_URL"),
        ({"DATABASE_URL": "mysql://db/nattlys"}, "DATABASE_URL"),
    ],
)
def test_the_scheduler_process_refuses_with_one_line(
    tmp_path: Path, change: dict[str, str], names: str
) -> None:
    done = _start([sys.executable, "-m", "nattlys", "scheduler"], {**_production(tmp_path), **change})
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nattlys: ") and names in lines[0], done.stderr


def test_a_web_instance_refuses_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    env = {
        **_production(tmp_path, REDIS_URL="redis://127.0.0.1:1/0"),
        "NATTLYS_BIND": f"127.0.0.1:{_closed_port()}",
    }
    done = _start(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "nattlys.wsgi:app"], env
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = _nattlys_lines(done.stderr)
    assert len(lines) == 1 and "REDIS_URL" in lines[0], done.stderr


def test_the_environment_example_documents_every_setting() -> None:
    example = (PROJECT_ROOT / "deploy" / "nattlys.env.example").read_text()
    named = set(re.findall(r"^#?\s*(?:NATTLYS_)?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    missing = {f.name for f in fields(Settings) if f.name != "extra"} - named
    assert not missing, f"deploy/nattlys.env.example does not document {sorted(missing)}"


def test_the_example_secret_is_refused() -> None:
    example = (PROJECT_ROOT / "deploy" / "nattlys.env.example").read_text()
    secret = re.search(r"^SECRET_KEY=(.*)$", example, flags=re.MULTILINE)
    assert secret is not None
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Settings.from_env(environ={"NATTLYS_ENV": "production", "SECRET_KEY": secret.group(1)})


# --- health and metrics ----------------------------------------------------------------


def test_metrics_name_routes_states_and_levels_never_people(app: Any, client: Any, factories: Any) -> None:
    patient = factories.patient("metrics-patient", display_name="Mona Hemmelig")
    client.get("/healthz")
    client.get(f"/api/patients/{patient.id}/checkins")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    text = response.get_data(as_text=True)
    for name in (
        "nattlys_http_request_duration_seconds_bucket",
        "nattlys_socket_connections",
        "nattlys_push_messages",
        "nattlys_chat_conversations_waiting",
        "nattlys_chat_wait_seconds_max",
        "nattlys_chat_escalations_total",
        "nattlys_checkins",
        "nattlys_metrics_database_up 1.0",
    ):
        assert name in text, name
    assert 'rule="/healthz"' in text
    assert 'rule="/api/patients/<int:patient_id>/checkins"' in text, "the rule, never the path with the id"
    assert f"/patients/{patient.id}/" not in text
    assert "Mona" not in text and "metrics-patient" not in text


def test_metrics_count_waiting_conversations(app: Any, client: Any, factories: Any, clock: Any) -> None:
    from nattlys.chat.models import ConversationState

    conversation = factories.conversation(factories.patient())
    conversation.state = ConversationState.offered
    conversation.waiting_since = clock()
    factories.db.add(conversation)
    factories.db.commit()
    clock.advance(seconds=90)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'nattlys_chat_conversations_waiting{state="offered"} 1.0' in text
    assert 'nattlys_chat_conversations_waiting{state="unstaffed"} 0.0' in text
    wait = float(re.search(r"^nattlys_chat_wait_seconds_max (\S+)$", text, flags=re.MULTILINE).group(1))  # type: ignore[union-attr]  # the metric is there; None fails here
    assert 89 <= wait <= 95
