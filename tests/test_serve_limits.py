"""`nattlys serve` (and so `make run`) runs gunicorn with the limits of
deploy/gunicorn.conf.py: one instance holds thousands of open apps, not
gunicorn's default of 1,000 connections."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from nattlys import cli


def test_serve_holds_at_least_2000_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GUNICORN_WORKER_CONNECTIONS", raising=False)
    started: list[list[str]] = []

    def execv(_path: str, args: list[str]) -> Any:
        started.append(list(args))

    monkeypatch.setattr(cli.os, "execv", execv)

    result = CliRunner().invoke(cli.serve_command, ["--port", "5999"])

    assert result.exit_code == 0, result.output
    (args,) = started
    assert "--worker-connections" in args
    assert int(args[args.index("--worker-connections") + 1]) >= 2000
