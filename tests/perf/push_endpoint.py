"""A local stand-in for a browser push service, for tests/perf/bench_reminders.py.

    .venv/bin/python -m tests.perf.push_endpoint PORT [DELAY_MS] [CERT_PEM KEY_PEM]

A gevent WSGI server on 127.0.0.1 (HTTP/1.1 keep-alive, any number of
concurrent connections) in its own process, so it runs on the other core.
Every POST is answered 201 and counted, with the TCP connection it came on
(so the benchmark can see whether connections were reused). The bodies of a
few subscriptions (paths ending in /push/<n> with n % 500 == 0) are kept so
the benchmark can decrypt them. GET /stats returns the counters as JSON
(timestamps are time.monotonic(), comparable across processes on Linux);
POST /reset clears them. DELAY_MS makes every push answer that much later
(the round trip to a real push service); with a certificate and key it
serves HTTPS, as real push services do.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
from gevent.pywsgi import WSGIServer  # noqa: E402

state: dict[str, Any] = {}
DELAY = int(sys.argv[2]) / 1000 if len(sys.argv) > 2 else 0.0


def reset() -> None:
    state.update(count=0, first=None, last=None, connections=set(), bodies={}, bad=0)


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    path = environ.get("PATH_INFO", "")
    method = environ["REQUEST_METHOD"]
    if method == "POST" and path.startswith("/push/"):
        body = environ["wsgi.input"].read()
        now = time.monotonic()
        if state["first"] is None:
            state["first"] = now
        state["last"] = now
        state["count"] += 1
        state["connections"].add(environ.get("REMOTE_PORT"))
        # A real push service insists on these.
        if not (
            body
            and environ.get("HTTP_AUTHORIZATION", "").startswith("vapid t=")
            and environ.get("HTTP_CONTENT_ENCODING") == "aes128gcm"
            and environ.get("HTTP_TTL")
        ):
            state["bad"] += 1
        n = path.rsplit("/", 1)[-1]
        if n.isdigit() and int(n) % 500 == 0:
            state["bodies"][n] = body.hex()
        if DELAY:
            gevent.sleep(DELAY)
        start_response("201 Created", [("Content-Length", "0")])
        return [b""]
    if path == "/stats":
        out = {**state, "connections": len(state["connections"])}
        data = json.dumps(out).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]
    if method == "POST" and path == "/reset":
        reset()
        start_response("204 No Content", [])
        return [b""]
    start_response("404 Not Found", [("Content-Length", "0")])
    return [b""]


def main() -> None:
    reset()
    tls = {"certfile": sys.argv[3], "keyfile": sys.argv[4]} if len(sys.argv) > 4 else {}
    server = WSGIServer(("127.0.0.1", int(sys.argv[1])), app, log=None, spawn=10000, **tls)
    server.serve_forever()


if __name__ == "__main__":
    main()
