"""Opening a keepwild database: the embedded SQLite file by default, PostgreSQL when
``KEEPWILD_DATABASE_URL`` (or an explicit URL) names one.

SQLite is made to behave like a server database for the service's purposes: foreign keys
on, write-ahead logging so readers never block, and every transaction started with
``BEGIN IMMEDIATE`` so two writers queue for the lock instead of failing half-way (the queue
claim and the audit chain rely on writers being serialised).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import platformdirs
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from keepwild.store.errors import StoreError

__all__ = ["Database", "default_database_url", "normalise_url", "as_utc", "ENV_URL"]

ENV_URL = "KEEPWILD_DATABASE_URL"


def default_database_url() -> str:
    """``KEEPWILD_DATABASE_URL`` if set, else an SQLite file in the user's data directory."""
    configured = os.environ.get(ENV_URL)
    if configured:
        return configured
    folder = Path(platformdirs.user_data_dir("keepwild", appauthor=False))
    return f"sqlite:///{folder / 'keepwild.db'}"


def normalise_url(url: str) -> URL:
    """Parse ``url``; plain ``postgresql://`` URLs get the psycopg 3 driver we ship."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r}") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(f"keepwild runs on SQLite or PostgreSQL, not {parsed.drivername!r}")
    return parsed


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything keepwild stores is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _sqlite_engine(url: URL, echo: bool) -> Engine:
    path = url.database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    """An engine and a session factory for one keepwild database.

    >>> db = Database("sqlite:///keepwild.db")        # doctest: +SKIP
    >>> db.upgrade()                                   # create or migrate the schema
    >>> with db.transaction() as session: ...          # commits on success
    """

    def __init__(self, url: str | None = None, *, echo: bool = False,
                 pool_size: int = 10) -> None:
        self.url = normalise_url(url or default_database_url())
        if self.url.get_backend_name() == "sqlite":
            self.engine = _sqlite_engine(self.url, echo)
        else:
            self.engine = create_engine(self.url, echo=echo, pool_size=pool_size,
                                        max_overflow=pool_size, pool_pre_ping=True)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``: the few queries that differ branch on it."""
        return self.url.get_backend_name()

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"

    def session(self) -> Session:
        return self.sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in a transaction: committed if the block succeeds, rolled back if not."""
        with self.sessions() as session, session.begin():
            yield session

    def _alembic(self) -> Config:
        config = Config()
        config.set_main_option("script_location",
                               str(files("keepwild.store").joinpath("migrations")))
        return config

    def upgrade(self, revision: str = "head") -> None:
        """Create the schema or bring it up to ``revision`` (idempotent)."""
        config = self._alembic()
        with self.engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.commit()

    def revision(self) -> str | None:
        """The schema revision the database is at (None: never migrated)."""
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head(self) -> str | None:
        """The newest revision this keepwild knows."""
        return ScriptDirectory.from_config(self._alembic()).get_current_head()

    def dispose(self) -> None:
        self.engine.dispose()
