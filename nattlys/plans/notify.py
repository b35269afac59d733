"""The patient hears that a supporter's proposal waits for them, in words that
say nothing clinical: a lock screen may show them."""

from __future__ import annotations

from nattlys.accounts.models import User
from nattlys.push import service as push

PROPOSAL_WAITING = push.PushMessage(
    title="something_to_see",
    tag="plan-proposal",  # several proposals: one notification
    url="/#/kriseplan/forslag",
    ttl=24 * 3600,
    urgency="low",
)


def proposal_waiting(patient: User) -> None:
    """Sent once the proposal is stored (dropped if the request fails)."""
    push.queue([patient.id], PROPOSAL_WAITING)
