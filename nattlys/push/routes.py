"""/api/push: the VAPID public key, and the browser's subscription."""

from __future__ import annotations

from flask import Blueprint, g

from nattlys.api.endpoints import endpoint
from nattlys.db import get_db
from nattlys.push import service, subscriptions
from nattlys.push.schemas import PushKeyPublic, SubscriptionIn, SubscriptionPublic, UnsubscribeIn

bp = Blueprint("push", __name__, url_prefix="/api/push")


@bp.get("/key")
@endpoint("The VAPID public key for subscribing (null when push is off)", tag="push", response=PushKeyPublic)
def key() -> PushKeyPublic:
    push = service.dispatcher()
    return PushKeyPublic(enabled=push.enabled, public_key=push.public_key if push.enabled else None)


@bp.post("/subscriptions")
@endpoint(
    "Store this browser's push subscription for me (again is fine)",
    tag="push",
    body=SubscriptionIn,
    response=SubscriptionPublic,
    status=201,
)
def subscribe(body: SubscriptionIn) -> SubscriptionPublic:
    sub = subscriptions.subscribe(
        get_db(),
        user=g.user,
        endpoint=body.endpoint,
        p256dh=body.keys.p256dh,
        auth=body.keys.auth,
        language=body.language,
    )
    return SubscriptionPublic(id=sub.id, endpoint=sub.endpoint)


@bp.delete("/subscriptions")
@endpoint("Forget this browser's push subscription", tag="push", body=UnsubscribeIn, status=204)
def unsubscribe(body: UnsubscribeIn) -> None:
    subscriptions.unsubscribe(get_db(), user=g.user, endpoint=body.endpoint)
