"""Bulk writes on PostgreSQL: reserved ids and binary ``COPY`` store exactly what the ORM
would (JSON from serialised bytes, timestamps, floats, NULLs, non-ASCII text)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import orjson
import pytest
from psycopg.errors import StringDataRightTruncation
from db_fixtures import empty_tables
from sqlalchemy import select

from keepwild.store.bulk import copy_rows, copy_types, reserve_ids
from keepwild.store.database import Database
from keepwild.store.tables import Base, Listing, ScanRecord


@pytest.fixture
def pg(postgresql_database: str) -> Iterator[Database]:
    """COPY and sequences are PostgreSQL's: these tests have no SQLite half."""
    empty_tables(postgresql_database)
    database = Database(postgresql_database)
    yield database
    database.dispose()


def test_every_column_of_the_copied_tables_has_a_binary_type() -> None:
    for name in ("listings", "scan_results", "queue_items"):
        table = Base.metadata.tables[name]
        types = copy_types(table, tuple(table.c.keys()))
        assert len(types) == len(table.c)
    assert copy_types(Listing.__table__, ("id", "images", "first_seen", "score", "title")) == [
        "int4", "bytea", "timestamptz", "float8", "text"]


def test_reserved_ids_are_distinct_and_never_handed_out_again(pg: Database) -> None:
    with pg.transaction() as session:
        first = reserve_ids(session, Listing.__table__, 1000)
        second = reserve_ids(session, Listing.__table__, 3)
        assert reserve_ids(session, Listing.__table__, 0) == []
    assert len(set(first)) == 1000 and first == sorted(first)
    assert min(second) > max(first)


def test_binary_copy_stores_what_was_sent(pg: Database) -> None:
    now = datetime(2026, 11, 2, 9, 31, 0, 123456, tzinfo=UTC)
    columns = ("id", "external_id", "title", "description", "price", "currency", "seller",
               "url", "url_hash", "images", "lang", "content_hash", "first_seen", "last_seen",
               "verdict", "score", "language", "category")
    explanation = {"matches": [{"term": "象牙", "start": 0, "obfuscation": ["leet"],
                                "excused_by": None, "weight": 0.75}],
                   "reasons": [{"rule": "r", "detail": "tab\there \\ \"quoted\"\n"}]}
    with pg.transaction() as session:
        [listing_id] = reserve_ids(session, Listing.__table__, 1)
        copy_rows(session, Listing.__table__, columns, [
            (listing_id, "p-1", "Pembe za ndovu\tzinauzwa", "象牙 \\ ñ\n🐘", 12.5, "KES", None,
             None, None, orjson.dumps(["https://x/1.jpg"]), None, "c" * 64, now, now, "block",
             0.91, "sw", "ivory")])
        [scan_id] = reserve_ids(session, ScanRecord.__table__, 1)
        copy_rows(session, ScanRecord.__table__,
                  ("id", "listing_id", "scanned_at", "lexicon_version", "model_version",
                   "policy", "verdict", "score", "language", "categories", "explanation"),
                  [(scan_id, listing_id, now, "2026.12.0", None, "coalition", "block", 0.91,
                    "sw", orjson.dumps(("ivory",)), orjson.dumps(explanation))])
    with pg.session() as session:
        listing = session.execute(select(Listing)).scalar_one()
        scan = session.execute(select(ScanRecord)).scalar_one()
    assert (listing.id, listing.title, listing.description) == (
        listing_id, "Pembe za ndovu\tzinauzwa", "象牙 \\ ñ\n🐘")
    assert (listing.price, listing.seller, listing.images) == (12.5, None, ["https://x/1.jpg"])
    assert listing.first_seen == now and listing.last_seen == now
    assert (scan.listing_id, scan.model_version, scan.categories) == (listing_id, None,
                                                                      ["ivory"])
    assert scan.explanation == explanation and scan.scanned_at == now


def test_binary_copy_keeps_the_column_limits(pg: Database) -> None:
    now = datetime(2026, 11, 2, tzinfo=UTC)
    with pytest.raises(StringDataRightTruncation), pg.transaction() as session:
        [listing_id] = reserve_ids(session, Listing.__table__, 1)
        copy_rows(session, Listing.__table__,
                  ("id", "external_id", "title", "description", "images", "content_hash",
                   "first_seen", "last_seen", "verdict", "score", "language"),
                  [(listing_id, "p-1", "t", "d", b"[]", "c" * 64, now, now, "allow", 0.0,
                    "x" * 17)])
