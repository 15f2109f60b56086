"""Shared fixtures: a fresh ledger database on SQLite and, where a server is reachable, on
PostgreSQL (CI sets ``DATABASE_URL``; with ``CI=true`` an unreachable server fails instead of
skipping)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ledger_templates import SchemaPool, SqliteTemplate
from paperdesk.settings import ENV_FILE_VARIABLE, NO_ENV_FILE, Settings
from paperdesk.store import Database, normalise_url

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
ON_CI = os.environ.get("CI", "").lower() == "true"


def postgres_url() -> str:
    configured = os.environ.get("DATABASE_URL", "")
    return configured if configured.startswith("postgresql") else DEFAULT_POSTGRES


def _postgres_unavailable(url: str) -> str | None:
    try:
        engine = create_engine(normalise_url(url), connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any failure to connect means: no server here
        return f"PostgreSQL at {make_url(url).render_as_string()} is unreachable: {error}"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> str:
    url = postgres_url()
    problem = _postgres_unavailable(url)
    if problem is not None:
        if ON_CI:
            pytest.fail(f"CI=true but {problem}")
        pytest.skip(problem)
    return url


@pytest.fixture
def postgres_schema_url(postgres_server: str) -> Iterator[str]:
    """A URL whose connections live in a fresh schema, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(postgres_server))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(normalise_url(postgres_server)).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No paperdesk setting in the environment and no ``.env`` file read: set the ones a test
    needs on what it returns."""
    for variable in Settings.environment_variables().values():
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv(ENV_FILE_VARIABLE, NO_ENV_FILE)
    return monkeypatch


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'ledger.db'}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_schemas(postgres_server: str) -> Iterator[SchemaPool]:
    pool = SchemaPool(postgres_server)
    yield pool
    pool.close()


@pytest.fixture
def migrated_postgres_schema_url(postgres_schemas: SchemaPool) -> Iterator[str]:
    """A URL whose connections live in a schema at the newest revision holding only the rows
    the migrations write (emptied back to that state afterwards, see ``ledger_templates``)."""
    schema = postgres_schemas.take()
    try:
        yield postgres_schemas.url(schema)
    finally:
        postgres_schemas.give_back(schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a new database, migrated to the newest schema (as the first ``Database(url)``
    leaves one) and holding nothing else, once per supported backend."""
    if request.param == "sqlite":
        request.getfixturevalue("sqlite_template").copy_to(tmp_path / "ledger.db")
        return sqlite_url(tmp_path)
    return str(request.getfixturevalue("migrated_postgres_schema_url"))


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.close()


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "").strip() or DEFAULT_REDIS


@pytest.fixture(scope="session")
def redis_server() -> str:
    """The URL of a reachable Redis server (``REDIS_URL``, else the local default); skipped
    with the reason where none answers, failed instead with ``CI=true``."""
    url = redis_url()
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
    except (redis.RedisError, OSError) as error:
        problem = f"Redis at {url} is unreachable: {error}"
        if ON_CI:
            pytest.fail(f"CI=true but {problem}")
        pytest.skip(problem)
    return url


@pytest.fixture(autouse=True, scope="session")
def _own_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The session's own empty PAPERDESK_HOME under pytest's temporary folder (tests and
    fixtures set others as they need): no test reads or migrates the user's ``~/.paperdesk``,
    and no test (nor a process it starts) reads a developer's ``.env`` file."""
    chosen = {
        "PAPERDESK_HOME": str(tmp_path_factory.mktemp("session-home")),
        ENV_FILE_VARIABLE: NO_ENV_FILE,
    }
    before = {variable: os.environ.get(variable) for variable in chosen}
    os.environ.update(chosen)
    yield
    for variable, value in before.items():
        if value is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = value


@pytest.fixture(autouse=True)
def _forget_asset_classes() -> Iterator[None]:
    """Each test starts as a new process would: no asset class remembered from stored series."""
    from paperdesk.data.instruments import forget_asset_classes

    forget_asset_classes()
    yield
    forget_asset_classes()


@pytest.fixture
def registry_as_it_was() -> Iterator[None]:
    """A class loaded by path stays registered for the process, and other tests list the
    registry: leave it as it was found."""
    from paperdesk.analysis.strategies.registry import default_registry

    registry = default_registry()
    registry.discover()
    classes, sources = dict(registry._classes), dict(registry._sources)
    yield
    registry._classes.clear()
    registry._classes.update(classes)
    registry._sources.clear()
    registry._sources.update(sources)
