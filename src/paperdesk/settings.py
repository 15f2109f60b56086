"""Every setting paperdesk reads from the environment, validated in one class (the only reader)."""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from paperdesk.data.providers.settings import DEFAULT_ORDER, ProviderSettings
from paperdesk.domain import InvalidInputError
from paperdesk.domain.log_choices import DEFAULT_LOG_LEVEL, LOG_FORMATS, LOG_LEVELS

DEFAULT_HOME = Path("~/.paperdesk")
DEFAULT_CCXT_EXCHANGE = "binance"
HIDDEN = "***"
ENV_FILE_VARIABLE = "PAPERDESK_ENV_FILE"  # read from the environment only, never from a .env
NO_ENV_FILE = "none"
_PASSWORD = re.compile(r"^([\w+.-]+://[^:/@]*):.*@")
API_KEY_FIELDS = {
    "twelvedata": "twelvedata_api_key",
    "finnhub": "finnhub_api_key",
    "alphavantage": "alphavantage_api_key",
    "polygon": "polygon_api_key",
}
SECRET_FIELDS = {"database_url", "redis_url", *API_KEY_FIELDS.values()}
URL_FIELDS = {
    "yahoo": "yahoo_url",
    "twelvedata": "twelvedata_url",
    "finnhub": "finnhub_url",
    "alphavantage": "alphavantage_url",
    "polygon": "polygon_url",
}


