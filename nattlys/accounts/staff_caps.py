"""How many accounts and invitation links one staff member may make in an hour.

A stolen or careless staff session must not be able to fill the service with
accounts or spray invitation links (one supporter made 30 patients in 2 s and
reissued 50 links). The caps are generous for real work and configurable."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from nattlys.accounts.models import User
from nattlys.accounts.throttle import flood_hit
from nattlys.api.errors import ApiError

HOUR = timedelta(hours=1)
_CAPS = {
    "accounts": (
        "ACCOUNTS_PER_STAFF_PER_HOUR",
        "too_many_accounts",
        "You have created {limit} accounts in the last hour; wait a little before creating more.",
    ),
    "invitations": (
        "INVITATIONS_PER_STAFF_PER_HOUR",
        "too_many_invitations",
        "You have made {limit} invitation links in the last hour; wait a little before making more.",
    ),
}


def count(staff: User, what: str, *, at: datetime) -> None:
    """One more account or invitation by `staff`; 429 once over the hour's cap."""
    setting, code, message = _CAPS[what]
    limit = current_app.config[setting]
    made, since = flood_hit(f"staff:{what}:{staff.id}", at=at, window=HOUR)
    if made > limit:
        retry = max(1, int((since + HOUR - at).total_seconds()))
        raise ApiError(429, code, message.format(limit=limit), headers={"Retry-After": str(retry)})
