"""Each service process's bank index follows the database: two indexes on one database (two
workers) see each other's additions, removals and settings at their next sync, and an index
rebuilds when the tables are emptied under it, even if new ids repeat old ones."""

from __future__ import annotations

from datetime import UTC, datetime

from db_fixtures import empty_tables

from keepwild.media.hashing import PdqHash
from keepwild.store.banks import BankIndex, add_hashes, configure_bank, create_bank, remove_hashes
from keepwild.store.database import Database

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
A, B, C = (bytes([v]) * 32 for v in (0x0F, 0xF0, 0x3C))


def _query(code: bytes) -> PdqHash:
    return PdqHash(code, 100, code)


def _found(index: BankIndex, code: bytes) -> list[tuple[str, int]]:
    [matches] = index.sync().match([_query(code)])
    return [(m.bank, m.distance) for m in matches]


def _add(db: Database, bank: str, *codes: bytes) -> None:
    add_hashes(db, actor="curator:ana", now=NOW, name=bank,
               entries=[{"hash": c, "category": "ivory"} for c in codes])


def test_two_processes_see_each_others_changes(db: Database, database_url: str) -> None:
    first, second = BankIndex(db), BankIndex(db)
    assert _found(first, A) == [] and second.sync().stats()["entries"] == 0
    create_bank(db, actor="curator:ana", now=NOW, name="ivory-photos")
    _add(db, "ivory-photos", A, B)
    assert _found(first, A) == [("ivory-photos", 0)]
    assert _found(second, B) == [("ivory-photos", 0)]
    remove_hashes(db, actor="curator:ana", now=NOW, name="ivory-photos", hashes=[A])
    assert _found(second, A) == [] and _found(first, A) == []
    assert _found(first, B) == [("ivory-photos", 0)]
    configure_bank(db, actor="curator:ana", now=NOW, name="ivory-photos", enabled=False)
    assert _found(second, B) == []
    status = second.status()
    assert status["current"] and status["version"] == status["database_version"]
    assert (status["entries"], status["removed"]) == (1, 1)

    # the tables are emptied (a restore, or the next test): new ids 1, 2 are other hashes
    empty_tables(database_url)
    create_bank(db, actor="curator:ana", now=NOW, name="ivory-photos")
    _add(db, "ivory-photos", C, A)
    assert _found(first, B) == []  # not the old entry 2
    assert _found(first, C) == [("ivory-photos", 0)]
    assert _found(first, A) == [("ivory-photos", 0)]  # no stale tombstone either
    assert first.status()["entries"] == 2
    empty_tables(database_url)
    assert _found(second, C) == [] and second.status()["entries"] == 0
