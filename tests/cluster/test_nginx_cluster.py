"""The local cluster (deploy/local_cluster.py, `make cluster`) driven through nginx:
two web instances behind the production locations and sticky rule, one
scheduler, PostgreSQL and Redis.

Sticky sessions are keyed on the session cookie (deploy/nginx/nattlys-maps.conf),
not on the client address: every test client is 127.0.0.1, and so are phones
behind one mobile NAT. That makes the instance steerable here: a new login is a
new cookie, and the loopback config reports which instance answered
(X-Nattlys-Upstream), so a test logs in until the patient and the supporter sit
on different instances, and then talks only through nginx.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import requests

from tests.cluster.clients import connect, drain, login, login_on, metric, send, upstream_port, wait_for
from tests.cluster.conftest import CLOCK_START, _free_port


def test_nginx_serves_the_pwa_with_the_production_cache_rules(nginx_cluster: Any) -> None:
    base = nginx_cluster.url
    page = requests.get(base + "/", timeout=10)
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert page.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert requests.get(base + "/sw.js", timeout=10).headers["Cache-Control"] == "no-cache"
    vendor = requests.get(base + "/vendor/socket.io.esm.min.js", timeout=10)
    assert vendor.status_code == 200
    assert "max-age=604800" in vendor.headers["Cache-Control"]
    api = requests.get(base + "/api/openapi.json", timeout=10)
    assert api.headers["Cache-Control"] == "no-store"
    assert requests.get(base + "/metrics", timeout=10).status_code == 404, "metrics only per instance"
    too_big = requests.post(base + "/api/auth/login", data=b"x" * (2 * 1024 * 1024), timeout=10)
    assert too_big.status_code == 413
    ready = requests.get(base + "/readyz", timeout=10).json()
    assert ready["checks"] == {"database": "ok", "redis": "ok"}
    module = requests.get(base + "/app/chat/chat-ui.js", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert module.headers.get("Content-Encoding") == "gzip", "text assets go compressed"
    assert "Content-Encoding" not in api.headers, "the API is never compressed (BREACH)"


def test_one_session_hammering_the_api_is_slowed_by_nginx_and_no_other_session_is(nginx_cluster: Any) -> None:
    api = nginx_cluster.url + "/api/auth/session"
    hammer = requests.Session()
    hammer.cookies.set("nattlys_session", "hammer-" + uuid.uuid4().hex)
    with ThreadPoolExecutor(max_workers=16) as pool:  # well above 20 a second, however busy the machine
        statuses = list(pool.map(lambda _: hammer.get(api, timeout=10).status_code, range(240)))
    assert 429 in statuses
    assert statuses.count(401) >= 100, "a burst of 100 is let through"
    other = requests.get(api, cookies={"nattlys_session": "other-" + uuid.uuid4().hex}, timeout=10)
    assert other.status_code == 401, "another session keeps its own budget"


def test_patient_and_supporter_on_different_instances_talk_through_nginx(nginx_cluster: Any) -> None:
    base = nginx_cluster.url
    kari_http, kari_port = login_on(base, "bolig1")
    patient_http, patient_port = login_on(base, "pasient1", not_port=kari_port)
    assert {patient_port, kari_port} == set(nginx_cluster.web_ports)
    patient, patient_events = connect(base, patient_http)
    kari, kari_events = connect(base, kari_http)
    try:
        send(patient, "Hei via nginx")
        message = wait_for(kari_events, "chat:message", lambda d: d["body"] == "Hei via nginx")
        send(kari, "Jeg er her.", conversation_id=message["conversation_id"])
        got = wait_for(patient_events, "chat:message", lambda d: d["body"] == "Jeg er her.")
        assert got["sender_name"] == "Kari"
    finally:
        patient.disconnect()
        kari.disconnect()


def test_an_escalation_by_the_scheduler_process_reaches_a_supporters_socket(nginx_cluster: Any) -> None:
    """The scheduler serves no sockets: its chat.tick escalation reaches Kari's
    socket on a web instance through the Redis message queue."""
    base = nginx_cluster.url
    patient_http, _ = login_on(base, "pasient3")
    kari_http, kari_port = login_on(base, "bolig1")
    patient, patient_events = connect(base, patient_http)
    kari, kari_events = connect(base, kari_http)
    ingrid, ingrid_events = connect(base, login(base, "kommune1"))
    try:
        sent = send(patient, "Er det noen der?")
        conversation_id = sent["conversation_id"]
        wait_for(kari_events, "chat:offer", lambda d: d["conversation_id"] == conversation_id)
        drain(kari_events)
        # The scheduler's clock runs 15 minutes ahead of the web instances', so
        # the 3-minute offer deadline has passed at its first tick (5 s).
        ahead = datetime.fromisoformat(CLOCK_START) + timedelta(minutes=15)
        metrics_port = _free_port()
        nginx_cluster.start_scheduler(CLOCK_START=ahead.isoformat(), METRICS_PORT=str(metrics_port))
        # Kari's offer is withdrawn and tier 1 (the kommune team: Ingrid on
        # duty) is offered it; both events come from the scheduler process.
        wait_for(kari_events, "chat:withdrawn", lambda d: d["conversation_id"] == conversation_id, 30)
        offer = wait_for(ingrid_events, "chat:offer", lambda d: d["conversation_id"] == conversation_id)
        assert offer["tier"] == 1
        # The scheduler's own metrics endpoint, and a web instance's: the
        # escalation (cluster-wide, from the database) and this instance's sockets.
        scheduler_metrics = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
        assert metric(scheduler_metrics, "nattlys_chat_escalations_total") >= 1
        # (Kari's instance: it holds at least her socket.)
        web_metrics = requests.get(nginx_cluster.web_url(kari_port) + "/metrics", timeout=10).text
        assert metric(web_metrics, "nattlys_chat_escalations_total") >= 1
        assert metric(web_metrics, "nattlys_socket_connections") >= 1
        wait_for(patient_events, "chat:status", timeout=10)
    finally:
        nginx_cluster.stop_scheduler()
        for client in (patient, kari, ingrid):
            client.disconnect()


def test_a_missed_checkin_alert_by_the_scheduler_process_reaches_the_on_duty_supporters_socket(
    nginx_cluster: Any,
) -> None:
    """Pasient2 moves her evening check-in to 19:30 and asks that the supporter
    on duty be told when she misses it (the missed step, 120 minutes later:
    21:30). The scheduler process takes that step and its alert reaches Kari's
    socket on a web instance through Redis. Only the first tier with anyone on
    duty (bolig, until 22:00) is told: Ingrid in the kommune tier is not."""
    base = nginx_cluster.url
    patient_http = login(base, "pasient2")
    patient_id = patient_http.get(f"{base}/api/auth/session", timeout=10).json()["user"]["id"]
    changed = patient_http.put(
        f"{base}/api/patients/{patient_id}/checkin-schedule",
        json={"evening_time": "19:30", "after_missed": "tell_on_duty"},
        timeout=10,
    )
    assert changed.status_code == 200, changed.text
    kari, kari_events = connect(base, login(base, "bolig1"))
    ingrid, ingrid_events = connect(base, login(base, "kommune1"))
    try:
        nginx_cluster.start_scheduler(METRICS_PORT=str(_free_port()))
        alert = wait_for(
            kari_events,
            "checkin:alert",
            lambda d: d["patient_id"] == patient_id and d["reason"] == "missed",
            timeout=30,
        )
        assert alert["level"] is None and "note" not in alert, "a missed check-in carries no answers"
        time.sleep(1)  # time for a wrongly addressed alert to arrive
        stray = [data for name, data in list(ingrid_events.queue) if name == "checkin:alert"]
        assert stray == [], "only the first tier with someone on duty is told"
    finally:
        nginx_cluster.stop_scheduler()
        kari.disconnect()
        ingrid.disconnect()


def test_killing_an_instance_moves_its_clients_to_the_other_with_no_message_lost(nginx_cluster: Any) -> None:
    base = nginx_cluster.url
    kari_http, survivor = login_on(base, "bolig1")
    patient_http, doomed = login_on(base, "pasient1", not_port=survivor)
    patient, patient_events = connect(base, patient_http, reconnection=True)
    kari, kari_events = connect(base, kari_http, reconnection=True)
    try:
        first_id = uuid.uuid4().hex
        before = send(patient, "Før stopp", client_id=first_id)
        conversation_id = before["conversation_id"]
        wait_for(kari_events, "chat:message", lambda d: d["body"] == "Før stopp")
        drain(patient_events)

        nginx_cluster.stop_web(doomed, kill=True)
        # While the patient is away: Kari's reply cannot reach a live socket.
        missed = send(kari, "Mens du var borte", conversation_id=conversation_id)

        wait_for(patient_events, "connect", timeout=20)
        assert upstream_port(base, patient_http) == survivor
        # The outbox resends the first message (its ack was "lost"): stored once.
        again = send(patient, "Før stopp", client_id=first_id)
        assert again["id"] == before["id"]
        after = send(patient, "Etter stopp")
        wait_for(kari_events, "chat:message", lambda d: d["body"] == "Etter stopp")
        reply = send(kari, "Fikk den", conversation_id=conversation_id)
        wait_for(patient_events, "chat:message", lambda d: d["body"] == "Fikk den")

        synced = patient.call("chat:sync", {"after_id": before["id"] - 1}, timeout=10)
        assert "ok" in synced, synced
        ids = [m["id"] for m in synced["ok"]["messages"]]
        assert ids == sorted(set(ids)), "each message once, in order"
        assert {before["id"], missed["id"], after["id"], reply["id"]} <= set(ids)
        assert ids.count(before["id"]) == 1
    finally:
        patient.disconnect()
        kari.disconnect()
        nginx_cluster.start_web(doomed)


def test_the_production_site_passes_nginx_t(tmp_path: Any) -> None:
    """deploy/nginx/nattlys.conf with its snippets, a throwaway certificate and
    local paths: nginx accepts it."""
    import shutil
    import subprocess

    from tests.cluster.conftest import PROJECT_ROOT, load_local_cluster

    nginx = load_local_cluster().find_nginx()
    if nginx is None or shutil.which("openssl") is None:
        import pytest

        pytest.skip("needs nginx and openssl")
    deploy = PROJECT_ROOT / "deploy" / "nginx"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=nattlys.example.no",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    site = (
        (deploy / "nattlys.conf")
        .read_text()
        .replace("/etc/nginx/snippets/", f"{deploy}/")
        .replace("/etc/letsencrypt/live/nattlys.example.no/fullchain.pem", str(tmp_path / "cert.pem"))
        .replace("/etc/letsencrypt/live/nattlys.example.no/privkey.pem", str(tmp_path / "key.pem"))
        .replace("/var/log/nginx/", f"{tmp_path}/")
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ include {tmp_path}/site.conf; }}\n"
    )
    done = subprocess.run(
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
