"""Listings in: validated, scanned, stored, and queued for review when flagged.

Ingestion is idempotent on the platform's listing id: sending a listing again only moves its
``last_seen``, unless its content changed, in which case it is scanned again. A batch is all
or nothing: one invalid record refuses the whole batch (naming the record), so a platform
never has to work out which half was stored. The scanning, the slow part, happens before the
write transaction opens; the writes are a handful of statements per batch, mostly ``COPY`` on
PostgreSQL (:mod:`keepwild.store.bulk`) and multi-row statements on SQLite.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from psycopg.errors import UniqueViolation
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from keepwild.detect.listing import Listing as ListingRecord
from keepwild.detect.result import Match, Reason, ScanResult
from keepwild.errors import InputError
from keepwild.service.auth import Principal
from keepwild.service.errors import Invalid, NotFound
from keepwild.service.scanning import ScannerHolder
from keepwild.service.urls import url_digest
from keepwild.store import audit
from keepwild.store.bulk import copy_rows, one_of, reserve_ids
from keepwild.store.database import Database, as_utc
from keepwild.store.dialect import insert_for
from keepwild.store.tables import QUEUE_OPEN, Decision, Listing, QueueItem, ScanRecord

__all__ = ["parse_listing", "ingest", "listing_view", "scan_view", "content_hash",
           "MAX_SHORT_FIELD", "MAX_IMAGE_CHARS"]

MAX_SHORT_FIELD = 16  # lang, currency
MAX_IMAGE_CHARS = 2048
FLAGGED = ("block", "review")
_STRING_FIELDS = ("id", "title", "description", "currency", "seller", "url", "lang")

_LISTINGS = Listing.__table__
_SCANS = ScanRecord.__table__
_QUEUE = QueueItem.__table__


def parse_listing(record: Any, where: str = "", *, may_hold_nul: bool = True) -> ListingRecord:
    """Validate one listing object with the scanner's own rules plus the service's column
    limits; the error names the record (``listings[3]: ...``) and the field.

    ``may_hold_nul=False`` skips looking for NUL characters, for records decoded from a JSON
    body that has no ``\\u0000`` escape (the only way a JSON string can hold one)."""
    try:
        listing = ListingRecord.from_mapping(record)
    except InputError as exc:
        raise Invalid(f"{where}{exc}") from None
    for name in ("lang", "currency"):
        value = getattr(listing, name)
        if value is not None and len(value) > MAX_SHORT_FIELD:
            raise Invalid(f"{where}field {name!r} is longer than {MAX_SHORT_FIELD} characters")
    images = listing.images
    if images and any(len(image) > MAX_IMAGE_CHARS for image in images):
        raise Invalid(f"{where}field 'images' holds a URL longer than {MAX_IMAGE_CHARS} "
                      "characters")
    if may_hold_nul:
        # PostgreSQL text cannot hold NUL: refuse it here with a reason, not as a failed write.
        for name in _STRING_FIELDS:
            value = getattr(listing, name)
            if value is not None and "\x00" in value:
                raise Invalid(f"{where}field {name!r} contains a NUL character")
        if any("\x00" in image for image in images):
            raise Invalid(f"{where}field 'images' contains a NUL character")
    return listing


def content_hash(listing: ListingRecord) -> str:
    """What decides whether a re-sent listing changed (and must be scanned again)."""
    body = orjson.dumps([listing.title, listing.description, listing.price, listing.currency,
                         listing.seller, listing.url, list(listing.images), listing.lang])
    return hashlib.sha256(body).hexdigest()


def scan_view(result: ScanResult, model_version: str | None) -> dict[str, Any]:
    """A scan as the API returns it: the CLI's record plus the model version."""
    view = result.to_dict()
    view["model_version"] = model_version
    return view


@dataclass(slots=True)
class _Item:
    record: ListingRecord
    digest: str
    listing_id: int | None = None
    status: str = "created"
    result: ScanResult | None = None
    verdict: str = "allow"
    score: float = 0.0
    categories: tuple[str, ...] = ()
    language: str = "und"  # read once from the result: each read may run language detection


#: Columns of a new listing, in the order the PostgreSQL ``COPY`` sends them.
_LISTING_COLUMNS = ("id", "external_id", "title", "description", "price", "currency", "seller",
                    "url", "url_hash", "images", "lang", "content_hash", "first_seen",
                    "last_seen", "verdict", "score", "language", "category")
