"""Alembic environment: migrates the connection :meth:`Database.upgrade` passes in, or the URL
in ``sqlalchemy.url`` when run through the ``alembic`` command."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from keepwild.store.tables import Base

config = context.config


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as fresh:
        _run(fresh)
