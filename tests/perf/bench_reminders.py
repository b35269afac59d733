"""Evening burst benchmark: 2,000 patients due at 20:00, every reminder encrypted and POSTed.

    .venv/bin/python -m tests.perf.bench_reminders [--patients 2000] [--repeat 5] [--threads]
        [--variants shipped,resign,new-conn,workers=1,workers=16] [--tls] [--delay-ms 0]
        [--database-url URL]

2,000 patients with an evening check-in at 20:00 Europe/Oslo, each with one
push subscription (its own P-256 key pair and auth secret, made here, so the
encryption is real) pointing at tests/perf/push_endpoint.py: a gevent HTTP
server on 127.0.0.1 in its own process that answers 201 and counts. Real
VAPID keys from nattlys/push/vapid.py (what `nattlys vapid generate` prints).

Each run builds a fresh app (cold VAPID header cache, no open connections),
sets the app clock to 20:00:05 Oslo, clears the reminder records, and calls
the job exactly as the scheduler does (nattlys.scheduler._in_app around
checkin_reminders). Timed from that call until the endpoint has received the
last of the 2,000 POSTs. After the run a few bodies are decrypted with the
patients' private keys to prove they are real Web Push messages.

Variants switch one thing off, so each claim has its own number:
  shipped     as configured: VAPID header reused, one HTTP session, PUSH_WORKERS (64) senders
  resign      a new VAPID JWT signed for every push
  new-conn    no pool: a new TCP (and TLS) connection for every push
  workers=N   the bounded pool with N senders instead of PUSH_WORKERS

The process is monkey-patched by gevent, as `nattlys scheduler` and
`nattlys serve` (with the embedded scheduler) are: the senders are greenlets.
With --threads it is not, and the senders are threads.

Loopback flatters two things a real push service does not: --tls serves the
endpoint over HTTPS (a self-signed certificate made here, trusted through
REQUESTS_CA_BUNDLE), so a new connection costs a TLS handshake; --delay-ms
makes each answer that much later, like the round trip to a push service, so
the pool size matters.
Not a test: it asserts nothing.
"""

from __future__ import annotations

import sys

if "--threads" not in sys.argv:
    from gevent import monkey

    monkey.patch_all()

import argparse
import base64
import json
import os
import resource
import shutil
import socket
import ssl
import statistics
import subprocess
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import text

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DAY = datetime(2026, 3, 10, 20, 0, 5)  # a Tuesday, 20:00:05 local time
SAMPLE_EVERY = 500  # the endpoint keeps the bodies of /push/<n> with n % 500 == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_SSL: ssl.SSLContext | None = None