_SCAN_COLUMNS = ("id", "listing_id", "scanned_at", "lexicon_version", "model_version", "policy",
                 "verdict", "score", "language", "categories", "explanation")
_QUEUE_COLUMNS = ("target", "listing_id", "scan_id", "url", "source", "priority", "status",
                  "created_at")
_MATCH_FIELDS = Match._fields
_REASON_FIELDS = Reason._fields


def _fields(item: _Item, now: datetime) -> dict[str, Any]:
    """A scanned listing's columns, for the statements that take mappings (updates, and
    inserts on SQLite)."""
    record, result = item.record, item.result
    assert result is not None
    return {
        "external_id": record.id, "title": record.title, "description": record.description,
        "price": record.price, "currency": record.currency, "seller": record.seller,
        "url": record.url, "url_hash": url_digest(record.url) if record.url else None,
        "images": list(record.images), "lang": record.lang, "content_hash": item.digest,
        "last_seen": now, "verdict": result.verdict, "score": result.score,
        "language": item.language,
        "category": result.categories[0] if result.categories else None,
    }


def _explanation(result: ScanResult) -> dict[str, Any]:
    """Matches and reasons as ``ScanResult.to_dict()`` has them, without the rest of
    ``to_dict()`` (which would identify the language once more)."""
    return {"matches": [dict(zip(_MATCH_FIELDS, m)) for m in result.matches],
            "reasons": [dict(zip(_REASON_FIELDS, r)) for r in result.reasons]}


_NO_EXPLANATION = orjson.dumps({"matches": [], "reasons": []})
_EMPTY_LIST = orjson.dumps([])


def _explanation_json(result: ScanResult) -> bytes:
    """:func:`_explanation` serialised (a clean listing's, most of them, is a constant)."""
    if not result.matches and not result.reasons:
        return _NO_EXPLANATION
    return orjson.dumps(_explanation(result))


def _list_json(values: Sequence[str]) -> bytes:
    return orjson.dumps(values) if values else _EMPTY_LIST


def _scan_fields(item: _Item, now: datetime, model_version: str | None) -> dict[str, Any]:
    result = item.result
    assert result is not None
    return {"listing_id": item.listing_id, "scanned_at": now,
            "lexicon_version": result.lexicon_version, "model_version": model_version,
            "policy": result.policy, "verdict": result.verdict, "score": result.score,
            "language": item.language, "categories": list(result.categories),
            "explanation": _explanation(result)}


def _queue_fields(item: _Item, scan_id: int, now: datetime) -> dict[str, Any]:
    return {"target": f"listing:{item.listing_id}", "listing_id": item.listing_id,
            "scan_id": scan_id, "url": item.record.url, "source": "scan",
            "priority": item.score, "status": "pending", "created_at": now}


def ingest(db: Database, holder: ScannerHolder, caller: Principal,
           records: Sequence[ListingRecord], now: datetime) -> list[dict[str, Any]]:
    """Store and scan ``records``; one result per record, in order."""
    seen: set[str] = set()
    for index, record in enumerate(records):
        if record.id in seen:
            raise Invalid(f"listings[{index}]: id {record.id!r} appears twice in the batch")
        seen.add(record.id)
    items = [_Item(r, content_hash(r)) for r in records]
    with db.session() as session:
        known = {row.external_id: row for row in session.execute(
            select(Listing.id, Listing.external_id, Listing.content_hash, Listing.verdict,
                   Listing.score, Listing.category).where(
                one_of(db.dialect, Listing.external_id, list(seen))))}
    for item in items:
        row = known.get(item.record.id)
        if row is not None:
            item.listing_id = row.id
            item.status = "unchanged" if row.content_hash == item.digest else "updated"
            item.verdict, item.score = row.verdict, row.score
            item.categories = (row.category,) if row.category else ()
        if item.status != "unchanged":
            item.result = holder.scan(item.record)
            item.verdict, item.score = item.result.verdict, item.result.score
            item.categories = item.result.categories
            item.language = item.result.language
    model_version = holder.model_version
    with db.transaction() as session:
        _write(session, db.dialect, items, now, model_version)
        # A listing created here has no queue item but the one just written for it (its id
        # is new); only listings stored before may have one open from earlier scans or
        # reports, which are read back.
        queued = _open_items(session, db.dialect,
                             [i.listing_id for i in items if i.status != "created"])
        counts = {s: sum(i.status == s for i in items) for s in ("created", "updated",
                                                                    "unchanged")}
        batch = hashlib.sha256("\n".join(f"{i.record.id}\t{i.digest}" for i in items)
                               .encode()).hexdigest()
        audit.append(session, at=now, actor=caller.actor, action="listings.ingest",
                     subject=f"batch:{batch[:16]}",
                     details={**counts, "flagged": sum(i.verdict in FLAGGED for i in items
                                                       if i.status != "unchanged"),
                              "sha256": batch})
    return [{"id": i.record.id, "listing": i.listing_id, "status": i.status,
             "verdict": i.verdict, "score": round(i.score, 4), "categories": list(i.categories),
             "queued": (i.verdict in FLAGGED if i.status == "created"
                        else i.listing_id in queued)} for i in items]