class Settings(BaseSettings):
    """paperdesk's settings: ``PAPERDESK_*`` variables, plus ``DATABASE_URL`` and ``REDIS_URL``,
    from the environment and then from a ``.env`` file (the working directory's, or the one
    ``PAPERDESK_ENV_FILE`` names; ``none`` reads none): the environment wins, other keys in the
    file are ignored, a key close to a setting's name is refused as a typo.

    Secrets (API keys, and the URLs, which may carry a password) are ``SecretStr``: printing,
    ``repr`` and ``model_dump_json`` show them masked; the ``*_value()`` methods give the real
    text to the code that connects. ``Settings()`` raises ``InvalidInputError`` with one line
    naming the variable when a value is bad.
    """

    model_config = SettingsConfigDict(
        env_prefix="PAPERDESK_",
        env_ignore_empty=True,
        populate_by_name=True,
        frozen=True,
        extra="ignore",  # a .env holds other programs' keys too (typos are refused first)
    )

    home: Path = Field(
        default=DEFAULT_HOME,
        validate_default=True,
        description="The folder of the SQLite ledger, the Parquet bar cache and the quota file.",
    )
    database_url: SecretStr | None = Field(
        default=None,
        validation_alias="DATABASE_URL",
        description="The ledger database (sqlite:///... or postgresql://...); "
        "default: the SQLite file <home>/paperdesk.db.",
    )
    redis_url: SecretStr | None = Field(
        default=None,
        validation_alias="REDIS_URL",
        description="Redis for latest prices and recent bars; default: an in-process cache.",
    )
    redis_prefix: str | None = Field(
        default=None,
        description="The prefix of every Redis key; default: paperdesk:<digest of the database "
        "URL>:, so two ledgers sharing a Redis never serve each other's bars.",
    )
    stream_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        le=3600,
        description="How often an API process reads the event outbox for its WebSocket clients "
        "when nothing wakes it (with REDIS_URL every commit wakes it at once).",
    )
    providers: Annotated[tuple[str, ...], NoDecode] = Field(
        default=DEFAULT_ORDER,
        description="The price providers to use, in priority order (comma-separated names).",
    )
    twelvedata_api_key: SecretStr | None = Field(default=None, description="Twelve Data API key.")
    finnhub_api_key: SecretStr | None = Field(default=None, description="Finnhub API key.")
    alphavantage_api_key: SecretStr | None = Field(
        default=None, description="Alpha Vantage API key."
    )
    polygon_api_key: SecretStr | None = Field(default=None, description="Polygon API key.")
    ccxt_exchange: str = Field(
        default=DEFAULT_CCXT_EXCHANGE, description="The exchange the ccxt provider asks."
    )
    yahoo_url: str | None = Field(
        default=None, description="Base URL asked instead of Yahoo's (same response format)."
    )
    twelvedata_url: str | None = Field(
        default=None, description="Base URL asked instead of Twelve Data's (same format)."
    )
    finnhub_url: str | None = Field(
        default=None, description="Base URL asked instead of Finnhub's (same format)."
    )
    alphavantage_url: str | None = Field(
        default=None, description="Base URL asked instead of Alpha Vantage's (same format)."
    )
    polygon_url: str | None = Field(
        default=None, description="Base URL asked instead of Polygon's (same response format)."
    )
    provider_timeout: float | None = Field(
        default=None,
        gt=0,
        description="Seconds a price provider may take to answer; default 10 (5 to connect).",
    )
    log_level: str = Field(
        default=DEFAULT_LOG_LEVEL,
        description="The least severe log records shown on stderr: DEBUG, INFO, WARNING, ERROR "
        "or CRITICAL (the CLI's --log-level and -v/-vv win).",
    )
    log_format: str = Field(
        default="text",
        description="How log records are written on stderr: text, or json (one object a line).",
    )

    rate_limit_per_minute: int = Field(
        default=3000,
        ge=0,
        description="Requests a service API key may make per minute, sustained (0: no limit).",
    )
    rate_limit_burst: int = Field(
        default=500,
        ge=1,
        description="Requests a service API key may make at once before the per-minute rate "
        "applies (the bucket's size).",
    )
    shutdown_grace_seconds: int = Field(
        default=30,
        ge=0,
        description="How long `paperdesk serve` lets in-flight requests finish on SIGTERM or "
        "Ctrl-C before it closes them.",
    )

    def __init__(self, **values: Any) -> None:
        variables = self.environment_variables()
        unknown = sorted(set(values) - set(variables) - set(variables.values()))
        if unknown:  # extra="ignore" is for the .env's other keys, not for a caller's slip
            raise InvalidInputError(f"{', '.join(unknown)}: not a paperdesk setting")
        env_file = env_file_path(os.environ)
        from_file = read_env_file(env_file) if env_file is not None else {}
        misspelled = misspelled_variables(os.environ)
        misspelled += misspelled_variables(from_file, source=env_file)
        if misspelled:
            raise InvalidInputError("; ".join(misspelled))
        try:
            super().__init__(_env_file=env_file, **values)
        except ValidationError as error:
            exported = {name.upper() for name, value in os.environ.items() if value.strip()}
            in_file = {name.upper() for name in from_file} - exported
            raise InvalidInputError(explain(error, in_file, env_file)) from None

    # ---------------------------------------------------------------------------- validation

    @field_validator("home", mode="before")
    @classmethod
    def _blank_is_default_home(cls, value: Any) -> Any:
        return (value.strip() or DEFAULT_HOME) if isinstance(value, str) else value

    @field_validator("home")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator(
        "database_url",
        "redis_url",
        "redis_prefix",
        "provider_timeout",
        *API_KEY_FIELDS.values(),
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        """A Redis URL redis-py can open: a typo fails at start, not as a traceback later."""
        if value is not None and not _is_redis_url(value.get_secret_value()):
            shown = hide_password(value.get_secret_value())
            raise ValueError(
                f"{shown!r} is not a Redis URL (expected redis://[:password@]host[:port][/db], "
                "rediss://... or unix:///path/to/socket)"
            )
        return value

    @field_validator("stream_poll_seconds", mode="before")
    @classmethod
    def _blank_is_one_second(cls, value: Any) -> Any:
        return (value.strip() or 1.0) if isinstance(value, str) else value

    @field_validator(*URL_FIELDS.values(), mode="before")
    @classmethod
    def _provider_url(cls, value: Any) -> Any:
        """Blank is unset; otherwise an http(s) URL (a typo fails at start, not at a fetch)."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text and not text.lower().startswith(("http://", "https://")):
            raise ValueError(f"is {text!r}; expected an http:// or https:// URL")
        return text or None

    @field_validator("ccxt_exchange", mode="before")
    @classmethod
    def _blank_is_binance(cls, value: Any) -> Any:
        return (value.strip() or DEFAULT_CCXT_EXCHANGE) if isinstance(value, str) else value

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _log_choice(cls, value: Any, info: ValidationInfo) -> Any:
        """A level name in any case (blank: WARNING), a format in any case (blank: text)."""
        if not isinstance(value, str):
            return value
        choices = LOG_LEVELS if info.field_name == "log_level" else LOG_FORMATS
        name = value.strip().upper() if choices is LOG_LEVELS else value.strip().lower()
        if not name:
            return DEFAULT_LOG_LEVEL if choices is LOG_LEVELS else LOG_FORMATS[0]
        if name not in choices:
            raise ValueError(f"is {value.strip()!r}; expected one of {', '.join(choices)}")
        return name

    @field_validator(
        "rate_limit_per_minute", "rate_limit_burst", "shutdown_grace_seconds", mode="before"
    )
    @classmethod
    def _blank_is_default_number(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and not value.strip():
            return cls.model_fields[str(info.field_name)].default
        return value.strip() if isinstance(value, str) else value

    @field_validator("providers", mode="before")
    @classmethod
    def _provider_names(cls, value: Any) -> Any:
        names = value.split(",") if isinstance(value, str) else value
        if not isinstance(names, list | tuple):
            return value
        order = tuple(str(name).strip().lower() for name in names if str(name).strip())
        unknown = [name for name in order if name not in DEFAULT_ORDER]
        if unknown:
            raise ValueError(
                f"names unknown providers {unknown}; expected some of {', '.join(DEFAULT_ORDER)}"
            )
        return order or DEFAULT_ORDER

    # ------------------------------------------------------------------- values for the code

    def database_url_value(self) -> str:
        """The ledger's URL as configured (``Database`` normalises it), with its password."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return self.home_database_url()

    def home_database_url(self) -> str:
        """The default ledger: the SQLite file in ``home``."""
        return f"sqlite:///{self.home / 'paperdesk.db'}"

    def redis_url_value(self) -> str | None:
        """The Redis URL with its password, or None for the in-process cache."""
        return None if self.redis_url is None else self.redis_url.get_secret_value()

    def redis_prefix_for(self, database_url: str) -> str:
        """The Redis key prefix for the ledger at ``database_url`` (``Database.url``)."""
        return self.redis_prefix or f"paperdesk:{_digest(database_url)}:"

    def parquet_root(self, database_url: str) -> Path:
        """``<home>/cache/bars`` for the home's own SQLite ledger; any other database
        (``Database.url``) gets a folder of its own, so bars imported into one ledger never
        answer for another."""
        if database_url == self.home_database_url():
            from paperdesk.data.parquet_cache import default_cache_root  # pandas, pyarrow

            return default_cache_root(self.home)
        return self.home / "cache" / f"bars-{_digest(database_url)}"

    def api_key(self, provider: str) -> str | None:
        """The API key of ``provider`` (e.g. ``finnhub``), or None when it has none."""
        field = API_KEY_FIELDS.get(provider)
        secret = None if field is None else getattr(self, field)
        return None if secret is None else secret.get_secret_value()

    def provider_settings(self) -> ProviderSettings:
        """What the provider aggregator needs: order, keys, the ccxt exchange and the home."""
        keys = {name: key for name in API_KEY_FIELDS if (key := self.api_key(name)) is not None}
        urls = {name: url for name, field in URL_FIELDS.items() if (url := getattr(self, field))}
        return ProviderSettings(
            order=self.providers,
            api_keys=keys,
            ccxt_exchange=self.ccxt_exchange,
            home=self.home,
            base_urls=urls,
            timeout=self.provider_timeout,
        )

    # ------------------------------------------------------------------------------ display

    @classmethod
    def environment_variables(cls) -> dict[str, str]:
        """``{field name: environment variable}`` for every setting."""
        prefix = cls.model_config.get("env_prefix", "")
        return {
            name: str(field.validation_alias or f"{prefix}{name}".upper())
            for name, field in cls.model_fields.items()
        }

    def describe(self) -> dict[str, str]:
        """``{environment variable: value}`` safe to print: URLs without their password, API
        keys only as ``set`` or ``not set``."""
        shown: dict[str, str] = {}
        for name, variable in self.environment_variables().items():
            value = getattr(self, name)
            if name == "database_url":
                shown[variable] = hide_password(self.database_url_value())
            elif value is None:
                shown[variable] = "not set"
            elif name in API_KEY_FIELDS.values():
                shown[variable] = "set"
            elif isinstance(value, SecretStr):
                shown[variable] = hide_password(value.get_secret_value())
            elif isinstance(value, tuple):
                shown[variable] = ",".join(value)
            else:
                shown[variable] = str(value)
        return shown


def hand_to_spawned_processes(**values: str) -> None:
    """Set settings (by field name) in this process's environment, where the processes it
    spawns from now on read them: ``serve --workers N``'s workers build their own container
    from the environment, and take the log level and format the command resolved this way."""
    variables = Settings.environment_variables()
    for name, value in values.items():
        os.environ[variables[name]] = value


def unchecked_setting(name: str) -> str | None:
    """A setting (by field name) as this process's environment holds it, unchecked (None: not
    set): for when the settings were refused as a whole (a server refused for another setting
    still refuses in the log format this one asks for); a ``.env`` file is not read."""
    return os.environ.get(Settings.environment_variables()[name])


def hide_password(url: str) -> str:
    """``url`` with the password of its ``user:password@`` part replaced by ``***`` (up to the
    last ``@``: a password holding ``@`` or ``/`` is hidden whole, never shown in part)."""
    return _PASSWORD.sub(rf"\1:{HIDDEN}@", url, count=1)


def env_file_path(environment: Mapping[str, str]) -> Path | None:
    """The ``.env`` file to read: the one ``PAPERDESK_ENV_FILE`` names (it must exist), none
    when it is ``none``, else ``.env`` in the working directory when there is one."""
    named = environment.get(ENV_FILE_VARIABLE, "").strip()
    if named.lower() == NO_ENV_FILE:
        return None
    if not named:
        default = Path(".env")
        return default.absolute() if default.is_file() else None
    path = Path(named).expanduser()
    if not path.is_file():
        raise InvalidInputError(
            f"{ENV_FILE_VARIABLE} names {named!r}, which is not a file; name an existing .env "
            f"file, or set it to {NO_ENV_FILE} to read no .env file"
        )
    return path.absolute()


def read_env_file(path: Path) -> dict[str, str]:
    """The keys set in the ``.env`` file at ``path`` (a key without ``=`` is left out); an
    unreadable file is an ``InvalidInputError`` naming it (its contents never shown)."""
    from dotenv import dotenv_values  # pydantic-settings' own .env reader

    try:
        values = dotenv_values(path, encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInputError(f"cannot read the .env file {path}: it is not UTF-8 text") from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InvalidInputError(f"cannot read the .env file {path}: {reason}") from None
    return {name: value for name, value in values.items() if value is not None}


def explain(
    error: ValidationError, from_file: Collection[str] = (), env_file: Path | None = None
) -> str:
    """One line naming each bad environment variable and what was expected (secrets unshown);
    a variable among ``from_file`` (upper case) is named with the ``.env`` file it came from."""
    variables = Settings.environment_variables()
    field_at = {**{name: name for name in variables}, **{v: name for name, v in variables.items()}}
    problems = []
    for problem in error.errors(include_url=False):
        location = str(problem["loc"][0]) if problem["loc"] else "settings"
        field = field_at.get(location, location)
        variable = variables.get(field, location)
        if variable.upper() in from_file:
            variable = f"{variable} (in {env_file})"
        cause = problem.get("ctx", {}).get("error")
        if problem["type"] == "value_error" and cause is not None:
            problems.append(f"{variable} {cause}")
            continue
        given = "a hidden value" if field in SECRET_FIELDS else repr(problem.get("input"))
        expected = problem["msg"][:1].lower() + problem["msg"][1:]
        problems.append(f"{variable}: {expected}, not {given}")
    return "; ".join(problems)


def misspelled_variables(
    environment: Mapping[str, str], *, source: Path | None = None
) -> list[str]:
    """A line for each set ``PAPERDESK_*`` variable that is no setting but close to one (a typo
    would otherwise be ignored in silence and its default used); other unknown ``PAPERDESK_*``
    names (a test harness's own) are left alone. ``source``: the ``.env`` file they come from."""
    known = {variable.upper() for variable in Settings.environment_variables().values()}
    known.add(ENV_FILE_VARIABLE)
    prefix = str(Settings.model_config.get("env_prefix", "")).upper()
    by_suffix = {variable.removeprefix(prefix): variable for variable in known}
    lines = []
    for name, value in sorted(environment.items()):
        upper = name.upper()
        if not upper.startswith(prefix) or upper in known or not value.strip():
            continue
        close = difflib.get_close_matches(upper.removeprefix(prefix), by_suffix, n=1, cutoff=0.8)
        if close:
            where = "" if source is None else f" in {source}"
            action = "rename or unset it" if source is None else "rename or remove it"
            lines.append(
                f"{name}{where} is not a paperdesk setting (did you mean "
                f"{by_suffix[close[0]]}?); {action}"
            )
    return lines


def _is_redis_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number in range)
    except ValueError:
        return False
    if parts.scheme.lower() == "unix":
        return bool(parts.path)
    database = parts.path.lstrip("/")
    return parts.scheme.lower() in {"redis", "rediss"} and (not database or database.isdigit())


def _digest(database_url: str) -> str:
    return hashlib.sha256(database_url.encode()).hexdigest()[:12]
