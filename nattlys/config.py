"""Settings, read from environment variables.

Outside development and testing the app refuses to start with a missing or
well-known SECRET_KEY: a forged session cookie would expose health data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nattlys.crypto import keys

if TYPE_CHECKING:
    from nattlys.crypto.keys import KeyRing

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A wheel carries the PWA and the migrations inside the package (setup.py puts
# them in nattlys/bundle/); a checkout uses them where they are.
_BUNDLE = Path(__file__).resolve().parent / "bundle"
_RESOURCES = _BUNDLE if _BUNDLE.is_dir() else PROJECT_ROOT
PWA_ROOT = _RESOURCES / "pwa"
MIGRATIONS_ROOT = _RESOURCES / "migrations"
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "instance" / "nattlys.db"

# Secrets that appear in docs, examples or tests; never acceptable in production.
KNOWN_DEFAULT_SECRETS = frozenset(
    {"", "dev", "development", "secret", "changeme", "change-me", "nattlys-dev-secret-key", "test-secret-key"}
)
ENVIRONMENTS = ("development", "testing", "production")


class ConfigError(RuntimeError):
    """Raised at start-up with one line that says what to fix."""


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator chose."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def origin_list(value: str) -> list[str]:
    """ALLOWED_ORIGINS ("https://a.example, https://b.example/") as the exact
    origins browsers send: trimmed, without a trailing slash."""
    return [o.strip().rstrip("/") for o in value.split(",") if o.strip()]


@dataclass
class Settings:
    ENV: str = "production"
    SECRET_KEY: str = ""
    DATABASE_URL: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    REDIS_URL: str = ""
    # Comma-separated origins allowed to open a Socket.IO connection or send
    # state-changing requests; empty means "the origin the request was made to".
    ALLOWED_ORIGINS: str = ""
    PUBLIC_BASE_URL: str = ""
    SQLITE_BUSY_TIMEOUT_MS: int = 5000
    # PostgreSQL connections each process keeps (and may open beyond that
    # under a burst). At least the chat events and requests one instance runs
    # at once; all instances and the scheduler together stay under the
    # server's max_connections (100 by default).
    DATABASE_POOL_SIZE: int = 20
    DATABASE_MAX_OVERFLOW: int = 10
    MAX_CONTENT_LENGTH: int = 256 * 1024
    STAFF_IDLE_MINUTES: int = 30
    STAFF_ABSOLUTE_HOURS: int = 12
    PATIENT_SLIDING_DAYS: int = 30
    # A patient's session ends this long after login even if used every day.
    PATIENT_ABSOLUTE_DAYS: int = 90
    INVITATION_HOURS: int = 72
    LOGIN_MAX_FAILURES_PER_ACCOUNT: int = 5
    LOGIN_MAX_FAILURES_PER_IP: int = 30
    LOGIN_WINDOW_SECONDS: int = 900
    # Passwords of one account being checked at the same moment, all processes.
    LOGIN_MAX_CONCURRENT_PER_ACCOUNT: int = 2
    MAX_CONCURRENT_PASSWORD_HASHES: int = 2
    # Trust X-Forwarded-* from this many proxies (nginx in front: 1).
    PROXY_COUNT: int = 0
    SOCKETIO_ASYNC_MODE: str = "gevent"
    # "embedded": this server process also runs the scheduled jobs (the
    # single-machine default); "off": a separate `nattlys scheduler` does.
    SCHEDULER: str = "off"
    # Chat messages one person may send per minute (flood protection).
    CHAT_MESSAGES_PER_MINUTE: int = 30
    # How long a break-glass opening (nødtilgang) of a patient's check-ins lasts.
    BREAK_GLASS_MINUTES: int = 120
    # Accounts (patients, or staff for administrators) and reissued invitation
    # links one staff member may make per hour.
    ACCOUNTS_PER_STAFF_PER_HOUR: int = 20
    INVITATIONS_PER_STAFF_PER_HOUR: int = 20
    # Socket.IO connections one login session may hold open on a web process;
    # a new one beyond that closes the session's oldest.
    SOCKETS_PER_SESSION: int = 10
    # Hosts a browser's push subscription may point at (production): the push
    # services of Chrome/Android, Firefox, Edge/Windows and Safari. "*." matches
    # any subdomain. Development and tests also accept loopback.
    PUSH_SERVICE_HOSTS: str = (
        "fcm.googleapis.com,updates.push.services.mozilla.com,*.notify.windows.com,web.push.apple.com"
    )
    # How long before a shift the supporter gets the handoff notice.
    HANDOFF_NOTICE_MINUTES: int = 60
    # After every tier was tried, how often an unanswered chat or alert is
    # offered (and pushed) again to everyone on duty for the patient.
    CEILING_REOFFER_MINUTES: int = 5
    # How often each web process disconnects sockets whose session has ended
    # (expired, logged out elsewhere, user disabled); 0 turns it off.
    SOCKET_SESSION_SWEEP_SECONDS: int = 60
    # Development and tests only: the app's clock starts at this ISO instant
    # and runs on from there (browser tests pick "Wednesday 21:30").
    CLOCK_START: str = ""
    # Web push (VAPID). Generate with `nattlys vapid generate` and keep them in
    # the environment file, never in the repository. Without keys push is off
    # and check-in reminders show in the app only.
    VAPID_PUBLIC_KEY: str = ""
    VAPID_PRIVATE_KEY: str = ""
    VAPID_SUBJECT: str = ""  # mailto:drift@example.no or https://... (who runs this server)
    PUSH_WORKERS: int = 64
    PUSH_TIMEOUT_MS: int = 5000
    # Serve Prometheus metrics on this loopback port as well (0: off). For a
    # process that serves no HTTP: `nattlys scheduler`. Web instances answer
    # GET /metrics on their own port.
    METRICS_PORT: int = 0
    # "on": a process started from its environment (gunicorn, `nattlys ...`)
    # checks at start that the database and Redis answer, and in production
    # that push keys are set, and refuses to start with one line otherwise.
    # `nattlys db upgrade --wait` waits for the database itself: the migrate
    # unit sets it "off".
    STARTUP_CHECKS: str = "on"
    # How long the start-up check waits for a database or Redis that refuses
    # connections (still starting) before giving up.
    STARTUP_WAIT_SECONDS: int = 20
    # Keys that encrypt clinical text at rest (chat, plans, check-in notes,
    # handover notes): `id:key` entries, newest first (`nattlys keys generate`).
    # Or DATA_KEY_FILE: a file outside the database with one entry a line.
    # Production refuses to start without one; development uses a fixed key.
    DATA_KEYS: str = ""
    DATA_KEY_FILE: str = ""
    # --- Strong login: national eID by OpenID Connect, passkeys -------------------------
    # Patients log in with ID-porten, staff with HelseID. A provider is on when
    # its issuer is set; it needs a client id and either a client secret or a
    # private key (PEM text or a path to a PEM file) for private-key JWT.
    EID_PATIENT_ISSUER: str = ""
    EID_PATIENT_CLIENT_ID: str = ""
    EID_PATIENT_CLIENT_SECRET: str = ""
    EID_PATIENT_PRIVATE_KEY: str = ""
    # Comma-separated acr values accepted; the first is the one asked for.
    EID_PATIENT_ACR: str = "idporten-loa-high"
    EID_PATIENT_PID_CLAIM: str = "pid"
    EID_PATIENT_SCOPES: str = "openid profile"
    EID_STAFF_ISSUER: str = ""
    EID_STAFF_CLIENT_ID: str = ""
    EID_STAFF_CLIENT_SECRET: str = ""
    EID_STAFF_PRIVATE_KEY: str = ""
    EID_STAFF_ACR: str = "idporten-loa-high"
    EID_STAFF_PID_CLAIM: str = "helseid://claims/identity/pid"
    EID_STAFF_SCOPES: str = "openid profile helseid://scopes/identity/pid"
    # Key of the HMAC-SHA256 that turns a national identity number into the
    # value stored with the account; the number itself is never stored.
    EID_PID_KEY: str = ""
    # Roles that may log in with a password (pilots, the demo); remove a role
    # to leave it eID and passkeys only.
    PASSWORD_LOGIN_ROLES: str = "patient,supporter,admin,next_of_kin"  # noqa: S105 - role names
    # Passkeys: the relying party id (a domain) and the origin the app is
    # served from; by default the host and origin of PUBLIC_BASE_URL or of the request.
    WEBAUTHN_RP_ID: str = ""
    WEBAUTHN_ORIGIN: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        env = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = env.get(f"NATTLYS_{f.name}", env.get(f.name))
            if raw is None:
                continue
            if f.type in ("int", int):
                try:
                    values[f.name] = int(raw)
                except ValueError as exc:
                    raise ConfigError(f"{f.name} must be a whole number, got {raw!r}") from exc
            else:
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if k in {f.name for f in fields(cls)}})
        settings = cls(**values)
        settings.extra = {k: v for k, v in overrides.items() if k not in values}
        settings.DATABASE_URL = normalise_database_url(settings.DATABASE_URL)
        settings.validate()
        return settings

    @property
    def is_development(self) -> bool:
        return self.ENV in ("development", "testing")

    def validate(self) -> None:
        if self.ENV not in ENVIRONMENTS:
            raise ConfigError(f"NATTLYS_ENV must be one of {', '.join(ENVIRONMENTS)}, got {self.ENV!r}")
        if not self.is_development:
            if self.SECRET_KEY in KNOWN_DEFAULT_SECRETS:
                raise ConfigError(
                    "SECRET_KEY is missing or a known default; set SECRET_KEY to a long random "
                    "value (python -c 'import secrets; print(secrets.token_urlsafe(48))')"
                )
            if len(self.SECRET_KEY) < 32:
                raise ConfigError("SECRET_KEY is too short; use at least 32 random characters")
        elif not self.SECRET_KEY:
            self.SECRET_KEY = "nattlys-dev-secret-key"  # noqa: S105 - development only
        self.data_keys()
        if not self.DATABASE_URL.startswith(("sqlite", "postgresql+psycopg://")):
            raise ConfigError(
                f"DATABASE_URL must start with sqlite:/// or postgresql://, got {self.DATABASE_URL.split(':')[0]!r}"
            )
        if self.CLOCK_START and not self.is_development:
            raise ConfigError("CLOCK_START is for development and tests only; unset it in production")
        if self.SCHEDULER not in ("embedded", "off"):
            raise ConfigError("SCHEDULER must be embedded or off")
        if bool(self.VAPID_PUBLIC_KEY) != bool(self.VAPID_PRIVATE_KEY):
            raise ConfigError(
                "set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY (nattlys vapid generate), or neither"
            )
        if (
            self.VAPID_PRIVATE_KEY
            and not self.is_development
            and not self.VAPID_SUBJECT.startswith(("mailto:", "https://"))
        ):
            raise ConfigError("VAPID_SUBJECT must be a mailto: or https:// contact for the push services")
        if self.SOCKETIO_ASYNC_MODE not in ("gevent", "threading"):
            raise ConfigError("SOCKETIO_ASYNC_MODE must be gevent or threading")
        if self.STARTUP_CHECKS not in ("on", "off"):
            raise ConfigError("STARTUP_CHECKS must be on or off")
        if not 0 <= self.METRICS_PORT <= 65535:
            raise ConfigError("METRICS_PORT must be a port number (or 0 for off)")
        self._validate_strong_login()
        if self.REDIS_URL and not self.REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError(
                f"REDIS_URL must start with redis://, rediss:// or unix://, got {self.REDIS_URL.split(':')[0]!r}"
            )

    def data_keys(self) -> KeyRing:
        try:
            return keys.load(
                data_keys=self.DATA_KEYS, key_file=self.DATA_KEY_FILE, development=self.is_development
            )
        except keys.DataKeyError as exc:
            raise ConfigError(str(exc)) from exc

    @property
    def password_login_roles(self) -> frozenset[str]:
        return frozenset(r.strip() for r in self.PASSWORD_LOGIN_ROLES.split(",") if r.strip())

    def _validate_strong_login(self) -> None:
        unknown = self.password_login_roles - {"patient", "supporter", "admin", "next_of_kin"}
        if unknown:
            raise ConfigError(
                f"PASSWORD_LOGIN_ROLES may name patient, supporter, admin and next_of_kin, not {sorted(unknown)}"
            )
        for audience in ("PATIENT", "STAFF"):
            if not getattr(self, f"EID_{audience}_ISSUER"):
                continue
            if not getattr(self, f"EID_{audience}_CLIENT_ID"):
                raise ConfigError(f"EID_{audience}_ISSUER is set: set EID_{audience}_CLIENT_ID as well")
            if not (
                getattr(self, f"EID_{audience}_CLIENT_SECRET") or getattr(self, f"EID_{audience}_PRIVATE_KEY")
            ):
                raise ConfigError(
                    f"EID_{audience}_ISSUER is set: set EID_{audience}_CLIENT_SECRET or EID_{audience}_PRIVATE_KEY"
                )
            if not self.is_development and len(self.EID_PID_KEY) < 32:
                raise ConfigError(
                    "EID_PID_KEY must be at least 32 random characters when an eID provider is set "
                    "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
                )

    def flask_config(self) -> dict[str, Any]:
        hidden = {"extra", "DATA_KEYS"}
        cfg: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in hidden}
        cfg["TESTING"] = self.ENV == "testing"
        cfg["JSON_SORT_KEYS"] = False
        cfg.update(self.extra)
        return cfg


# --- start-up checks ---------------------------------------------------------------------

_TRANSIENT = ("connection refused", "timeout expired", "timed out", "the database system is starting up")


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[-1].strip() if text else type(exc).__name__


def _database_problem(url: str, exc: BaseException) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    detail = str(getattr(exc, "orig", None) or exc).lower()
    if any(t in detail for t in ("password authentication failed", "no password supplied", 'role "')):
        return f"DATABASE_URL: PostgreSQL at {where} refused user {parsed.username!r}; fix the user or password in DATABASE_URL"
    if "does not exist" in detail and 'database "' in detail:
        return f"DATABASE_URL: database {parsed.database!r} does not exist on {where}; create it (createdb) or fix DATABASE_URL"
    if "could not translate host name" in detail or "name or service not known" in detail:
        return f"DATABASE_URL: unknown host {parsed.host!r}; fix the host in DATABASE_URL"
    if any(t in detail for t in _TRANSIENT):
        return f"DATABASE_URL: nobody answers at {where}; start PostgreSQL or fix the host and port in DATABASE_URL"
    if url.startswith("sqlite"):
        return f"DATABASE_URL: cannot open the SQLite file ({_first_line(exc)}); check the path and its directory"
    return f"DATABASE_URL: cannot connect ({_first_line(exc)}); fix DATABASE_URL"


def check_services(settings: Settings, *, sleep: Any = None) -> None:
    """Refuse to start, with one line, when the database or Redis does not
    answer or production lacks push keys. Connections that are refused are
    retried for STARTUP_WAIT_SECONDS (the service may still be starting)."""
    import time

    sleep = sleep or time.sleep
    if not settings.is_development and not (settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY):
        raise ConfigError(
            "VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are missing: reminders and alerts need web push; "
            "run `nattlys vapid generate` and put its three lines in the environment file"
        )
    deadline = time.monotonic() + settings.STARTUP_WAIT_SECONDS
    while True:
        problem = _database_check(settings.DATABASE_URL) or _redis_check(settings.REDIS_URL)
        if problem is None:
            return
        message, transient = problem
        if not transient or time.monotonic() >= deadline:
            raise ConfigError(message)
        sleep(1)


def _database_check(url: str) -> tuple[str, bool] | None:
    from sqlalchemy import create_engine, text

    args: dict[str, Any] = {"connect_timeout": 3} if url.startswith("postgresql") else {}
    if url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        path = make_url(url).database
        if path and Path(path).resolve() == DEFAULT_SQLITE_PATH.resolve():
            # The single-machine default keeps its database in instance/,
            # which a fresh checkout does not have yet.
            DEFAULT_SQLITE_PATH.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path and path != ":memory:" and not Path(path).parent.is_dir():
            return (
                f"DATABASE_URL: the directory {str(Path(path).parent)!r} does not exist; create it or fix the path",
                False,
            )
    engine = create_engine(url, connect_args=args)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        message = _database_problem(url, exc)
        return message, "nobody answers" in message
    finally:
        engine.dispose()
    return None


def _redis_check(url: str) -> tuple[str, bool] | None:
    if not url:
        return None
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3).ping()
    except redis.AuthenticationError:
        return "REDIS_URL: Redis refused the password; fix the password in REDIS_URL", False
    except redis.RedisError as exc:
        where = url.split("@")[-1]
        return (
            f"REDIS_URL: Redis at {where} does not answer ({type(exc).__name__}); start Redis or fix REDIS_URL",
            True,
        )
    return None
