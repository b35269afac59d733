"""Structured logs: one JSON line per request with the route rule, never secrets."""

from __future__ import annotations

import json
import logging
from typing import Any

from nattlys.observability import JsonFormatter


def test_request_log_names_the_route_not_the_path_with_its_token(app: Any, client: Any, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="nattlys.access")
    response = client.get("/calendar/very-secret-feed-token.ics")
    assert response.status_code == 404
    records = [r for r in caplog.records if r.name == "nattlys.access"]
    assert records and records[-1].rule == "/calendar/<token>.ics"
    line = JsonFormatter().format(records[-1])
    entry = json.loads(line)
    assert entry["status"] == 404 and entry["request_id"] == response.headers["X-Request-ID"]
    assert "very-secret-feed-token" not in line


def test_json_lines_drop_fields_that_are_not_whitelisted() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "chat tick", None, None)
    record.body = "Jeg har det vondt"  # e.g. a message text passed by mistake
    record.escalated = 2
    entry = json.loads(JsonFormatter().format(record))
    assert entry["escalated"] == 2 and "body" not in entry
