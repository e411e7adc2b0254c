"""``Idempotency-Key``: a retried request gets the first response back, not a second effect.

Listings are idempotent on their platform id anyway; the key adds that a retry sees exactly
the answer of the first try (``created`` rather than ``unchanged``). The stored response is
keyed by caller, so two platforms' keys never collide.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import select

from keepwild.service.errors import Invalid
from keepwild.store.database import Database
from keepwild.store.dialect import insert_for
from keepwild.store.tables import IdempotentResponse

__all__ = ["check_key", "replay", "remember", "request_hash"]

MAX_KEY_CHARS = 128


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_CHARS or not key.isascii() or not key.isprintable():
        raise Invalid(f"Idempotency-Key must be 1-{MAX_KEY_CHARS} printable ASCII characters")
    return key


def request_hash(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(f"{method} {path}\n".encode() + body).hexdigest()


def replay(db: Database, principal: str, key: str, digest: str
           ) -> tuple[int, dict[str, Any]] | None:
    """The stored (status, body) for this key, if the same request was made before."""
    with db.session() as session:
        stored = session.execute(select(IdempotentResponse).where(
            IdempotentResponse.principal == principal, IdempotentResponse.key == key)
        ).scalar_one_or_none()
    if stored is None:
        return None
    if stored.request_hash != digest:
        raise Invalid("this Idempotency-Key was already used with a different request")
    return stored.status_code, stored.response


def remember(db: Database, principal: str, key: str, digest: str, status: int,
             response: dict[str, Any], now: datetime) -> None:
    with db.transaction() as session:
        session.execute(insert_for(db.dialect, IdempotentResponse.__table__)
                        .on_conflict_do_nothing(index_elements=["principal", "key"]),
                        {"principal": principal, "key": key, "request_hash": digest,
                         "status_code": status, "response": response, "created_at": now})