def self_signed(workdir: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, so the local push endpoint can speak HTTPS."""
    import ipaddress
    from datetime import timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = workdir / "cert.pem", workdir / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def endpoint_call(base: str, path: str, method: str = "GET") -> dict[str, Any]:
    req = urllib.request.Request(base + path, method=method, data=b"" if method == "POST" else None)  # noqa: S310
    with urllib.request.urlopen(req, timeout=10, context=_SSL) as resp:  # noqa: S310 - loopback
        body = resp.read()
    return json.loads(body) if body else {}


def wait_endpoint(base: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(100):
        try:
            endpoint_call(base, "/stats")
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("push endpoint exited") from None
            time.sleep(0.1)
    raise RuntimeError("push endpoint did not start")


def build(database_url: str, base: str, patients: int) -> dict[int, ec.EllipticCurvePrivateKey | bytes]:
    """Patients, their 20:00 schedules and one real push subscription each."""
    from nattlys import create_app
    from nattlys.accounts.models import Role, User
    from nattlys.checkins.models import CheckinSchedule
    from nattlys.cli import upgrade_database
    from nattlys.db import get_db
    from nattlys.push.models import PushSubscription

    upgrade_database(database_url)
    app = create_app(
        {"ENV": "testing", "DATABASE_URL": database_url, "SOCKETIO_ASYNC_MODE": "threading", "REDIS_URL": ""}
    )
    now = datetime.now(UTC)
    secrets: dict[int, Any] = {}
    with app.app_context():
        db = get_db()
        for n in range(patients):
            user = User(username=f"bench-p{n}", display_name=f"P{n}", role=Role.patient)
            db.add(user)
            db.flush()
            db.add(CheckinSchedule(patient_id=user.id, updated_at=now))  # 20:00, every day
            key = ec.generate_private_key(ec.SECP256R1())
            auth = os.urandom(16)
            public = key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
            db.add(
                PushSubscription(
                    user_id=user.id,
                    endpoint=f"{base}/push/{n}",
                    p256dh=b64(public),
                    auth=b64(auth),
                    created_at=now,
                )
            )
            if n % SAMPLE_EVERY == 0:
                secrets[n] = (key, auth)
        db.commit()
    app.extensions["nattlys_engine"].dispose()
    return secrets


def micro_costs(private_key: str) -> None:
    """What one push costs in CPU, piece by piece (best of 3 x 300)."""
    import requests
    from pywebpush import WebPusher

    from nattlys.push.vapid import HeaderCache

    cache = HeaderCache(private_key, "mailto:drift@example.no")
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    info = {
        "endpoint": "http://127.0.0.1:9/push/0",
        "keys": {"p256dh": b64(public), "auth": b64(os.urandom(16))},
    }
    payload = b'{"title": "Tid for kveldssjekk", "body": "\xc3\x85pne Nattlys", "tag": "checkin-evening"}'

    def best(fn: Any, n: int = 300) -> float:
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            for _ in range(n):
                fn()
            runs.append((time.perf_counter() - t) / n)
        return min(runs) * 1e3

    sign = best(
        lambda: cache._vapid.sign(
            {"aud": "http://127.0.0.1:9", "exp": int(time.time()) + 43200, "sub": "mailto:a@b.no"}
        )
    )
    reuse = best(lambda: cache.headers_for("http://127.0.0.1:9/push/0"))
    encrypt = best(lambda: WebPusher(info, requests_session=requests.Session()).encode(payload))
    print(
        f"CPU per push, one core: VAPID sign {sign:.3f} ms, cached header {reuse:.4f} ms, "
        f"ECDH + aes128gcm encryption {encrypt:.3f} ms"
    )


class NewConnectionEach:
    """A transport that keeps no connection: a new pool for every push."""

    def post(self, url: str, **kwargs: Any) -> Any:
        from nattlys.push.transport import PushTransport

        return PushTransport(connections=1).post(url, **kwargs)


def one_run(
    database_url: str, base: str, vapid: Any, variant: str, patients: int, gevent_mode: bool
) -> dict[str, Any]:
    from nattlys import clock, create_app, scheduler
    from nattlys.clock import OSLO
    from nattlys.push import vapid as vapid_module
    from nattlys.push.service import dispatcher

    # Without a workers=N variant the pool has the configured size (PUSH_WORKERS).
    workers = {"PUSH_WORKERS": int(variant.split("=", 1)[1])} if variant.startswith("workers=") else {}
    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": database_url,
            "SOCKETIO_ASYNC_MODE": "gevent" if gevent_mode else "threading",
            "REDIS_URL": "",
            "VAPID_PUBLIC_KEY": vapid.public_key,
            "VAPID_PRIVATE_KEY": vapid.private_key,
            "VAPID_SUBJECT": "mailto:drift@example.no",
            **workers,
        }
    )
    clock.install(app, clock.running_from(DAY.replace(tzinfo=OSLO)))
    engine = app.extensions["nattlys_engine"]
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM checkin_reminders"))
    push = dispatcher(app)
    saved_margin = vapid_module.REUSE_MARGIN_SECONDS
    if variant == "resign":
        # Never reuse: every header is older than "validity minus margin".
        vapid_module.REUSE_MARGIN_SECONDS = vapid_module.VALIDITY_SECONDS + 1
    if variant == "new-conn":
        push._start()
        push._http = NewConnectionEach()
    endpoint_call(base, "/reset", "POST")
    job = scheduler._in_app(app, scheduler.checkin_reminders, "checkins.reminders")
    cpu0, t0 = time.process_time(), time.monotonic()
    try:
        job()
        job_done = time.monotonic()
        push.drain(timeout=300)
        drained = time.monotonic()
    finally:
        vapid_module.REUSE_MARGIN_SECONDS = saved_margin
    cpu = time.process_time() - cpu0
    stats = endpoint_call(base, "/stats")
    for _ in range(100):
        if stats["count"] >= patients:
            break
        time.sleep(0.05)
        stats = endpoint_call(base, "/stats")
    engine.dispose()
    return {
        "variant": variant,
        "received": stats["count"],
        "bad": stats["bad"],
        "connections": stats["connections"],
        "job_s": job_done - t0,
        "all_in_s": (stats["last"] - t0) if stats["last"] else float("nan"),
        "drained_s": drained - t0,
        "cpu_s": cpu,
        "sent": push.counts.get("sent", 0),
        "failed": push.counts.get("failed", 0) + push.counts.get("timeout", 0),
        "signed": push._headers.signed if variant != "resign" else stats["count"],
        "bodies": stats["bodies"],
    }


def check_bodies(bodies: dict[str, str], secrets: dict[int, Any]) -> int:
    import http_ece

    ok = 0
    for n, hexbody in bodies.items():
        key, auth = secrets[int(n)]
        plain = http_ece.decrypt(
            bytes.fromhex(hexbody), private_key=key, auth_secret=auth, version="aes128gcm"
        )
        ok += json.loads(plain)["title"] == "Tid for kveldssjekk"
    return ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", action="store_true", help="no gevent: the senders are threads")
    parser.add_argument("--variants", default="shipped,resign,new-conn,workers=1,workers=16")
    parser.add_argument("--tls", action="store_true", help="the push endpoint speaks HTTPS")
    parser.add_argument("--delay-ms", type=int, default=0, help="the push endpoint answers this much later")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    from nattlys.push.vapid import generate

    global _SSL
    workdir = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
    database_url = args.database_url or f"sqlite:///{workdir}/bench.db"
    port = free_port()
    base = f"{'https' if args.tls else 'http'}://127.0.0.1:{port}"
    tls_args: list[str] = []
    if args.tls:
        cert, key = self_signed(workdir)
        os.environ["REQUESTS_CA_BUNDLE"] = str(cert)
        _SSL = ssl.create_default_context(cafile=str(cert))
        tls_args = [str(cert), str(key)]
    endpoint = subprocess.Popen(
        [sys.executable, "-m", "tests.perf.push_endpoint", str(port), str(args.delay_ms), *tls_args],
        cwd=PROJECT_ROOT,
        stdout=open(workdir / "endpoint.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_endpoint(base, endpoint)
        t = time.monotonic()
        secrets = build(database_url, base, args.patients)
        vapid = generate()
        print(
            f"{args.patients} patients due at 20:00 Oslo, one subscription each, built in "
            f"{time.monotonic() - t:.1f} s on {database_url.split(':')[0]}; "
            f"{'threads (not monkey-patched)' if args.threads else 'gevent (as in nattlys scheduler and serve)'}; "
            f"endpoint {base.split(':')[0]}, answers after {args.delay_ms} ms"
        )
        micro_costs(vapid.private_key)
        gevent_mode = not args.threads
        one_run(database_url, base, vapid, "shipped", args.patients, gevent_mode)  # warm-up, not reported
        variants = [v for v in args.variants.split(",") if v]
        results: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
        decrypted = 0
        for _ in range(args.repeat):
            for variant in variants:  # interleaved, so machine noise hits all alike
                r = one_run(database_url, base, vapid, variant, args.patients, gevent_mode)
                results[variant].append(r)
                decrypted += check_bodies(r["bodies"], secrets)
        print(
            f"{'variant':<10} {'all received (s)':>22} {'job DB part (s)':>18} {'CPU (s)':>8} "
            f"{'recv':>5} {'bad':>4} {'conns':>6} {'VAPID signs':>11}"
        )
        shipped_median = None
        for variant, runs in results.items():
            totals = [r["all_in_s"] for r in runs]
            med = statistics.median(totals)
            if variant == "shipped":
                shipped_median = med
            last = runs[-1]
            ratio = (
                f"  ({med / shipped_median:.2f}x shipped)" if shipped_median and variant != "shipped" else ""
            )
            print(
                f"{variant:<10} best {min(totals):5.2f} median {med:5.2f} "
                f"{statistics.median(r['job_s'] for r in runs):18.2f} "
                f"{statistics.median(r['cpu_s'] for r in runs):8.2f} "
                f"{last['received']:>5} {last['bad']:>4} {last['connections']:>6} {last['signed']:>11}{ratio}"
            )
        print(f"decrypted {decrypted} sampled bodies with the subscribers' keys: all 'Tid for kveldssjekk'")
        print(f"max RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    finally:
        os.killpg(endpoint.pid, 15)
        endpoint.wait(timeout=10)
        if not args.database_url:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
