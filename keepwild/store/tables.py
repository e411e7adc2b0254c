"""The service's tables, declared once: the Alembic migrations create exactly these (a test
compares them), and the service reads and writes them through SQLAlchemy Core and ORM.

Timestamps are timezone-aware UTC and always come from the application's clock, never the
database's, so SQLite and PostgreSQL store the same values and tests can move time.
Column sizes mirror the limits the service validates, so PostgreSQL refuses what slipped
through; SQLite does not enforce them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Base",
    "User",
    "ApiKey",
    "Listing",
    "ScanRecord",
    "QueueItem",
    "Decision",
    "Report",
    "TermStat",
    "LexiconEdit",
    "Webhook",
    "Delivery",
    "DeliveryAttempt",
    "IdempotentResponse",
    "AuditEntry",
    "AuditHead",
    "QUEUE_OPEN",
]

#: Naming convention for constraints, so later migrations (and SQLite batch operations) can
#: refer to them by a stable name.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: The condition of a queue item still waiting for a decision (pending or claimed).
QUEUE_OPEN = text("status != 'decided'")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class User(Base):
    """A person (or a service account) with one role."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))  # argon2; None: keys only
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(128), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class ApiKey(Base):
    """A bearer key: only its SHA-256 is stored; ``prefix`` finds the row without scanning."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[Any]]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Listing(Base):
    """A platform listing as last ingested, with the verdict of its latest scan."""

    __tablename__ = "listings"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(256), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(16))
    seller: Mapped[str | None] = mapped_column(String(2048))
    url: Mapped[str | None] = mapped_column(String(2048))
    url_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    images: Mapped[list[Any]]
    lang: Mapped[str | None] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    verdict: Mapped[str] = mapped_column(String(8), index=True)
    score: Mapped[float] = mapped_column(Float)
    language: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32))


class ScanRecord(Base):
    """One scan of one listing: what was decided, by which lexicon and model, and why."""

    __tablename__ = "scan_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    scanned_at: Mapped[datetime]
    lexicon_version: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str | None] = mapped_column(String(64))
    policy: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(8))
    score: Mapped[float] = mapped_column(Float)
    language: Mapped[str] = mapped_column(String(16))
    categories: Mapped[list[Any]]
    explanation: Mapped[dict[str, Any]]  # matches and reasons, as ScanResult.to_dict()


class QueueItem(Base):
    """Something for a moderator to decide: a flagged listing, or reports of one.

    ``target`` names what is decided (``listing:<id>``, ``url:<sha256>``, ``ref:<sha256>``);
    at most one open item exists per target, so a listing never waits in the queue twice.
    """

    __tablename__ = "queue_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(80))
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id"), index=True)
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("scan_results.id"))
    url: Mapped[str | None] = mapped_column(String(2048))
    source: Mapped[str] = mapped_column(String(8))  # scan | report
    priority: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(8))  # pending | claimed | decided
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None]
    lease_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    __table_args__ = (
        Index("ix_queue_items_open_target", "target", unique=True,
              sqlite_where=QUEUE_OPEN, postgresql_where=QUEUE_OPEN),
        Index("ix_queue_items_claim", "status", "priority", "id"),
    )


class Decision(Base):
    """A moderator's decision on a queue item; each one is also sent to the platform."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    queue_item_id: Mapped[int] = mapped_column(ForeignKey("queue_items.id"), unique=True)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id"), index=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(16))  # remove | allow | escalate
    policy_reason: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class Report(Base):
    """A report from the public or a Cyber Spotter; ``receipt`` is the reporter's handle."""

    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    receipt: Mapped[str] = mapped_column(String(32), unique=True)
    source: Mapped[str] = mapped_column(String(8))  # public | spotter
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    client_hash: Mapped[str] = mapped_column(String(64))
    listing_ref: Mapped[str | None] = mapped_column(String(256))
    url: Mapped[str | None] = mapped_column(String(2048))
    category: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str | None] = mapped_column(String(256))
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id"))
    queue_item_id: Mapped[int] = mapped_column(ForeignKey("queue_items.id"), index=True)
    created_at: Mapped[datetime]
    __table_args__ = (Index("ix_reports_client", "client_hash", "created_at"),)


class TermStat(Base):
    """How often listings a lexicon term fired on were confirmed (tp) or cleared (fp)."""

    __tablename__ = "term_stats"
    id: Mapped[int] = mapped_column(primary_key=True)
    lang: Mapped[str] = mapped_column(String(16))
    term: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32), default="")
    tp: Mapped[int] = mapped_column(Integer, default=0)
    fp: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]
    __table_args__ = (Index("ix_term_stats_term", "lang", "term", unique=True),)


class LexiconEdit(Base):
    """A curator's change to one term, applied over the shipped lexicon in ``id`` order."""

    __tablename__ = "lexicon_edits"
    id: Mapped[int] = mapped_column(primary_key=True)
    lang: Mapped[str] = mapped_column(String(16))
    term: Mapped[str] = mapped_column(String(256))
    fields: Mapped[dict[str, Any]]  # the term as it stands after the edit
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class Webhook(Base):
    """A platform endpoint that receives decisions, signed with ``secret``."""

    __tablename__ = "webhooks"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class Delivery(Base):
    """The outbox: one event for one webhook, written in the same transaction as the
    decision, and retried until the receiver acknowledges it."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"))
    event: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(12))  # pending | delivered
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_deliveries_due", "status", "next_attempt_at"),)


class DeliveryAttempt(Base):
    """One try at delivering, for the delivery log."""

    __tablename__ = "delivery_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), index=True)
    attempted_at: Mapped[datetime]
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[float] = mapped_column(Float)


class IdempotentResponse(Base):
    """The response to a request sent with an ``Idempotency-Key``, replayed on a retry."""

    __tablename__ = "idempotency_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    principal: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    __table_args__ = (Index("ix_idempotency_keys_key", "principal", "key", unique=True),)


class AuditEntry(Base):
    """An append-only, hash-chained record of who did what (see :mod:`keepwild.store.audit`)."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300))
    details: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row: the last sequence number and hash. Appenders lock it, so the chain never
    forks under concurrent writers."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
