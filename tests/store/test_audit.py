"""The audit chain: appends link, concurrent writers never fork it, and editing, deleting or
truncating rows is detected with the first bad entry named."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from keepwild.store import Database
from keepwild.store.audit import append, verify

T0 = datetime(2026, 11, 2, 9, 30, 0, 123456, tzinfo=UTC)


def _fill(db: Database, count: int) -> None:
    for index in range(count):
        with db.transaction() as session:
            append(session, at=T0 + timedelta(seconds=index), actor="moderator:ana",
                   action="queue.decision", subject=f"listing:{index}",
                   details={"action": "remove", "score": 0.91, "note": "ivoire sculpté"})


def _verify(db: Database):  # type: ignore[no-untyped-def]
    with db.session() as session:
        return verify(session)


def test_intact_chain_verifies(db: Database) -> None:
    _fill(db, 5)
    result = _verify(db)
    assert result.ok and result.entries == 5 and result.first_bad is None


def test_edited_row_is_detected(db: Database) -> None:
    _fill(db, 5)
    with db.transaction() as session:
        session.execute(text("UPDATE audit_log SET actor = 'moderator:eve' WHERE seq = 3"))
    result = _verify(db)
    assert not result.ok
    assert result.first_bad == 3
    assert "edited" in result.reason


def test_edited_details_are_detected(db: Database) -> None:
    _fill(db, 4)
    with db.transaction() as session:
        session.execute(text("UPDATE audit_log SET details = :d WHERE seq = 2"),
                        {"d": '{"action": "allow", "score": 0.91, "note": "ivoire sculpté"}'})
    assert _verify(db).first_bad == 2


def test_rehashed_row_breaks_the_link_to_the_next(db: Database) -> None:
    """A forger who recomputes the edited row's own hash still breaks the next link."""
    _fill(db, 4)
    with db.transaction() as session:
        session.execute(text("UPDATE audit_log SET hash = :h WHERE seq = 2"), {"h": "f" * 64})
    result = _verify(db)
    assert not result.ok and result.first_bad == 2


def test_deleted_rows_are_detected(db: Database) -> None:
    _fill(db, 5)
    with db.transaction() as session:
        session.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    result = _verify(db)
    assert not result.ok and result.first_bad == 2 and "missing" in result.reason
    with db.transaction() as session:
        session.execute(text("DELETE FROM audit_log WHERE seq >= 2"))
    result = _verify(db)
    assert not result.ok and "removed from the end" in result.reason


def test_concurrent_appenders_extend_one_chain(db: Database) -> None:
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            barrier.wait()
            for index in range(10):
                with db.transaction() as session:
                    append(session, at=datetime.now(UTC), actor=f"w:{name}",
                           action="test", details={"i": index})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(str(n),)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = _verify(db)
    assert result.ok and result.entries == 40
