"""Database fixtures for the store and service tests: every test that asks for
``database_url`` runs twice, on an SQLite file and on PostgreSQL.

PostgreSQL is found or started once, by the controlling pytest process (see
:mod:`keepwild.store.pgserver`: ``KEEPWILD_TEST_POSTGRES_URL``, then 127.0.0.1:5432, then a
throwaway server from the local binaries), and the test header says which. Each xdist worker
gets its own database, migrated once; tables are emptied before every test. Without a
PostgreSQL the PostgreSQL half of each test is skipped, unless ``CI=true``, where it fails.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator

import psycopg
import pytest

from keepwild.store.audit import GENESIS
from keepwild.store.database import Database
from keepwild.store.pgserver import ENV_TEST_URL, create_database, drop_database, find_or_start

ENV_ERROR = "KEEPWILD_TEST_POSTGRES_ERROR"
_SERVER = None


def pytest_configure(config: pytest.Config) -> None:
    global _SERVER
    if hasattr(config, "workerinput"):
        return  # xdist workers inherit the controller's environment
    try:
        _SERVER = find_or_start()
        os.environ[ENV_TEST_URL] = _SERVER.url
        os.environ.pop(ENV_ERROR, None)
    except Exception as exc:  # reported by the PostgreSQL fixtures, as skip or failure
        os.environ[ENV_ERROR] = str(exc)


def pytest_report_header(config: pytest.Config) -> list[str]:
    if _SERVER is not None:
        return [f"postgresql: {_SERVER.how} ({_SERVER.url})"]
    return [f"postgresql: none available: {os.environ.get(ENV_ERROR, '?')}"]


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SERVER is not None:
        _SERVER.stop()


def _no_postgres(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and no PostgreSQL: {reason}")
    pytest.skip(f"no PostgreSQL: {reason}")


def _migrate(url: str) -> None:
    database = Database(url)
    database.upgrade()
    database.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> str:
    url = os.environ.get(ENV_TEST_URL)
    if not url:
        _no_postgres(os.environ.get(ENV_ERROR, "none found or started"))
    assert url is not None
    return url


@pytest.fixture(scope="session")
def postgresql_database(postgres_server: str) -> Iterator[str]:
    name = f"keepwild_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    url = create_database(postgres_server, name)
    _migrate(url)
    yield url
    drop_database(postgres_server, name)


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'keepwild.db'}"
    _migrate(url)
    return url


def empty_tables(url: str) -> None:
    """Delete every row (keeping the schema) and restart the audit chain."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=60) as connection:
            connection.execute("PRAGMA foreign_keys=OFF")
            tables = [r[0] for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' "
                "AND name NOT IN ('alembic_version') AND name NOT LIKE 'sqlite_%'")]
            for table in tables:
                connection.execute(f'DELETE FROM "{table}"')
            connection.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, ?)",
                               (GENESIS,))
        return
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
        tables = [r[0] for r in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename != 'alembic_version'")]
        connection.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                           + " RESTART IDENTITY CASCADE")
        connection.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, %s)",
                           (GENESIS,))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """An empty, migrated database on each backend in turn."""
    url: str = request.getfixturevalue(f"{request.param}_database")
    empty_tables(url)
    return url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()
