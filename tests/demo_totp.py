"""Authenticator codes for staff in tests that drive a real server: demo staff
have keys derived from the demo password (nattlys.demo.demo_totp_secret)."""

from __future__ import annotations

import time
from datetime import datetime

import pyotp
import requests

from nattlys.demo import demo_totp_secret

# The last time step used per server and staff member: a server takes each code
# once. Each test server has its own database and its own clock (from
# CLOCK_START when it started), so a step used on one says nothing of another.
_USED_STEPS: dict[tuple[str, str], int] = {}
# Keys of staff created during the tests, as their enrolment showed them.
_SECRETS: dict[str, str] = {}


def staff_code(
    username: str, server_time: str, *, server: str, demo_password: str, secret: str | None = None
) -> str:
    """The code at the server's clock (browser tests start it at CLOCK_START),
    never one that server has already taken."""
    if secret:
        _SECRETS[username] = secret
    totp = pyotp.TOTP(_SECRETS.get(username) or demo_totp_secret(demo_password, username))
    step = totp.timecode(datetime.fromisoformat(server_time.replace("Z", "+00:00")))
    used = _USED_STEPS.get((server, username), 0)
    if used > step + 1:
        # A server started again on the same address with a new database and
        # its clock from CLOCK_START again: it has taken none of these codes.
        used = 0
    if used > step:  # this step's code and the next are both used: wait for a new one
        time.sleep(30 * (used - step))
    step = max(step, used + 1)  # the server also takes the next step's code
    _USED_STEPS[(server, username)] = step
    return totp.generate_otp(step)


def complete_login(
    session: requests.Session, base: str, username: str, answer: dict, *, demo_password: str
) -> dict:
    """After a password login through `requests`, the second factor if asked:
    demo staff have one already; staff made during the test set one up."""
    step = answer.get("second_factor")
    if step not in ("verify", "enrol"):
        return answer
    secret = None
    if step == "enrol":
        enrolment = session.post(
            f"{base}/api/auth/second-factor/enrol", headers={"X-CSRF-Token": answer["csrf_token"]}, timeout=10
        )
        assert enrolment.status_code == 200, enrolment.text
        secret = enrolment.json()["secret"]
    code = staff_code(
        username, answer["server_time"], server=base, demo_password=demo_password, secret=secret
    )
    verified = session.post(
        f"{base}/api/auth/second-factor/verify",
        json={"code": code},
        headers={"X-CSRF-Token": answer["csrf_token"]},
        timeout=10,
    )
    assert verified.status_code == 200, verified.text
    return verified.json()
