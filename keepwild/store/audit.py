"""The audit trail: append-only, and hash-chained so that tampering is detectable.

Each entry's hash covers its own fields and the previous entry's hash, so editing, deleting or
reordering any row breaks every hash after it, and :func:`verify` names the first broken
entry. The one-row ``audit_head`` table holds the last sequence number and hash; an appender
locks it for the rest of its transaction, so concurrent writers extend the chain one after
the other instead of forking it, and cutting entries off the end is caught because the head
no longer matches the last row.

The chain proves the log is intact, not that it was written honestly: it should be anchored
elsewhere from time to time (the head hash printed by ``keepwild audit verify``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from keepwild.store.tables import AuditEntry, AuditHead

__all__ = ["GENESIS", "append", "entry_hash", "verify", "Verification", "entries"]

GENESIS = "0" * 64


def _instant(at: datetime) -> str:
    """The timestamp as hashed: UTC to the microsecond, the precision both databases keep."""
    stamp = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(seq: int, at: datetime, actor: str, action: str, subject: str,
               details: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 over a canonical JSON form of the entry and the previous hash."""
    body = json.dumps(
        [seq, _instant(at), actor, action, subject, details, prev_hash],
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(session: Session, *, at: datetime, actor: str, action: str, subject: str = "",
           details: dict[str, Any] | None = None) -> int:
    """Add one entry in the caller's transaction; returns its sequence number.

    Call it last in a transaction: the head row stays locked until commit.
    """
    details = details or {}
    head = session.execute(
        select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()
    ).one()
    seq = head.seq + 1
    digest = entry_hash(seq, at, actor, action, subject, details, head.hash)
    session.execute(insert(AuditEntry).values(
        seq=seq, at=at, actor=actor, action=action, subject=subject, details=details,
        prev_hash=head.hash, hash=digest,
    ))
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=digest))
    return seq


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of walking the chain."""

    ok: bool
    entries: int
    head: str
    first_bad: int | None = None
    reason: str = ""


def verify(session: Session, *, batch: int = 2000) -> Verification:
    """Recompute every hash in order; report the first entry that does not fit."""
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    result = session.execute(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch))
    try:
        for row in result.scalars():
            if row.seq != expected_seq:
                return Verification(False, count, expected_prev, expected_seq,
                                    f"entry {expected_seq} is missing (next is {row.seq})")
            if row.prev_hash != expected_prev:
                return Verification(False, count, expected_prev, row.seq,
                                    "does not link to the previous entry")
            digest = entry_hash(row.seq, row.at, row.actor, row.action, row.subject,
                                row.details, row.prev_hash)
            if digest != row.hash:
                return Verification(False, count, expected_prev, row.seq,
                                    "its content does not match its hash (edited)")
            expected_prev = row.hash
            expected_seq += 1
            count += 1
    finally:
        result.close()  # a server-side cursor on PostgreSQL
    head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
    if head.seq != count or head.hash != expected_prev:
        return Verification(False, count, expected_prev, count + 1,
                            f"the head says {head.seq} entries ending {head.hash[:12]}; "
                            "entries were removed from the end")
    return Verification(True, count, expected_prev)


def entries(session: Session, *, after: int = 0, limit: int = 100) -> Iterator[AuditEntry]:
    """Entries with ``seq > after``, oldest first, for paging through the log."""
    yield from session.execute(
        select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(limit)
    ).scalars()
