"""Settings: defaults, LOA_ environment, .env files, database URLs and the secret guard."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from studio.settings import DEV_SECRET_KEY, Environment, Settings, get_settings

GOOD_SECRET = "x" * 32


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No LOA_ variable from the caller's shell and no .env from the repository leaks in."""
    for name in list(os.environ):
        if name.upper().startswith("LOA_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults(clean_env: Path) -> None:
    settings = Settings()

    assert settings.environment is Environment.development
    assert settings.secret_key.get_secret_value() == DEV_SECRET_KEY
    assert settings.var_dir == Path("var")
    assert settings.database_url == ""
    assert settings.effective_database_url == f"sqlite:///{clean_env.resolve()}/var/loa.db"
    assert settings.default_timezone == "Asia/Ho_Chi_Minh"
    assert settings.api.host == "127.0.0.1"
    assert settings.api.port == 8000
    assert settings.api.access_token_minutes == 480


def test_environment_variables_use_the_loa_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOA_VAR_DIR", "/srv/loa")
    monkeypatch.setenv("LOA_DEFAULT_TIMEZONE", "Asia/Bangkok")
    monkeypatch.setenv("DATABASE_URL", "mysql://ignored/without-prefix")

    settings = Settings()

    assert settings.var_dir == Path("/srv/loa")
    assert settings.default_timezone == "Asia/Bangkok"
    assert settings.database_url == ""
    assert settings.effective_database_url == "sqlite:////srv/loa/loa.db"


def test_nested_sections_use_a_double_underscore(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOA_API__PORT", "8080")
    monkeypatch.setenv("LOA_API__HOST", "0.0.0.0")

    settings = Settings()

    assert settings.api.port == 8080
    assert settings.api.host == "0.0.0.0"
    assert settings.api.max_body_bytes == 1_000_000  # the rest of the section keeps defaults


def test_out_of_range_port_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOA_API__PORT", "70000")
    with pytest.raises(ValidationError, match="api.port"):
        Settings()


def test_dotenv_file_in_the_working_directory(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_env / ".env").write_text(
        "LOA_VAR_DIR=/data/loa\nLOA_API__PORT=9001\nLOA_DEFAULT_TIMEZONE=Asia/Phnom_Penh\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("LOA_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")

    settings = Settings()

    assert settings.var_dir == Path("/data/loa")
    assert settings.api.port == 9001
    # A real environment variable wins over the file.
    assert settings.default_timezone == "Asia/Ho_Chi_Minh"


def test_postgresql_url_is_given_the_psycopg_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOA_DATABASE_URL", "postgresql://loa:pw@db:5432/loa")

    settings = Settings()

    assert settings.database_url == "postgresql+psycopg://loa:pw@db:5432/loa"
    assert settings.effective_database_url == "postgresql+psycopg://loa:pw@db:5432/loa"


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://loa@127.0.0.1/loa", "sqlite:////var/lib/loa/loa.db", "sqlite://"],
)
def test_supported_urls_are_kept(url: str) -> None:
    assert Settings(database_url=url).effective_database_url == url


@pytest.mark.parametrize(
    "url", ["mysql://loa@db/loa", "postgresql+psycopg2://loa@db/loa", "db.sqlite"]
)
def test_other_databases_are_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="sqlite:// or postgresql://"):
        Settings(database_url=url)


OUTSIDE_DEVELOPMENT = [Environment.production, Environment.test]


@pytest.mark.parametrize("environment", OUTSIDE_DEVELOPMENT)
def test_default_secret_refused_outside_development(
    environment: Environment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOA_ENVIRONMENT", environment.value)
    with pytest.raises(ValidationError, match="development default"):
        Settings()
    with pytest.raises(ValidationError, match="development default"):
        Settings(environment=environment, secret_key=SecretStr(DEV_SECRET_KEY))


@pytest.mark.parametrize("environment", OUTSIDE_DEVELOPMENT)
def test_short_secret_refused_outside_development(environment: Environment) -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(environment=environment, secret_key=SecretStr(GOOD_SECRET[:31]))


def test_long_random_secret_accepted_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOA_ENVIRONMENT", "production")
    monkeypatch.setenv("LOA_SECRET_KEY", GOOD_SECRET)

    settings = Settings()

    assert settings.environment is Environment.production
    assert settings.secret_key.get_secret_value() == GOOD_SECRET
    assert GOOD_SECRET not in repr(settings)


def test_development_accepts_the_default_and_short_secrets() -> None:
    assert Settings().secret_key.get_secret_value() == DEV_SECRET_KEY
    assert Settings(secret_key=SecretStr("short")).secret_key.get_secret_value() == "short"


def test_unknown_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOA_ENVIRONMENT", "staging")
    with pytest.raises(ValidationError, match="environment"):
        Settings()


def test_get_settings_is_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    get_settings.cache_clear()
    try:
        monkeypatch.setenv("LOA_API__PORT", "8123")
        first = get_settings()
        monkeypatch.setenv("LOA_API__PORT", "8124")
        assert get_settings() is first
        assert first.api.port == 8123
    finally:
        get_settings.cache_clear()
