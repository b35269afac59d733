"""The bare baseline for tests/perf/bench_checkins.py: one Flask JSON POST
endpoint that validates a little and writes one row to SQLite (WAL, the same
pragmas as Nattlys), served like Nattlys (gunicorn, one gevent worker).

    BARE_DB=/tmp/x/bare.db .venv/bin/python -m gunicorn --worker-class gevent --workers 1 \\
        --bind 127.0.0.1:8001 tests.perf.bare_post_server:app
"""

from __future__ import annotations

import os
import sqlite3
import time

from flask import Flask, jsonify, request

app = Flask(__name__)
_db = sqlite3.connect(os.environ.get("BARE_DB", "bare.db"), check_same_thread=False, isolation_level=None)
_db.execute("PRAGMA journal_mode = WAL")
_db.execute("PRAGMA synchronous = NORMAL")
_db.execute(
    "CREATE TABLE IF NOT EXISTS checkins (id INTEGER PRIMARY KEY, key TEXT UNIQUE, at REAL, "
    "pressure INTEGER, mood INTEGER, sleep TEXT)"
)


@app.get("/healthz")
def healthz():
    return {"ok": True}


@app.post("/checkins")
def submit():
    data = request.get_json()
    if not isinstance(data, dict) or not isinstance(data.get("pressure"), int):
        return jsonify(error="invalid"), 400
    # sqlite3 never yields to gevent, so one shared connection is safe here.
    cur = _db.execute(
        "INSERT INTO checkins (key, at, pressure, mood, sleep) VALUES (?, ?, ?, ?, ?)",
        (data["idempotency_key"], time.time(), data["pressure"], data["mood"], data["sleep"]),
    )
    return jsonify(id=cur.lastrowid, level="green"), 201
