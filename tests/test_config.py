"""Start-up settings: production refuses unsafe secrets and unknown databases."""

from __future__ import annotations

import secrets

import pytest

from nattlys.config import KNOWN_DEFAULT_SECRETS, ConfigError, Settings
from nattlys.crypto import keys

GOOD_KEY = "k3" + secrets.token_urlsafe(40)
DATA_KEYS = keys.generate("t1")


def _production(**env: str) -> dict[str, str]:
    return {
        "NATTLYS_ENV": "production",
        "DATABASE_URL": "sqlite:///tmp/nattlys.db",
        "DATA_KEYS": DATA_KEYS,
        **env,
    }


def _refusal(environ: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ=environ)
    message = str(caught.value)
    assert message and "\n" not in message, "start-up errors are one line"
    return message


def test_production_refuses_a_missing_secret_key() -> None:
    message = _refusal(_production())
    assert "SECRET_KEY" in message


@pytest.mark.parametrize("key", sorted(KNOWN_DEFAULT_SECRETS - {""}))
def test_production_refuses_a_known_default_secret_key(key: str) -> None:
    message = _refusal(_production(SECRET_KEY=key))
    assert "SECRET_KEY" in message


def test_production_refuses_a_short_secret_key() -> None:
    message = _refusal(_production(SECRET_KEY=secrets.token_hex(15)))  # 30 random characters
    assert "SECRET_KEY" in message
    assert "short" in message


def test_production_accepts_a_long_random_secret_key() -> None:
    settings = Settings.from_env(environ=_production(SECRET_KEY=GOOD_KEY))
    assert settings.ENV == "production"
    assert settings.SECRET_KEY == GOOD_KEY
    assert not settings.is_development


def test_plain_environment_names_work_as_well_as_prefixed_ones() -> None:
    settings = Settings.from_env(
        environ={"ENV": "production", "SECRET_KEY": GOOD_KEY, "DATA_KEYS": DATA_KEYS}
    )
    assert settings.ENV == "production"
    _refusal({"ENV": "production", "SECRET_KEY": "changeme", "DATA_KEYS": DATA_KEYS})


@pytest.mark.parametrize("env", ["development", "testing"])
def test_development_starts_without_a_secret_key(env: str) -> None:
    settings = Settings.from_env(environ={"NATTLYS_ENV": env})
    assert settings.is_development
    assert settings.SECRET_KEY, "a development key is filled in so sessions still work"


def test_the_default_environment_is_production() -> None:
    # Forgetting NATTLYS_ENV must not silently run with a development secret.
    _refusal({})


def test_an_unknown_environment_is_refused() -> None:
    message = _refusal({"NATTLYS_ENV": "staging", "SECRET_KEY": GOOD_KEY})
    assert "staging" in message


def test_a_non_number_for_a_number_setting_is_refused() -> None:
    message = _refusal({"NATTLYS_ENV": "development", "STAFF_IDLE_MINUTES": "half an hour"})
    assert "STAFF_IDLE_MINUTES" in message


@pytest.mark.parametrize(
    "given",
    [
        "postgres://nattlys:pw@db:5432/nattlys",
        "postgresql://nattlys:pw@db:5432/nattlys",
        "postgresql+psycopg2://nattlys:pw@db:5432/nattlys",
        "postgresql+psycopg://nattlys:pw@db:5432/nattlys",
    ],
)
def test_postgres_urls_are_normalised_to_psycopg3(given: str) -> None:
    settings = Settings.from_env(environ={"NATTLYS_ENV": "development", "DATABASE_URL": given})
    assert settings.DATABASE_URL == "postgresql+psycopg://nattlys:pw@db:5432/nattlys"


@pytest.mark.parametrize("url", ["mysql://u:p@db/nattlys", "oracle://db/x", "nattlys.db"])
def test_an_unsupported_database_url_is_refused(url: str) -> None:
    message = _refusal({"NATTLYS_ENV": "development", "DATABASE_URL": url})
    assert "DATABASE_URL" in message
    assert "pw@" not in message


def test_create_app_in_production_with_a_good_key(make_app) -> None:
    app = make_app(ENV="production", SECRET_KEY=GOOD_KEY, DATA_KEYS=DATA_KEYS)
    assert app.config["ENV"] == "production"
    assert app.config["SECRET_KEY"] == GOOD_KEY
    assert app.config["TESTING"] is False
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_create_app_in_production_refuses_a_default_key(make_app) -> None:
    with pytest.raises(ConfigError):
        make_app(ENV="production", SECRET_KEY="test-secret-key")
