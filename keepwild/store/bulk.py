"""Bulk writes for batched ingest on PostgreSQL: ids reserved in one query, rows sent with
``COPY``, and id lists passed as one array parameter.

A multi-row ``INSERT ... VALUES`` of 1,000 listings carries 17,000 bind parameters, and
psycopg re-parses such a statement on every execution (it is too long for its query cache):
that parsing was half the database time of a batch. ``COPY`` streams the rows instead, with
no statement to parse and no per-row round trip. ``COPY`` cannot return the ids it assigned,
so the ids are taken from the table's sequence first (:func:`reserve_ids`), which also lets
rows of one table refer to rows of another written in the same batch.

SQLite has neither ``COPY`` nor sequences; its callers keep plain ``executemany`` inserts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Table, any_, bindparam, text
from sqlalchemy.orm import Session

__all__ = ["reserve_ids", "copy_rows", "one_of"]

_RESERVE = text("SELECT nextval(sequence) FROM pg_get_serial_sequence(:table, 'id') AS sequence,"
                " generate_series(1, :count)")


def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` fresh ids from ``table``'s id sequence (PostgreSQL), in one round trip.

    Sequence values are never handed out twice, even to transactions that roll back, so the
    ids are ours whether or not this transaction commits (a rollback leaves a gap, as any
    failed insert does)."""
    return list(session.execute(_RESERVE, {"table": table.name, "count": count}).scalars())


def copy_rows(session: Session, table: Table, columns: Sequence[str],
              rows: Iterable[Sequence[Any]]) -> None:
    """Write ``rows`` (values in ``columns`` order) into ``table`` with ``COPY ... FROM STDIN``
    in the session's transaction (PostgreSQL).

    JSON columns take their value already serialised, as ``str``; text-format ``COPY`` hands
    it to the server, which parses it as the column's type. A constraint violation raises the
    driver's own error (``psycopg.errors.UniqueViolation`` ...) and leaves the transaction
    aborted: callers that can recover wrap the call in a savepoint."""
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    names = ", ".join(f'"{name}"' for name in columns)
    with cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def one_of(dialect: str, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """``column IN values``: on PostgreSQL as ``= ANY(array)``, one parameter whatever the
    number of values (an expanded ``IN`` of a 1,000-listing batch is 1,000 parameters to
    render and parse); elsewhere a plain ``IN``."""
    if dialect == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))
