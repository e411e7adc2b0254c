"""Reports from the public and from Cyber Spotters.

A report names a listing by the platform's id or by URL. It is matched against known
listings and joins the one open queue item for its target (a known listing, or the URL), so
fifty reports of one listing are one item for a moderator, with fifty reports attached and a
higher priority. The same client reporting the same target again gets its first receipt back.
Each client (hashed IP, or the spotter's account) may file a bounded number per hour.

Reporters get a receipt; anyone holding it can see whether the report was acted on, and
spotters see all of theirs with the outcome.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.requests import Request

from keepwild.service.auth import Principal
from keepwild.service.errors import NotFound, RateLimited
from keepwild.service.learning import CONFIRMING
from keepwild.service.urls import normalise_url, url_digest
from keepwild.store import audit
from keepwild.store.database import Database, as_utc
from keepwild.store.dialect import insert_for
from keepwild.store.tables import QUEUE_OPEN, Decision, Listing, QueueItem, Report

__all__ = ["file_report", "report_views", "client_address", "client_hash", "receipt_status",
           "PRIORITY"]

#: Queue priority of reported items by source; each further report adds ``PER_REPORT``.
PRIORITY = {"public": 0.5, "staff": 0.6, "spotter": 0.7}
PER_REPORT = 0.02
_QUEUE = QueueItem.__table__


def client_address(request: Request, trust_forwarded: bool) -> str:
    """The address a public report is counted against, by the API and the web form alike."""
    if trust_forwarded:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


def client_hash(salt: str, client: str) -> str:
    """Clients are counted by a salted hash: no IP address is stored."""
    return hashlib.sha256(f"{salt}\x00{client}".encode()).hexdigest()


def _receipt() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
    code = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"R-{code[:4]}-{code[4:8]}-{code[8:]}"


def _source(reporter: Principal | None) -> str:
    if reporter is None:
        return "public"
    return "spotter" if reporter.role == "spotter" else "staff"


def _resolve(session: Session, listing_ref: str | None, url: str | None
             ) -> tuple[Listing | None, str, str | None]:
    """The known listing (if any), the queue target, and the normalised URL."""
    listing = None
    if listing_ref:
        listing = session.execute(select(Listing).where(Listing.external_id == listing_ref)
                                  ).scalar_one_or_none()
    digest = url_digest(url) if url else None
    if listing is None and digest is not None:
        listing = session.execute(select(Listing).where(Listing.url_hash == digest)
                                  .order_by(Listing.id).limit(1)).scalar_one_or_none()
    if listing is not None:
        return listing, f"listing:{listing.id}", listing.url
    if digest is not None and url is not None:
        return None, f"url:{digest}", normalise_url(url)
    ref = hashlib.sha256((listing_ref or "").encode()).hexdigest()
    return None, f"ref:{ref}", None


def _open_item(session: Session, dialect: str, target: str, listing: Listing | None,
               url: str | None, priority: float, now: datetime) -> QueueItem:
    """The open item for ``target``, created if there is none (safely under concurrency)."""
    session.execute(
        insert_for(dialect, _QUEUE).on_conflict_do_nothing(index_elements=["target"],
                                                           index_where=QUEUE_OPEN),
        {"target": target, "listing_id": listing.id if listing else None, "url": url,
         "source": "report", "priority": priority, "status": "pending", "created_at": now})
    return session.execute(select(QueueItem).where(QueueItem.target == target,
                                                   QueueItem.status != "decided")
                           .with_for_update()).scalar_one()


def _removed(session: Session, listing: Listing | None) -> QueueItem | None:
    """The decided item of a listing already taken down with nothing open on it: a report
    of it is recorded there (with its outcome) instead of asking for another review."""
    if listing is None:
        return None
    latest = session.execute(
        select(QueueItem, Decision.action).join(Decision, Decision.queue_item_id == QueueItem.id)
        .where(QueueItem.listing_id == listing.id).order_by(Decision.id.desc()).limit(1)
    ).first()
    if latest is None or latest.action not in CONFIRMING:
        return None
    still_open = session.execute(select(QueueItem.id).where(
        QueueItem.listing_id == listing.id, QueueItem.status != "decided")).first()
    return None if still_open else latest.QueueItem


def file_report(db: Database, *, listing_ref: str | None, url: str | None, category: str,
                text: str, contact: str | None, reporter: Principal | None, client: str,
                now: datetime, per_hour: int) -> dict[str, Any]:
    """Store a report (or find the caller's earlier one for the same target)."""
    source = _source(reporter)
    with db.transaction() as session:
        recent = session.execute(select(func.count(Report.id)).where(
            Report.client_hash == client, Report.created_at > now - timedelta(hours=1))
        ).scalar_one()
        if recent >= per_hour:
            raise RateLimited(f"at most {per_hour} reports an hour from one client; "
                              "try again later", headers={"Retry-After": "3600"})
        listing, target, clean_url = _resolve(session, listing_ref, url)
        item = _removed(session, listing) or _open_item(
            session, db.dialect, target, listing, clean_url, PRIORITY[source], now)
        earlier = session.execute(select(Report.receipt).where(
            Report.queue_item_id == item.id, Report.client_hash == client).limit(1)
        ).scalar_one_or_none()
        if earlier is not None:
            return {"receipt": earlier, "status": "decided" if item.status == "decided"
                    else "received", "duplicate": True,
                    "known_listing": listing is not None}
        attached = session.execute(select(func.count(Report.id)).where(
            Report.queue_item_id == item.id)).scalar_one()
        if item.status != "decided":
            item.priority = min(0.99, max(item.priority, PRIORITY[source]) + PER_REPORT * attached)
        receipt = _receipt()
        session.add(Report(receipt=receipt, source=source,
                           reporter_id=reporter.user_id if reporter else None,
                           client_hash=client, listing_ref=listing_ref, url=url,
                           category=category, text=text, contact=contact,
                           listing_id=listing.id if listing else None,
                           queue_item_id=item.id, created_at=now))
        audit.append(session, at=now, actor=reporter.actor if reporter else "public",
                     action="report.create", subject=f"report:{receipt}",
                     details={"source": source, "category": category, "target": target,
                              "queue_item": item.id, "attached": attached})
    return {"receipt": receipt, "status": "decided" if item.status == "decided" else "received",
            "duplicate": False, "known_listing": listing is not None}


def report_views(session: Session, *, reporter_id: int | None = None,
                 receipt: str | None = None, status: str | None = None,
                 category: str | None = None, limit: int = 100, offset: int = 0,
                 private: bool = False) -> list[dict[str, Any]]:
    """Reports, newest first, each with the outcome of its queue item.

    ``private`` adds what only moderators see: the reporter's contact and the internal note.
    """
    query = (select(Report, QueueItem, Decision, Listing.external_id)
             .join(QueueItem, QueueItem.id == Report.queue_item_id)
             .outerjoin(Decision, Decision.queue_item_id == QueueItem.id)
             .outerjoin(Listing, Listing.id == Report.listing_id))
    if reporter_id is not None:
        query = query.where(Report.reporter_id == reporter_id)
    if receipt is not None:
        query = query.where(Report.receipt == receipt)
    if status == "open":
        query = query.where(QueueItem.status != "decided")
    elif status == "decided":
        query = query.where(QueueItem.status == "decided")
    if category is not None:
        query = query.where(Report.category == category)
    views = []
    for report, item, decision, external_id in session.execute(
        query.order_by(Report.id.desc()).limit(limit).offset(offset)
    ):
        view = {
            "receipt": report.receipt, "source": report.source, "category": report.category,
            "listing_ref": report.listing_ref, "url": report.url, "text": report.text,
            "created_at": as_utc(report.created_at), "listing": external_id,
            "status": "decided" if item.status == "decided" else "open",
            "outcome": None if decision is None else {
                "action": decision.action, "policy_reason": decision.policy_reason,
                "decided_at": as_utc(decision.created_at)},
        }
        if private:
            view["contact"] = report.contact
            view["queue_item"] = item.id
            if decision is not None:
                view["outcome"]["note"] = decision.note
        views.append(view)
    return views


def receipt_status(session: Session, receipt: str) -> dict[str, Any]:
    """What a receipt holder may know: received, and whether and how it was acted on."""
    views = report_views(session, receipt=receipt, limit=1)
    if not views:
        raise NotFound("no report with this receipt")
    view = views[0]
    outcome = view["outcome"]
    return {"receipt": receipt, "status": view["status"], "received_at": view["created_at"],
            "outcome": None if outcome is None else outcome["action"]}