def _write(session: Session, dialect: str, items: list[_Item], now: datetime,
           model_version: str | None) -> None:
    """The batch's rows: new listings, changed listings, ``last_seen`` of unchanged ones,
    a scan per scanned listing, a queue item per flagged one. On PostgreSQL the bulk of it
    (new listings, scans, queue items of new listings) goes by binary ``COPY``, rows built
    as tuples straight from the scan results."""
    bulk = dialect == "postgresql"
    # Rows in one order (external id, then listing id), whatever the batch's order: two
    # batches writing the same listings then wait for each other instead of deadlocking.
    new = sorted((i for i in items if i.status == "created"), key=lambda i: i.record.id)
    if new and not (bulk and _copy_listings(session, new, now)):
        _insert_listings(session, dialect, new, now)
    changed = sorted((i for i in items if i.status == "updated"),
                     key=lambda i: i.listing_id or 0)
    if changed:
        session.execute(update(Listing), [{"id": i.listing_id, **_fields(i, now)}
                                          for i in changed])
    unchanged = [i.listing_id for i in items if i.status == "unchanged"]
    if unchanged:
        session.execute(update(Listing).where(one_of(dialect, Listing.id, unchanged))
                        .values(last_seen=now))
    scanned = [i for i in items if i.result is not None]
    if not scanned:
        return
    if bulk:
        scan_ids = reserve_ids(session, _SCANS, len(scanned))
        copy_rows(session, _SCANS, _SCAN_COLUMNS, _scan_rows(scanned, scan_ids, now,
                                                             model_version))
    else:
        by_listing = {r.listing_id: r.id for r in session.execute(
            _SCANS.insert().returning(_SCANS.c.id, _SCANS.c.listing_id),
            [_scan_fields(i, now, model_version) for i in scanned])}
        scan_ids = [by_listing[i.listing_id] for i in scanned]
    flagged = [(i, scan_id) for i, scan_id in zip(scanned, scan_ids) if i.verdict in FLAGGED]
    # A new listing cannot have an open item yet; a changed one may (one open item per
    # listing), so only the latter need ON CONFLICT, which COPY does not have.
    fresh = [(i, s) for i, s in flagged if bulk and i.status == "created"]
    others = [_queue_fields(i, s, now) for i, s in flagged if not (bulk and i.status == "created")]
    if fresh:
        copy_rows(session, _QUEUE, _QUEUE_COLUMNS,
                  [(f"listing:{i.listing_id}", i.listing_id, s, i.record.url, "scan", i.score,
                    "pending", now) for i, s in fresh])
    if others:
        session.execute(insert_for(dialect, _QUEUE).on_conflict_do_nothing(
            index_elements=["target"], index_where=QUEUE_OPEN), others)


def _scan_rows(scanned: list[_Item], scan_ids: list[int], now: datetime,
               model_version: str | None) -> list[tuple[Any, ...]]:
    """Scan rows in ``_SCAN_COLUMNS`` order, JSON columns serialised once, as bytes."""
    rows = []
    for item, scan_id in zip(scanned, scan_ids):
        result = item.result
        assert result is not None
        rows.append((scan_id, item.listing_id, now, result.lexicon_version, model_version,
                     result.policy, result.verdict, result.score, item.language,
                     _list_json(result.categories), _explanation_json(result)))
    return rows


