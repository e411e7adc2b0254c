"""Action webhooks: every decision is delivered to the platform, signed, and never lost.

A decision and its deliveries are written in one transaction (the outbox), so a crash can
not record one without the other. A dispatcher thread in each service process picks due
deliveries (locking them with a short lease, so two processes never send the same one at
once), POSTs them, and records every attempt. A 2xx answer acknowledges; anything else (or no
answer) schedules a retry with exponential backoff, capped, forever: a receiver that is down
for a day gets everything when it returns. Delivery is at least once; receivers drop repeats
by the ``X-Keepwild-Delivery`` id.

Signature: ``X-Keepwild-Signature: sha256=<hex>``, the HMAC-SHA256 with the webhook's secret
of ``<X-Keepwild-Timestamp>.<raw body>``; receivers check it with :func:`verify_signature`,
which also refuses stale timestamps (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from keepwild.store.database import Database, as_utc
from keepwild.store.tables import Delivery, DeliveryAttempt, Webhook

__all__ = ["sign", "verify_signature", "enqueue", "backoff", "Dispatcher", "delivery_view"]

log = logging.getLogger("keepwild.webhooks")
MAX_ERROR_CHARS = 500


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body,
                      hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(secret: str, timestamp: str, body: bytes, signature: str, *,
                     now: float | None = None, tolerance: float = 300.0) -> bool:
    """True if ``signature`` is ours for this body and the timestamp is recent."""
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


def backoff(attempts: int, base: float, cap: float) -> float:
    """Seconds to wait after the ``attempts``-th failure: base, 2×base, 4×base... ≤ cap."""
    return float(min(cap, base * 2 ** max(attempts - 1, 0)))


def enqueue(session: Session, event: str, payload: dict[str, Any], now: datetime) -> int:
    """Add one delivery per active webhook to the outbox, in the caller's transaction."""
    hooks = session.execute(select(Webhook.id).where(Webhook.active.is_(True))).scalars().all()
    for hook in hooks:
        session.add(Delivery(webhook_id=hook, event=event, event_id=uuid.uuid4().hex,
                             payload=payload, status="pending", attempts=0,
                             next_attempt_at=now, created_at=now))
    return len(hooks)


def delivery_view(delivery: Delivery, attempts: list[DeliveryAttempt]) -> dict[str, Any]:
    return {
        "id": delivery.id, "webhook": delivery.webhook_id, "event": delivery.event,
        "event_id": delivery.event_id, "status": delivery.status, "attempts": delivery.attempts,
        "next_attempt_at": as_utc(delivery.next_attempt_at) if delivery.status == "pending"
        else None,
        "created_at": as_utc(delivery.created_at),
        "delivered_at": as_utc(delivery.delivered_at), "last_error": delivery.last_error,
        "log": [{"at": as_utc(a.attempted_at), "status_code": a.status_code, "error": a.error,
                 "duration_ms": round(a.duration_ms, 1)} for a in attempts],
    }


class Dispatcher:
    """Sends due deliveries; ``run_once`` for a single pass, ``start`` for a thread."""

    def __init__(self, db: Database, clock: Callable[[], datetime], *, timeout: float = 5.0,
                 base: float = 2.0, cap: float = 600.0, poll: float = 1.0,
                 batch: int = 20) -> None:
        self.db = db
        self.clock = clock
        self.timeout = timeout
        self.base = base
        self.cap = cap
        self.poll = poll
        self.batch = batch
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _claim(self) -> list[tuple[Delivery, Webhook]]:
        now = self.clock()
        with self.db.transaction() as session:
            due = session.execute(
                select(Delivery).where(
                    Delivery.status == "pending", Delivery.next_attempt_at <= now,
                    or_(Delivery.locked_until.is_(None), Delivery.locked_until < now))
                .order_by(Delivery.next_attempt_at, Delivery.id).limit(self.batch)
                .with_for_update(skip_locked=True)
            ).scalars().all()
            if not due:
                return []
            lease = now + timedelta(seconds=self.timeout * 2 + 5)
            session.execute(update(Delivery).where(Delivery.id.in_([d.id for d in due]))
                            .values(locked_until=lease))
            hooks = {h.id: h for h in session.execute(select(Webhook).where(
                Webhook.id.in_({d.webhook_id for d in due}))).scalars()}
        return [(d, hooks[d.webhook_id]) for d in due]

    def _send(self, client: httpx.Client, delivery: Delivery, hook: Webhook
              ) -> tuple[int | None, str | None, float]:
        body = orjson.dumps({"id": delivery.event_id, "event": delivery.event,
                             "created_at": as_utc(delivery.created_at),
                             "data": delivery.payload})
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "User-Agent": "keepwild-webhooks",
                   "X-Keepwild-Event": delivery.event, "X-Keepwild-Delivery": delivery.event_id,
                   "X-Keepwild-Timestamp": timestamp,
                   "X-Keepwild-Signature": sign(hook.secret, timestamp, body)}
        started = time.perf_counter()
        try:
            response = client.post(hook.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS], _ms(started)
        error = None if response.is_success else f"HTTP {response.status_code}"
        return response.status_code, error, _ms(started)

    def _record(self, delivery: Delivery, status: int | None, error: str | None,
                duration: float) -> None:
        now = self.clock()
        attempts = delivery.attempts + 1
        values: dict[str, Any] = {"attempts": attempts, "locked_until": None,
                                  "last_error": error}
        if error is None:
            values.update(status="delivered", delivered_at=now)
        else:
            values["next_attempt_at"] = now + timedelta(
                seconds=backoff(attempts, self.base, self.cap))
        with self.db.transaction() as session:
            session.add(DeliveryAttempt(delivery_id=delivery.id, attempted_at=now,
                                        status_code=status, error=error, duration_ms=duration))
            session.execute(update(Delivery).where(Delivery.id == delivery.id)
                            .values(**values))

    def run_once(self) -> tuple[int, int]:
        """One pass over the due deliveries: (attempted, acknowledged)."""
        due = self._claim()
        delivered = 0
        if not due:
            return 0, 0
        with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
            for delivery, hook in due:
                status, error, duration = self._send(client, delivery, hook)
                self._record(delivery, status, error, duration)
                delivered += error is None
        return len(due), delivered

    def wake(self) -> None:
        """Deliver now rather than at the next poll (called after a decision)."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                attempted, _ = self.run_once()
            except Exception:  # the database may be briefly unreachable: keep going
                log.exception("webhook dispatch pass failed")
                attempted = 0
            if attempted == self.batch:
                continue  # more may be due
            self._wake.wait(self.poll)
            self._wake.clear()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="keepwild-webhooks",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 5)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
