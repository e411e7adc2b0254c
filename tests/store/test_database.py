"""The schema: migrations create exactly the declared tables, on both databases, and the
database is chosen by URL, environment or the embedded default."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from keepwild.store import Database, StoreError, default_database_url
from keepwild.store.tables import Base


def test_migrations_match_the_declared_tables(db: Database) -> None:
    assert db.revision() == db.head()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    tables = set(inspect(db.engine).get_table_names())
    assert {"listings", "queue_items", "decisions", "reports", "users", "api_keys",
            "audit_log", "deliveries"} <= tables


def test_upgrade_is_idempotent(db: Database) -> None:
    db.upgrade()
    db.upgrade()
    assert db.revision() == db.head()


def test_open_queue_items_are_unique_per_target(db: Database) -> None:
    from datetime import UTC, datetime

    from sqlalchemy.exc import IntegrityError

    from keepwild.store.tables import QueueItem

    now = datetime.now(UTC)

    def item(status: str) -> QueueItem:
        return QueueItem(target="url:x", source="report", priority=0.5, status=status,
                         created_at=now)

    with db.transaction() as session:
        session.add_all([item("decided"), item("decided"), item("pending")])
    with pytest.raises(IntegrityError):
        with db.transaction() as session:
            session.add(item("claimed"))


def test_default_is_an_sqlite_file_in_the_data_directory(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    monkeypatch.delenv("KEEPWILD_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    url = default_database_url()
    assert url == f"sqlite:///{tmp_path / 'keepwild' / 'keepwild.db'}"
    database = Database()
    database.upgrade()
    assert (tmp_path / "keepwild" / "keepwild.db").is_file()
    database.dispose()


def test_environment_selects_the_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEPWILD_DATABASE_URL", "postgresql://u@db.example:5432/kw")
    database = Database()
    assert database.dialect == "postgresql"
    assert database.url.drivername == "postgresql+psycopg"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
def test_unsupported_urls_are_refused(url: str) -> None:
    with pytest.raises(StoreError):
        Database(url)
