"""Learning from decisions: per-term true/false-positive counts, and labeled data for
``keepwild train``.

A decision to remove or escalate confirms the terms that fired on the listing (true
positives); a decision to allow clears them (false positives). Curators read the resulting
precision per term (``GET /v1/lexicon/precision``) to retire or reword noisy terms, and the
decisions themselves become training data (``keepwild export decisions``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from keepwild.detect.listing import Listing as ListingRecord
from keepwild.store.database import as_utc
from keepwild.store.dialect import insert_for
from keepwild.store.tables import Decision, Listing, TermStat
from keepwild.training.corpus import Labeled, assign_splits

__all__ = ["CONFIRMING", "record_decision", "export_decisions"]

#: Actions that confirm a listing was prohibited wildlife (label 1).
CONFIRMING = frozenset({"remove", "escalate"})

_STATS = TermStat.__table__


def record_decision(session: Session, dialect: str, matches: Iterable[dict[str, Any]],
                    action: str, now: datetime) -> int:
    """Count the decision for every distinct term that fired; returns how many terms."""
    confirmed = action in CONFIRMING
    terms: dict[tuple[str, str], dict[str, Any]] = {}
    for match in matches:
        key = (match["lang"], match["term"])
        terms.setdefault(key, {"lang": key[0], "term": key[1], "kind": match["kind"],
                               "category": match.get("category") or "",
                               "tp": int(confirmed), "fp": int(not confirmed),
                               "updated_at": now})
    if not terms:
        return 0
    rows = [terms[key] for key in sorted(terms)]  # one lock order: concurrent deciders
    insert = insert_for(dialect, _STATS)
    session.execute(insert.on_conflict_do_update(
        index_elements=["lang", "term"],
        set_={"tp": _STATS.c.tp + insert.excluded.tp, "fp": _STATS.c.fp + insert.excluded.fp,
              "updated_at": insert.excluded.updated_at},
    ), rows)
    return len(rows)


def export_decisions(session: Session, out: IO[bytes], *, seed: int = 2026) -> tuple[int, int]:
    """Write the latest decision on every listing as a labeled record that ``keepwild train``
    reads (label 1: removed or escalated, 0: allowed), with a leak-free ``split`` assigned
    the way the shipped corpus's is. Returns (records, positives)."""
    latest: dict[int, tuple[Decision, Listing]] = {}
    for decision, listing in session.execute(
        select(Decision, Listing).join(Listing, Listing.id == Decision.listing_id)
        .order_by(Decision.id)
    ):
        latest[listing.id] = (decision, listing)
    labeled = []
    for decision, listing in latest.values():
        record = ListingRecord(id=listing.external_id, title=listing.title,
                               description=listing.description, price=listing.price)
        label = int(decision.action in CONFIRMING)
        labeled.append(Labeled(record, label, listing.language,
                               listing.category if label else None))
    splits = assign_splits(labeled, seed) if labeled else []
    for (decision, listing), split in zip(latest.values(), splits):
        label = int(decision.action in CONFIRMING)
        row = {
            "id": listing.external_id, "title": listing.title,
            "description": listing.description, "price": listing.price,
            "currency": listing.currency, "seller": listing.seller, "url": listing.url,
            "lang": listing.lang or (listing.language if listing.language != "und" else None),
            "label": label, "category": listing.category if label else None, "split": split,
            "decision": {"action": decision.action, "policy_reason": decision.policy_reason,
                         "decided_at": as_utc(decision.created_at)},
        }
        out.write(orjson.dumps({k: v for k, v in row.items() if v is not None}) + b"\n")
    return len(labeled), sum(item.label for item in labeled)
