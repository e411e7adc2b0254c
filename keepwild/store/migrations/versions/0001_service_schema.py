"""The service schema: listings and scans, the review queue and decisions, reports, users and
API keys, term statistics and lexicon edits, webhooks with their outbox, idempotent
responses, and the hash-chained audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

OPEN = sa.text("status != 'decided'")


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(column: str, table: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "users", _id(),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("display_name", sa.String(128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _at("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "api_keys", _id(),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        _at("created_at"), _at("expires_at", True), _at("revoked_at", True),
        _fk("user_id", "api_keys", "users"),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("prefix", name="uq_api_keys_prefix"),
    )
    op.create_index("ix_api_keys_user_id", "api_keys", ["user_id"])

    op.create_table(
        "listings", _id(),
        sa.Column("external_id", sa.String(256), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("price", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(16), nullable=True),
        sa.Column("seller", sa.String(2048), nullable=True),
        sa.Column("url", sa.String(2048), nullable=True),
        sa.Column("url_hash", sa.String(64), nullable=True),
        sa.Column("images", sa.JSON(), nullable=False),
        sa.Column("lang", sa.String(16), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        _at("first_seen"), _at("last_seen"),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_listings"),
        sa.UniqueConstraint("external_id", name="uq_listings_external_id"),
    )
    op.create_index("ix_listings_url_hash", "listings", ["url_hash"])
    op.create_index("ix_listings_verdict", "listings", ["verdict"])

    op.create_table(
        "scan_results", _id(),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        _at("scanned_at"),
        sa.Column("lexicon_version", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=True),
        sa.Column("policy", sa.String(64), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        _fk("listing_id", "scan_results", "listings"),
        sa.PrimaryKeyConstraint("id", name="pk_scan_results"),
    )
    op.create_index("ix_scan_results_listing_id", "scan_results", ["listing_id"])

    op.create_table(
        "queue_items", _id(),
        sa.Column("target", sa.String(80), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=True),
        sa.Column("scan_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(2048), nullable=True),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("priority", sa.Float(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("claimed_by", sa.Integer(), nullable=True),
        _at("claimed_at", True), _at("lease_expires_at", True), _at("created_at"),
        _at("decided_at", True),
        _fk("claimed_by", "queue_items", "users"),
        _fk("listing_id", "queue_items", "listings"),
        _fk("scan_id", "queue_items", "scan_results"),
        sa.PrimaryKeyConstraint("id", name="pk_queue_items"),
    )
    op.create_index("ix_queue_items_claim", "queue_items", ["status", "priority", "id"])
    op.create_index("ix_queue_items_listing_id", "queue_items", ["listing_id"])
    op.create_index("ix_queue_items_open_target", "queue_items", ["target"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)

    op.create_table(
        "decisions", _id(),
        sa.Column("queue_item_id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=True),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("policy_reason", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _at("created_at"),
        _fk("listing_id", "decisions", "listings"),
        _fk("moderator_id", "decisions", "users"),
        _fk("queue_item_id", "decisions", "queue_items"),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
        sa.UniqueConstraint("queue_item_id", name="uq_decisions_queue_item_id"),
    )
    op.create_index("ix_decisions_listing_id", "decisions", ["listing_id"])

    op.create_table(
        "reports", _id(),
        sa.Column("receipt", sa.String(32), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("client_hash", sa.String(64), nullable=False),
        sa.Column("listing_ref", sa.String(256), nullable=True),
        sa.Column("url", sa.String(2048), nullable=True),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(256), nullable=True),
        sa.Column("listing_id", sa.Integer(), nullable=True),
        sa.Column("queue_item_id", sa.Integer(), nullable=False),
        _at("created_at"),
        _fk("listing_id", "reports", "listings"),
        _fk("queue_item_id", "reports", "queue_items"),
        _fk("reporter_id", "reports", "users"),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        sa.UniqueConstraint("receipt", name="uq_reports_receipt"),
    )
    op.create_index("ix_reports_client", "reports", ["client_hash", "created_at"])
    op.create_index("ix_reports_queue_item_id", "reports", ["queue_item_id"])
    op.create_index("ix_reports_reporter_id", "reports", ["reporter_id"])

    op.create_table(
        "term_stats", _id(),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("term", sa.String(256), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("tp", sa.Integer(), nullable=False),
        sa.Column("fp", sa.Integer(), nullable=False),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_term_stats"),
    )
    op.create_index("ix_term_stats_term", "term_stats", ["lang", "term"], unique=True)

    op.create_table(
        "lexicon_edits", _id(),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("term", sa.String(256), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        _at("created_at"),
        _fk("editor_id", "lexicon_edits", "users"),
        sa.PrimaryKeyConstraint("id", name="pk_lexicon_edits"),
    )

    op.create_table(
        "webhooks", _id(),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _at("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_webhooks"),
    )
    op.create_table(
        "deliveries", _id(),
        sa.Column("webhook_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("next_attempt_at"), _at("locked_until", True), _at("created_at"),
        _at("delivered_at", True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _fk("webhook_id", "deliveries", "webhooks"),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
    )
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt_at"])
    op.create_table(
        "delivery_attempts", _id(),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        _at("attempted_at"),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        _fk("delivery_id", "delivery_attempts", "deliveries"),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_attempts"),
    )
    op.create_index("ix_delivery_attempts_delivery_id", "delivery_attempts", ["delivery_id"])

    op.create_table(
        "idempotency_keys", _id(),
        sa.Column("principal", sa.String(32), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        _at("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_key", "idempotency_keys", ["principal", "key"],
                    unique=True)

    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        _at("at"),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_log"),
    )
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])


def downgrade() -> None:
    for table in ("audit_head", "audit_log", "idempotency_keys", "delivery_attempts",
                  "deliveries", "webhooks", "lexicon_edits", "term_stats", "reports",
                  "decisions", "queue_items", "scan_results", "listings", "api_keys", "users"):
        op.drop_table(table)
