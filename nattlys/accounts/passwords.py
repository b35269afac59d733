"""Password policy and hashing (argon2id, RFC 9106 low-memory profile).

Each hash takes 64 MiB and ~150 ms of CPU, so hashing is bounded by a
semaphore (a burst of logins cannot exhaust memory) and, under gevent, runs in
the hub's thread pool so the event loop keeps serving chat while it hashes.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.profiles import RFC_9106_LOW_MEMORY
from flask import Flask, current_app

from nattlys.api.errors import ApiError

MIN_LENGTH = 8
MAX_LENGTH = 128

# Words Norwegians build passwords from, which zxcvbn's English lists lack;
# given to zxcvbn as "user inputs" so a password made of them scores low.
NORWEGIAN_WORDS = (
    "passord",
    "hemmelig",
    "velkommen",
    "nattlys",
    "nattlys-demo",  # the demo password in the README
    "sommer",
    "vinter",
    "høst",
    "vår",
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
    "mandag",
    "tirsdag",
    "onsdag",
    "torsdag",
    "fredag",
    "lørdag",
    "søndag",
    "norge",
    "oslo",
    "bergen",
    "askøy",
    "elsker",
    "kjæreste",
    "fotball",
    "brann",
    "rosenborg",
    "vålerenga",
    "qwertyuiopå",
    "asdfghjklæø",
)
# zxcvbn's 0-4 scale; 3 is "safely unguessable: moderate protection from an
# offline attack" (about 10^8 guesses and up).
MIN_SCORE = 3

_PROFILES = {
    "rfc9106_low_memory": lambda: PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY),
    # Tests create many users; production never uses this profile.
    "fast_for_tests": lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}
_HASHER_KEY = "nattlys_password_hasher"
_SEMAPHORE_KEY = "nattlys_password_semaphore"

T = TypeVar("T")


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def check_length(password: str) -> None:
    pw = normalise(password)
    if len(pw) < MIN_LENGTH:
        raise ApiError(400, "password_too_short", f"The password must have at least {MIN_LENGTH} characters.")
    if len(pw) > MAX_LENGTH:
        raise ApiError(400, "password_too_long", f"The password can have at most {MAX_LENGTH} characters.")


def check_policy(password: str, *, username: str | None = None, display_name: str | None = None) -> None:
    """Length limits and zxcvbn's strength estimate, which also knows the
    person's username and name and common Norwegian words; no composition
    rules (NIST SP 800-63B)."""
    from zxcvbn import zxcvbn

    check_length(password)
    name = (display_name or "").split()
    personal = [username or "", *name, "".join(name)]
    inputs = [w.lower() for w in (*personal, *NORWEGIAN_WORDS) if w]
    # zxcvbn's cost grows fast with length; the first 64 characters decide.
    if zxcvbn(normalise(password)[:64], user_inputs=inputs)["score"] < MIN_SCORE:
        raise ApiError(400, "password_too_common", "This password is too easy to guess. Choose another.")


def init_app(app: Flask) -> None:
    profile = app.config.get("PASSWORD_HASH_PROFILE", "rfc9106_low_memory")
    if profile not in _PROFILES:
        raise RuntimeError(f"unknown PASSWORD_HASH_PROFILE {profile!r}")
    app.extensions[_HASHER_KEY] = _PROFILES[profile]()
    app.extensions[_SEMAPHORE_KEY] = threading.BoundedSemaphore(
        max(1, int(app.config["MAX_CONCURRENT_PASSWORD_HASHES"]))
    )


def _hasher() -> PasswordHasher:
    return current_app.extensions[_HASHER_KEY]


def _bounded(fn: Callable[[], T]) -> T:
    semaphore: threading.BoundedSemaphore = current_app.extensions[_SEMAPHORE_KEY]
    with semaphore:
        try:
            from gevent import get_hub
            from gevent.monkey import is_module_patched
        except ImportError:  # pragma: no cover - gevent is a dependency
            return fn()
        if is_module_patched("threading"):
            return get_hub().threadpool.apply(fn)
        return fn()


def hash_password(password: str) -> str:
    hasher = _hasher()
    pw = normalise(password)
    return _bounded(lambda: hasher.hash(pw))


def verify_password(password_hash: str, password: str) -> bool:
    hasher = _hasher()
    pw = normalise(password)

    def _verify() -> bool:
        try:
            return hasher.verify(password_hash, pw)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    return _bounded(_verify)


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def verify_dummy(password: str) -> None:
    """Spend the same time as a real verify, for usernames that do not exist."""
    hasher = _hasher()
    dummy = current_app.extensions.get("nattlys_dummy_hash")
    if dummy is None:
        dummy = hasher.hash("nattlys-dummy-password-for-timing")
        current_app.extensions["nattlys_dummy_hash"] = dummy
    verify_password(dummy, password)
