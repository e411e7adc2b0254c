"""Hash banks: banks, their entries with provenance and tombstones, and the one-row state
(generation and change counter) that keeps every process's matching index current.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "hash_banks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        _at("created_at"), _at("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_hash_banks"),
        sa.UniqueConstraint("name", name="uq_hash_banks_name"),
    )
    op.create_table(
        "hash_bank_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("signal", sa.String(64), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("added_by", sa.String(512), nullable=False),
        _at("added_at"),
        sa.Column("listing_id", sa.String(512), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _at("removed_at", True),
        sa.Column("removed_by", sa.String(512), nullable=True),
        sa.Column("removed_version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["bank_id"], ["hash_banks.id"],
                                name="fk_hash_bank_entries_bank_id_hash_banks"),
        sa.PrimaryKeyConstraint("id", name="pk_hash_bank_entries"),
    )
    op.create_index("ix_hash_bank_entries_signal", "hash_bank_entries", ["bank_id", "signal"])
    op.create_index("ix_hash_bank_entries_removed_version", "hash_bank_entries",
                    ["removed_version"])
    op.create_table(
        "hash_bank_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _at("changed_at"),
        sa.PrimaryKeyConstraint("id", name="pk_hash_bank_state"),
    )


def downgrade() -> None:
    op.drop_table("hash_bank_state")
    op.drop_index("ix_hash_bank_entries_removed_version", table_name="hash_bank_entries")
    op.drop_index("ix_hash_bank_entries_signal", table_name="hash_bank_entries")
    op.drop_table("hash_bank_entries")
    op.drop_table("hash_banks")
