"""The review queue: moderators claim items under a lease and decide them.

Claiming locks candidate rows with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (on SQLite,
writers are serialised by ``BEGIN IMMEDIATE``), so two moderators claiming at the same moment
never receive the same item. A claim is a lease: if the moderator neither decides nor
renews before it expires, the item is claimable again. A moderator may still decide an item
whose lease ran out as long as nobody else has claimed it since.

A decision, its effect on term statistics, the webhook deliveries it triggers and its audit
entry are one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from keepwild.service.auth import Principal
from keepwild.service.errors import Conflict, NotFound
from keepwild.service.learning import record_decision
from keepwild.service.listings import latest_scan, listing_fields, stored_scan_view
from keepwild.service.webhooks import enqueue
from keepwild.store import audit
from keepwild.store.database import Database, as_utc
from keepwild.store.tables import Decision, Listing, QueueItem, Report, ScanRecord

__all__ = ["ACTIONS", "POLICY_REASONS", "claim", "decide", "item_views", "queue_counts"]

ACTIONS = ("remove", "allow", "escalate")
#: Why, in the terms of the Prohibited Wildlife Policy Framework.
POLICY_REASONS = (
    "prohibited_species",      # a CITES-listed animal or plant offered, alive or dead
    "prohibited_product",      # parts and derivatives: ivory, horn, scales, bones, bile...
    "live_animal",             # live protected animal (pets, primates, birds, reptiles)
    "coded_offer",             # code words or disguises hiding a prohibited item
    "legal_exemption",         # allowed: certified antique, documented legal trade
    "not_wildlife",            # allowed: imitation, resin, plant, fashion colour, toy
    "insufficient_evidence",   # allowed for now: nothing shows a prohibited item
    "other",
)


def _claimable(now: datetime) -> Any:
    return or_(QueueItem.status == "pending",
               and_(QueueItem.status == "claimed", QueueItem.lease_expires_at < now))


def claim(db: Database, moderator: Principal, limit: int, now: datetime,
          lease_seconds: int) -> list[dict[str, Any]]:
    """Lease up to ``limit`` items, highest priority first; returns them with their evidence."""
    lease = now + timedelta(seconds=lease_seconds)
    with db.transaction() as session:
        ids = list(session.execute(
            select(QueueItem.id).where(_claimable(now))
            .order_by(QueueItem.priority.desc(), QueueItem.id).limit(limit)
            .with_for_update(skip_locked=True)
        ).scalars())
        if ids:
            session.execute(update(QueueItem).where(QueueItem.id.in_(ids)).values(
                status="claimed", claimed_by=moderator.user_id, claimed_at=now,
                lease_expires_at=lease))
            audit.append(session, at=now, actor=moderator.actor, action="queue.claim",
                         subject=f"moderator:{moderator.username}",
                         details={"items": ids, "lease_expires_at": lease.isoformat()})
        return item_views(session, ids)


def item_views(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """Queue items with what a moderator needs: the listing, its latest scan, the reports."""
    if not ids:
        return []
    items = {i.id: i for i in session.execute(
        select(QueueItem).where(QueueItem.id.in_(ids))).scalars()}
    listings = {listing.id: listing for listing in session.execute(select(Listing).where(
        Listing.id.in_({i.listing_id for i in items.values() if i.listing_id}))).scalars()}
    reports: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for report in session.execute(select(Report).where(Report.queue_item_id.in_(ids))
                                  .order_by(Report.id)).scalars():
        reports[report.queue_item_id].append({
            "receipt": report.receipt, "source": report.source, "category": report.category,
            "text": report.text, "url": report.url, "listing_ref": report.listing_ref,
            "created_at": as_utc(report.created_at)})
    views = []
    for item_id in ids:
        item = items[item_id]
        listing = listings.get(item.listing_id) if item.listing_id else None
        scan = latest_scan(session, listing.id) if listing is not None else None
        views.append({
            "id": item.id, "status": item.status, "source": item.source,
            "priority": round(item.priority, 4), "created_at": as_utc(item.created_at),
            "lease_expires_at": as_utc(item.lease_expires_at), "url": item.url,
            "listing": listing_fields(listing) if listing is not None else None,
            "scan": stored_scan_view(scan) if scan is not None else None,
            "reports": reports.get(item.id, []),
        })
    return views


def _payload(item: QueueItem, decision: Decision, listing: Listing | None,
             scan: ScanRecord | None) -> dict[str, Any]:
    """What the platform is told: enough to act, nothing about the moderator."""
    return {
        "decision": decision.id, "queue_item": item.id, "action": decision.action,
        "policy_reason": decision.policy_reason, "note": decision.note,
        "decided_at": decision.created_at.isoformat(),
        "listing": None if listing is None else {"id": listing.external_id,
                                                 "url": listing.url},
        "url": item.url,
        "scan": None if scan is None else {"verdict": scan.verdict, "score": round(scan.score, 4),
                                           "categories": scan.categories,
                                           "lexicon_version": scan.lexicon_version},
    }


def decide(db: Database, moderator: Principal, item_id: int, *, action: str,
           policy_reason: str, note: str, now: datetime) -> dict[str, Any]:
    """Record a decision on an item the caller holds; returns the decision."""
    with db.transaction() as session:
        item = session.execute(select(QueueItem).where(QueueItem.id == item_id)
                               .with_for_update()).scalar_one_or_none()
        if item is None:
            raise NotFound(f"no queue item {item_id}")
        if item.status == "decided":
            raise Conflict(f"queue item {item_id} is already decided")
        if item.status != "claimed" or item.claimed_by != moderator.user_id:
            lease = as_utc(item.lease_expires_at)
            if item.status == "claimed" and lease is not None and lease > now:
                raise Conflict(f"queue item {item_id} is claimed by another moderator")
            raise Conflict(f"claim queue item {item_id} before deciding it")
        decision = Decision(queue_item_id=item.id, listing_id=item.listing_id,
                            moderator_id=moderator.user_id, action=action,
                            policy_reason=policy_reason, note=note, created_at=now)
        session.add(decision)
        item.status, item.decided_at, item.lease_expires_at = "decided", now, None
        session.flush()
        listing = session.get(Listing, item.listing_id) if item.listing_id else None
        scan = latest_scan(session, listing.id) if listing is not None else None
        terms = record_decision(session, db.dialect,
                                scan.explanation.get("matches", []) if scan else [], action, now)
        payload = _payload(item, decision, listing, scan)
        deliveries = enqueue(session, "decision", payload, now)
        audit.append(session, at=now, actor=moderator.actor, action="queue.decision",
                     subject=(f"listing:{listing.external_id}" if listing is not None
                              else f"queue:{item.id}"),
                     details={"decision": decision.id, "queue_item": item.id, "action": action,
                              "policy_reason": policy_reason, "note": note,
                              "lexicon_version": scan.lexicon_version if scan else None})
    return {**payload, "terms_counted": terms, "deliveries": deliveries}


def queue_counts(session: Session, now: datetime) -> dict[str, int]:
    """Items by effective status: a claim whose lease ran out counts as pending again."""
    counts = {"pending": 0, "claimed": 0, "decided": 0}
    expired = and_(QueueItem.status == "claimed", QueueItem.lease_expires_at < now)
    for status, is_expired, count in session.execute(
        select(QueueItem.status, expired, func.count()).group_by(QueueItem.status, expired)
    ):
        counts["pending" if is_expired else status] += count
    return counts
