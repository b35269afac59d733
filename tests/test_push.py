"""Web push: VAPID keys, subscriptions, and sending to a real (local) push
endpoint that answers 201, 404, 410, 429, 500 or hangs."""

# The `push_server` fixture is imported by name; test arguments of that name use it.
# ruff: noqa: F811

from __future__ import annotations

import base64
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import func, select

from nattlys.push import service as push
from nattlys.push.models import PushSubscription
from tests.push_double import (
    KEYS,
    VAPID,
    Browser,
    PushServer,
    b64,
    push_server,  # noqa: F401  (the fixture)
    subscribe,
)


@pytest.fixture
def app(make_app: Any) -> Any:
    return make_app(**VAPID)


def count_subscriptions(db: Any) -> int:
    n = db.exec(select(func.count()).select_from(PushSubscription)).one()
    db.commit()
    return n


MESSAGE = push.PushMessage(title="new_message", tag="chat", url="/#/chat", ttl=600, urgency="high")


def test_vapid_generate_prints_keys_for_the_env_file(runner: Any) -> None:
    result = runner.invoke(args=["vapid", "generate", "--subject", "mailto:drift@example.no"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split("=", 1) for line in result.output.strip().splitlines())
    assert set(lines) == {"VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT"}
    assert len(base64.urlsafe_b64decode(lines["VAPID_PUBLIC_KEY"] + "==")) == 65


def test_public_key_is_served_and_push_is_off_without_keys(auth: Any, factories: Any, make_app: Any) -> None:
    factories.patient("mona")
    on = auth.client_for("mona").get("/api/push/key").json
    assert on == {"enabled": True, "public_key": KEYS.public_key}
    off_app = make_app()  # development without keys
    off = off_app.test_client()
    auth.login(off, "mona")
    assert off.get("/api/push/key").json == {"enabled": False, "public_key": None}


@pytest.mark.parametrize(
    ("endpoint", "keys", "field"),
    [
        ("http://push.example.net/x", None, "endpoint"),
        ("ftp://push.example.net/x", None, "endpoint"),
        ("https://push.example.net/x", {"p256dh": "not-a-key", "auth": "AAECAwQFBgcICQoLDA0ODw"}, "p256dh"),
        (
            "https://push.example.net/x",
            {"p256dh": b64(b"\x04" + b"\x01" * 64), "auth": b64(b"x" * 5)},
            "auth",
        ),
    ],
)
def test_malformed_subscriptions_are_refused_and_nothing_stored(
    auth: Any, factories: Any, db: Any, endpoint: str, keys: Any, field: str
) -> None:
    factories.patient("mona")
    client = auth.client_for("mona")
    response = client.post(
        "/api/push/subscriptions", json={"endpoint": endpoint, "keys": keys or Browser().keys()}
    )
    assert response.status_code == 400
    assert field in response.json["fields"][0]["loc"]
    missing = client.post("/api/push/subscriptions", json={"endpoint": "https://push.example.net/x"})
    assert missing.status_code == 400
    assert count_subscriptions(db) == 0


def test_subscribe_again_moves_the_browser_and_delete_forgets_it(auth: Any, factories: Any, db: Any) -> None:
    factories.patient("mona")
    factories.patient("per")
    browser = Browser()
    endpoint = "https://push.example.net/send/abc"
    assert subscribe(auth.client_for("mona"), endpoint, browser).status_code == 201
    per = auth.client_for("per")
    assert subscribe(per, endpoint, browser).status_code == 201
    assert count_subscriptions(db) == 1
    owner = db.exec(select(PushSubscription.user_id)).one()
    db.commit()
    assert owner == factories.db.exec(select(PushSubscription.user_id)).one()
    factories.db.commit()
    assert per.delete("/api/push/subscriptions", json={"endpoint": endpoint}).status_code == 204
    assert count_subscriptions(db) == 0


def test_push_outcomes_never_crash_and_are_handled(
    app: Any, auth: Any, factories: Any, db: Any, clock: Any, push_server: PushServer
) -> None:
    users = {
        mode: factories.patient(f"p-{mode}")
        for mode in ("ok", "gone404", "gone410", "slow429", "fail500", "hang")
    }
    browsers = {}
    for mode, user in users.items():
        browsers[mode] = Browser()
        assert (
            subscribe(auth.client_for(user.username), push_server.url(mode), browsers[mode]).status_code
            == 201
        )
    dispatcher = push.dispatcher(app)
    started = time.monotonic()
    dispatcher.submit([u.id for u in users.values()], MESSAGE)
    assert dispatcher.drain(timeout=10)
    assert time.monotonic() - started < 5  # the hanging one timed out
    assert dispatcher.counts["sent"] == 1
    assert dispatcher.counts["gone"] == 2
    assert dispatcher.counts["deferred"] == 1
    assert dispatcher.counts["failed"] == 1
    assert dispatcher.counts["timeout"] == 1
    left = {s.endpoint.rsplit("/", 1)[-1]: s for s in db.exec(select(PushSubscription)).all()}
    db.commit()
    assert set(left) == {"ok", "slow429", "fail500", "hang"}  # 404 and 410 deleted
    assert left["slow429"].retry_after is not None
    assert left["slow429"].retry_after - clock() == timedelta(seconds=120)
    assert left["fail500"].failures == 1 and left["hang"].failures == 1
    # The request itself: TTL, Urgency, VAPID, encrypted and decryptable only by the browser.
    ok = next(r for r in push_server.requests if r["path"].endswith("/ok"))
    headers = {k.lower(): v for k, v in ok["headers"].items()}
    assert headers["ttl"] == "600" and headers["urgency"] == "high"
    assert headers["authorization"].startswith("vapid t=") and headers["content-encoding"] == "aes128gcm"
    assert b"Ny melding" not in ok["body"]
    assert browsers["ok"].decrypt(ok["body"]) == {
        "title": "Ny melding",
        "body": "Åpne Nattlys",
        "tag": "chat",
        "url": "/#/chat",
    }
    # 429: skipped until Retry-After has passed.
    before = len(push_server.requests)
    dispatcher.submit([users["slow429"].id], MESSAGE)
    assert dispatcher.drain(timeout=10)
    assert len(push_server.requests) == before
    clock.advance(seconds=121)
    dispatcher.submit([users["slow429"].id], MESSAGE)
    assert dispatcher.drain(timeout=10)
    assert len(push_server.requests) == before + 1


def test_vapid_header_is_signed_once_and_reused(
    app: Any, auth: Any, factories: Any, push_server: PushServer
) -> None:
    patients = [factories.patient() for _ in range(5)]
    for p in patients:
        subscribe(auth.client_for(p.username), push_server.url(f"ok-{p.id}"))
    dispatcher = push.dispatcher(app)
    dispatcher.submit([p.id for p in patients], MESSAGE)
    dispatcher.submit([p.id for p in patients], MESSAGE)
    assert dispatcher.drain(timeout=10)
    assert dispatcher.counts["sent"] == 10
    assert dispatcher._headers.signed == 1
    auths = {v for r in push_server.requests for k, v in r["headers"].items() if k.lower() == "authorization"}
    assert len(auths) == 1


def test_each_phone_is_told_in_the_language_its_app_is_in(
    app: Any, auth: Any, factories: Any, push_server: PushServer
) -> None:
    mona = factories.patient()
    phone, tablet = Browser(), Browser()
    client = auth.client_for(mona.username)
    assert subscribe(client, push_server.url("phone"), phone, language="en").status_code == 201
    assert subscribe(client, push_server.url("tablet"), tablet).status_code == 201
    assert subscribe(client, push_server.url("x"), language="sv").status_code == 400
    dispatcher = push.dispatcher(app)
    dispatcher.submit([mona.id], MESSAGE)
    assert dispatcher.drain(timeout=10)
    by_path = {r["path"].rsplit("/", 1)[-1]: r["body"] for r in push_server.requests}
    assert phone.decrypt(by_path["phone"])["title"] == "New message"
    assert tablet.decrypt(by_path["tablet"])["title"] == "Ny melding"
    # She switches the phone's app to Norwegian: the app tells the server again.
    assert subscribe(client, push_server.url("phone"), phone, language="nb").status_code == 201
    dispatcher.submit([mona.id], MESSAGE)
    assert dispatcher.drain(timeout=10)
    latest = [r["body"] for r in push_server.requests if r["path"].endswith("/phone")][-1]
    assert phone.decrypt(latest) == {
        "title": "Ny melding",
        "body": "Åpne Nattlys",
        "tag": "chat",
        "url": "/#/chat",
    }


def test_only_fixed_non_clinical_texts_can_be_pushed() -> None:
    with pytest.raises(ValueError):
        push.PushMessage(title="Mona: trykk 9, selvmordstanker", tag="x", url="/", ttl=60)
    with pytest.raises(ValueError):
        push.PushMessage(title="new_message", body="Jeg har det vondt", tag="x", url="/", ttl=60)
    with pytest.raises(ValueError):
        push.PushMessage(title="new_message", tag="x", url="https://evil.example/", ttl=60)


def test_without_keys_nothing_is_sent(make_app: Any, auth: Any, factories: Any) -> None:
    off_app = make_app()
    dispatcher = push.dispatcher(off_app)
    assert not dispatcher.enabled
    dispatcher.submit([1, 2], MESSAGE)
    assert dispatcher.counts["disabled"] == 2
