"""The few SQL constructs that differ between SQLite and PostgreSQL, behind one name each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Float, Table, cast, extract, func
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["insert_for", "week_start", "seconds_between"]


def insert_for(dialect: str, table: Table | Any) -> Any:
    """An INSERT that supports ``on_conflict_do_nothing`` / ``on_conflict_do_update``."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def week_start(dialect: str, column: Any) -> ColumnElement[str]:
    """The Monday (UTC) of the week ``column`` falls in, as ``YYYY-MM-DD``."""
    if dialect == "postgresql":
        return func.to_char(func.date_trunc("week", func.timezone("UTC", column)), "YYYY-MM-DD")
    return func.date(column, "weekday 0", "-6 days")


def seconds_between(dialect: str, start: Any, end: Any) -> ColumnElement[float]:
    if dialect == "postgresql":
        return extract("epoch", end - start)
    return cast((func.julianday(end) - func.julianday(start)) * 86400.0, Float)
