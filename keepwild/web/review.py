"""What the review page needs beyond the service's queue functions: the matched spans of a
listing as highlighted segments, the seller's other listings, a moderator's recent
decisions, skipping an item, and undoing a decision within a short window.

Skip and undo change the service's tables directly (the service exposes no such operation);
each is one transaction with its audit entry, like every queue change. Undo removes the
decision, takes its count back out of the per-term statistics, returns the item to the
moderator's hands under a fresh lease, and tells the platform through its webhooks
(``decision.undo``), since the first decision may already have been delivered.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from keepwild.service.auth import Principal
from keepwild.service.errors import Conflict, NotFound
from keepwild.service.learning import CONFIRMING
from keepwild.service.listings import latest_scan
from keepwild.service.webhooks import enqueue
from keepwild.store import audit
from keepwild.store.database import Database, as_utc
from keepwild.store.tables import Decision, Listing, QueueItem, TermStat

__all__ = ["UNDO_SECONDS", "Segment", "highlight", "seller_listings", "recent_decisions",
           "my_claim", "release", "undo"]

#: How long a moderator can take a decision back.
UNDO_SECONDS = 120


class Segment(NamedTuple):
    """A run of a field's text; ``terms`` are the lexicon terms matched on it (if any)."""

    text: str
    terms: tuple[str, ...]
    kinds: tuple[str, ...]


def highlight(text: str, matches: Iterable[dict[str, Any]], field: str) -> list[Segment]:
    """``text`` cut at every match boundary of ``field``, so overlapping matches (``ivory``
    inside ``ivory bangle``) mark the shared letters with both terms."""
    spans = [m for m in matches if m.get("field") == field
             and 0 <= m.get("start", -1) < m.get("end", -1) <= len(text)]
    cuts = sorted({0, len(text), *(m["start"] for m in spans), *(m["end"] for m in spans)})
    segments = []
    for start, end in zip(cuts, cuts[1:]):
        covering = [m for m in spans if m["start"] <= start and end <= m["end"]]
        terms = tuple(dict.fromkeys(m["term"] for m in covering))
        kinds = tuple(dict.fromkeys(m["kind"] for m in covering))
        segments.append(Segment(text[start:end], terms, kinds))
    return segments


def seller_listings(session: Session, listing_id: int, seller: str | None,
                    limit: int = 10) -> list[dict[str, Any]]:
    """The same seller's other listings, newest first: one bad listing often has company."""
    if not seller:
        return []
    rows = session.execute(select(Listing).where(Listing.seller == seller,
                                                 Listing.id != listing_id)
                           .order_by(Listing.last_seen.desc(), Listing.id.desc()).limit(limit))
    return [{"id": row.external_id, "title": row.title, "verdict": row.verdict,
             "score": row.score, "category": row.category, "url": row.url}
            for row in rows.scalars()]


def recent_decisions(session: Session, moderator_id: int, now: datetime,
                     limit: int = 8) -> list[dict[str, Any]]:
    """The moderator's latest decisions, each saying whether it can still be undone."""
    rows = session.execute(
        select(Decision, Listing.title, Listing.external_id)
        .outerjoin(Listing, Listing.id == Decision.listing_id)
        .where(Decision.moderator_id == moderator_id)
        .order_by(Decision.id.desc()).limit(limit))
    views = []
    for decision, title, external_id in rows:
        at = as_utc(decision.created_at)
        assert at is not None
        views.append({"id": decision.id, "item": decision.queue_item_id,
                      "action": decision.action, "policy_reason": decision.policy_reason,
                      "title": title, "listing": external_id, "at": at,
                      "undoable": now - at <= timedelta(seconds=UNDO_SECONDS)})
    return views


def my_claim(session: Session, moderator_id: int, now: datetime) -> int | None:
    """The item this moderator holds under a running lease, if any (oldest first)."""
    return session.execute(select(QueueItem.id).where(
        QueueItem.status == "claimed", QueueItem.claimed_by == moderator_id,
        QueueItem.lease_expires_at > now).order_by(QueueItem.id).limit(1)).scalar_one_or_none()


def _held(session: Session, moderator: Principal, item_id: int) -> QueueItem:
    item = session.execute(select(QueueItem).where(QueueItem.id == item_id)
                           .with_for_update()).scalar_one_or_none()
    if item is None:
        raise NotFound(f"no queue item {item_id}")
    if item.status != "claimed" or item.claimed_by != moderator.user_id:
        raise Conflict(f"queue item {item_id} is not yours to skip")
    return item


def release(db: Database, moderator: Principal, item_id: int, now: datetime) -> None:
    """Skip: give a held item back to the queue for someone else, undecided."""
    with db.transaction() as session:
        item = _held(session, moderator, item_id)
        item.status, item.claimed_by, item.claimed_at, item.lease_expires_at = (
            "pending", None, None, None)
        audit.append(session, at=now, actor=moderator.actor, action="queue.release",
                     subject=f"queue:{item.id}", details={"queue_item": item.id})


def _uncount(session: Session, matches: Iterable[dict[str, Any]], action: str,
             now: datetime) -> None:
    """Take one decision's count back out of the term statistics it added to."""
    confirmed = action in CONFIRMING
    for lang, term in sorted({(m["lang"], m["term"]) for m in matches}):
        stat = session.execute(select(TermStat).where(and_(
            TermStat.lang == lang, TermStat.term == term)).with_for_update()
        ).scalar_one_or_none()
        if stat is None:
            continue
        if confirmed:
            stat.tp = max(0, stat.tp - 1)
        else:
            stat.fp = max(0, stat.fp - 1)
        stat.updated_at = now


def undo(db: Database, moderator: Principal, decision_id: int, now: datetime,
         lease_seconds: int) -> int:
    """Take back one's own decision made less than :data:`UNDO_SECONDS` ago; returns the
    queue item, which the moderator holds again."""
    with db.transaction() as session:
        decision = session.execute(select(Decision).where(Decision.id == decision_id)
                                   .with_for_update()).scalar_one_or_none()
        if decision is None or decision.moderator_id != moderator.user_id:
            raise NotFound(f"no decision {decision_id} of yours")
        made = as_utc(decision.created_at)
        assert made is not None
        if now - made > timedelta(seconds=UNDO_SECONDS):
            raise Conflict(f"decision {decision_id} is too old to undo")
        item = session.execute(select(QueueItem).where(QueueItem.id == decision.queue_item_id)
                               .with_for_update()).scalar_one()
        scan = latest_scan(session, item.listing_id) if item.listing_id else None
        _uncount(session, scan.explanation.get("matches", []) if scan else [],
                 decision.action, now)
        details = {"decision": decision.id, "queue_item": item.id, "action": decision.action,
                   "policy_reason": decision.policy_reason}
        session.delete(decision)
        item.status, item.decided_at = "claimed", None
        item.claimed_by, item.claimed_at = moderator.user_id, now
        item.lease_expires_at = now + timedelta(seconds=lease_seconds)
        enqueue(session, "decision.undo", {**details, "undone_at": now.isoformat()}, now)
        audit.append(session, at=now, actor=moderator.actor, action="queue.undo",
                     subject=f"queue:{item.id}", details=details)
        return item.id