def _copy_listings(session: Session, new: list[_Item], now: datetime) -> bool:
    """Store new listings by ``COPY`` under ids reserved beforehand (PostgreSQL). False, with
    nothing stored, if one of them was stored by another request since we looked (``COPY``
    has no ``ON CONFLICT``): the caller then inserts them the slower way, which handles it."""
    ids = reserve_ids(session, _LISTINGS, len(new))
    rows = []
    for item, listing_id in zip(new, ids):
        record, result = item.record, item.result
        assert result is not None
        url = record.url
        rows.append((listing_id, record.id, record.title, record.description, record.price,
                     record.currency, record.seller, url, url_digest(url) if url else None,
                     _list_json(record.images), record.lang, item.digest, now, now,
                     result.verdict, result.score, item.language,
                     result.categories[0] if result.categories else None))
    try:
        with session.begin_nested():
            copy_rows(session, _LISTINGS, _LISTING_COLUMNS, rows)
    except UniqueViolation:
        return False
    for item, listing_id in zip(new, ids):
        item.listing_id = listing_id
    return True


def _insert_listings(session: Session, dialect: str, new: list[_Item], now: datetime) -> None:
    """Insert new listings, skipping any another request stored meanwhile; ours is the newer
    content, so those are updated instead and reported as ``updated``."""
    insert = insert_for(dialect, _LISTINGS).on_conflict_do_nothing(
        index_elements=["external_id"]).returning(_LISTINGS.c.id, _LISTINGS.c.external_id)
    inserted = {r.external_id: r.id for r in session.execute(
        insert, [{**_fields(i, now), "first_seen": now} for i in new])}
    raced = [i for i in new if i.record.id not in inserted]
    for item in new:
        item.listing_id = inserted.get(item.record.id)
    if raced:
        ids = {row.external_id: row.id for row in session.execute(
            select(Listing.external_id, Listing.id).where(
                one_of(dialect, Listing.external_id, [i.record.id for i in raced])))}
        for item in raced:
            item.listing_id, item.status = ids[item.record.id], "updated"


def _open_items(session: Session, dialect: str, listing_ids: list[int | None]) -> set[int]:
    ids = [i for i in listing_ids if i is not None]
    if not ids:
        return set()
    return set(session.execute(select(QueueItem.listing_id).where(
        one_of(dialect, QueueItem.listing_id, ids), QueueItem.status != "decided")).scalars())


def find_listing(session: Session, external_id: str) -> Listing:
    listing = session.execute(
        select(Listing).where(Listing.external_id == external_id)).scalar_one_or_none()
    if listing is None:
        raise NotFound(f"no listing with id {external_id!r}")
    return listing


def latest_scan(session: Session, listing_id: int) -> ScanRecord | None:
    return session.execute(select(ScanRecord).where(ScanRecord.listing_id == listing_id)
                           .order_by(ScanRecord.id.desc()).limit(1)).scalar_one_or_none()


def listing_fields(listing: Listing) -> dict[str, Any]:
    return {"id": listing.external_id, "title": listing.title,
            "description": listing.description, "price": listing.price,
            "currency": listing.currency, "seller": listing.seller, "url": listing.url,
            "images": listing.images, "lang": listing.lang}


def stored_scan_view(scan: ScanRecord) -> dict[str, Any]:
    return {"verdict": scan.verdict, "score": round(scan.score, 4),
            "categories": scan.categories, "language": scan.language,
            "lexicon_version": scan.lexicon_version, "model_version": scan.model_version,
            "policy": scan.policy, "scanned_at": as_utc(scan.scanned_at),
            "matches": scan.explanation.get("matches", []),
            "reasons": scan.explanation.get("reasons", [])}


def listing_view(session: Session, external_id: str) -> dict[str, Any]:
    """A listing with its latest scan, its place in the queue and the decisions on it."""
    listing = find_listing(session, external_id)
    scan = latest_scan(session, listing.id)
    item = session.execute(select(QueueItem).where(QueueItem.listing_id == listing.id)
                           .order_by(QueueItem.id.desc()).limit(1)).scalar_one_or_none()
    decisions = session.execute(select(Decision).where(Decision.listing_id == listing.id)
                                .order_by(Decision.id)).scalars()
    return {
        **listing_fields(listing),
        "first_seen": as_utc(listing.first_seen), "last_seen": as_utc(listing.last_seen),
        "scan": stored_scan_view(scan) if scan is not None else None,
        "queue": None if item is None else {"id": item.id, "status": item.status,
                                            "source": item.source},
        "decisions": [{"id": d.id, "action": d.action, "policy_reason": d.policy_reason,
                       "decided_at": as_utc(d.created_at)} for d in decisions],
    }
