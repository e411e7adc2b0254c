"""What the coalition reports: how much was scanned and flagged, what moderators decided,
what the public and Cyber Spotters reported and what came of it, and how long a flagged
listing waited for a decision. Every figure is a GROUP BY in the database."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from keepwild.service.queue import queue_counts
from keepwild.store.dialect import seconds_between, week_start
from keepwild.store.tables import Decision, Listing, QueueItem, Report

__all__ = ["metrics"]


def _counts(session: Session, column: Any, *where: Any) -> dict[str, int]:
    query = select(column, func.count()).group_by(column)
    for condition in where:
        query = query.where(condition)
    return {str(key) if key is not None else "none": int(count)
            for key, count in session.execute(query)}


def _weekly(session: Session, dialect: str, stamp: Any, value: Any, since: datetime
            ) -> list[dict[str, Any]]:
    """Counts per week (Monday, UTC) and per ``value``, oldest week first."""
    week = week_start(dialect, stamp)
    query = select(week, value, func.count()).where(stamp >= since).group_by(week, value) \
        .order_by(week)
    table_rows: dict[str, dict[str, int]] = {}
    for key, group, count in session.execute(query):
        table_rows.setdefault(str(key), {})[str(group)] = int(count)
    return [{"week": week_key, **groups} for week_key, groups in table_rows.items()]


def _durations(session: Session, dialect: str) -> dict[str, float | int | None]:
    seconds = [float(s) for s in session.execute(
        select(seconds_between(dialect, QueueItem.created_at, Decision.created_at))
        .select_from(QueueItem).join(Decision, Decision.queue_item_id == QueueItem.id)
        .where(QueueItem.source == "scan")).scalars()]
    if not seconds:
        return {"decided": 0, "median": None, "p90": None, "max": None}
    seconds.sort()
    p90 = seconds[min(len(seconds) - 1, int(0.9 * len(seconds)))]
    return {"decided": len(seconds), "median": round(statistics.median(seconds), 1),
            "p90": round(p90, 1), "max": round(seconds[-1], 1)}


def metrics(session: Session, dialect: str, now: datetime, weeks: int) -> dict[str, Any]:
    """All figures; weekly series cover the last ``weeks`` weeks."""
    since = now - timedelta(weeks=weeks)
    flagged = Listing.verdict != "allow"
    outcome = case((Decision.action.is_(None), "open"), else_=Decision.action)
    return {
        "generated_at": now,
        "listings": {
            "total": sum(_counts(session, Listing.verdict).values()),
            "by_verdict": _counts(session, Listing.verdict),
            "by_language": _counts(session, Listing.language),
            "flagged_by_category": _counts(session, Listing.category, flagged),
            "flagged_by_language": _counts(session, Listing.language, flagged),
            "by_week": _weekly(session, dialect, Listing.first_seen, Listing.verdict, since),
        },
        "queue": queue_counts(session, now),
        "decisions": {
            "by_action": _counts(session, Decision.action),
            "by_policy_reason": _counts(session, Decision.policy_reason),
            "by_category": {
                str(k) if k is not None else "none": int(v) for k, v in session.execute(
                    select(Listing.category, func.count()).select_from(Decision)
                    .join(Listing, Listing.id == Decision.listing_id)
                    .group_by(Listing.category))},
            "by_language": {
                str(k): int(v) for k, v in session.execute(
                    select(Listing.language, func.count()).select_from(Decision)
                    .join(Listing, Listing.id == Decision.listing_id)
                    .group_by(Listing.language))},
            "by_week": _weekly(session, dialect, Decision.created_at, Decision.action, since),
            "flag_to_decision_seconds": _durations(session, dialect),
        },
        "reports": {
            "total": sum(_counts(session, Report.source).values()),
            "by_source": _counts(session, Report.source),
            "by_category": _counts(session, Report.category),
            "by_outcome": {
                str(k): int(v) for k, v in session.execute(
                    select(outcome, func.count()).select_from(Report)
                    .outerjoin(Decision, Decision.queue_item_id == Report.queue_item_id)
                    .group_by(outcome))},
            "by_week": _weekly(session, dialect, Report.created_at, Report.source, since),
        },
    }
