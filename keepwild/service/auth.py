"""Who may do what: roles, the permissions they grant, and bearer keys.

Every request carries an API key (``Authorization: Bearer kw_...`` or ``X-API-Key``).
Keys are random and long, so a SHA-256 of the key is enough to store (argon2 is for
passwords, which people choose); the ten characters after ``kw_`` are a public prefix that
finds the row. A key's scopes can only narrow what its owner's role allows, so a platform's
ingest pipeline can hold an admin-issued key that does nothing but scan and ingest.

Checking a key is cached in memory for a few seconds, so the hot ``/v1/scan`` path needs no
database round trip; revocation is immediate in the worker that revoked and takes at most
``auth_cache_seconds`` elsewhere.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from keepwild.service.errors import Unauthorized
from keepwild.store.database import Database, as_utc
from keepwild.store.tables import ApiKey, User

__all__ = ["ROLES", "PERMISSIONS", "role_scopes", "Principal", "Authenticator",
           "hash_password", "check_password", "new_key", "key_hash"]

ROLES = ("admin", "curator", "moderator", "spotter", "analyst")

#: Permission -> the roles that hold it. Each endpoint needs exactly one permission.
PERMISSIONS: dict[str, frozenset[str]] = {
    "scan": frozenset({"admin", "curator", "moderator", "analyst"}),
    "ingest": frozenset({"admin"}),
    "listings:read": frozenset({"admin", "moderator", "curator", "analyst"}),
    "queue": frozenset({"admin", "moderator"}),
    "reports:read": frozenset({"admin", "moderator"}),
    "reports:own": frozenset({"spotter"}),
    "lexicon:read": frozenset({"admin", "curator", "moderator", "analyst"}),
    "lexicon:edit": frozenset({"admin", "curator"}),
    "metrics": frozenset({"admin", "analyst", "curator"}),
    "users": frozenset({"admin"}),
    "webhooks": frozenset({"admin"}),
    "audit": frozenset({"admin"}),
    "banks:read": frozenset({"admin", "curator", "moderator", "analyst"}),
    "banks:edit": frozenset({"admin", "curator"}),
    "account": frozenset(ROLES),  # one's own profile and keys
}

_HASHER = PasswordHasher()  # argon2id, library defaults (about 50 ms a check)
KEY_PREFIX_CHARS = 10


def role_scopes(role: str) -> frozenset[str]:
    """Every permission ``role`` holds."""
    return frozenset(p for p, roles in PERMISSIONS.items() if role in roles)


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: a user acting through one key, with that key's effective scopes."""

    user_id: int
    username: str
    role: str
    scopes: frozenset[str]
    key_id: int
    key_prefix: str
    expires_at: datetime | None = None

    def allows(self, permission: str) -> bool:
        return permission in self.scopes

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return f"{self.role}:{self.username}"


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def key_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_key() -> tuple[str, str, str]:
    """A fresh key: (the token to hand out once, its public prefix, the hash to store)."""
    prefix = secrets.token_hex(KEY_PREFIX_CHARS // 2)
    token = f"kw_{prefix}{secrets.token_urlsafe(32)}"
    return token, prefix, key_hash(token)


def _prefix(token: str) -> str | None:
    if not token.startswith("kw_") or len(token) < 3 + KEY_PREFIX_CHARS + 16 or len(token) > 200:
        return None
    prefix = token[3:3 + KEY_PREFIX_CHARS]
    return prefix if all(c in "0123456789abcdef" for c in prefix) else None


class Authenticator:
    """Turns a bearer token into a :class:`Principal`, with a short in-memory cache."""

    def __init__(self, db: Database, clock: Callable[[], datetime], ttl: float) -> None:
        self.db = db
        self.clock = clock
        self.ttl = ttl
        self._cache: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def cached(self, token: str) -> Principal | None:
        """The principal for ``token`` if a recent lookup is cached and still valid."""
        hit = self._cache.get(key_hash(token))
        if hit is None or hit[1] < time.monotonic():
            return None
        principal = hit[0]
        if principal.expires_at is not None and principal.expires_at <= self.clock():
            return None
        return principal

    def lookup(self, token: str) -> Principal:
        """Check ``token`` against the database (raises :class:`Unauthorized`)."""
        prefix = _prefix(token)
        if prefix is None:
            raise Unauthorized("malformed API key")
        digest = key_hash(token)
        with self.db.session() as session:
            row = session.execute(
                select(ApiKey, User).join(User, User.id == ApiKey.user_id)
                .where(ApiKey.prefix == prefix)
            ).first()
        if row is None or not hmac.compare_digest(row.ApiKey.secret_hash, digest):
            raise Unauthorized("unknown API key")
        key, user = row.ApiKey, row.User
        now = self.clock()
        expires = as_utc(key.expires_at)
        if key.revoked_at is not None:
            raise Unauthorized("this API key was revoked")
        if expires is not None and expires <= now:
            raise Unauthorized("this API key has expired; log in again")
        if not user.active:
            raise Unauthorized("this account is deactivated")
        principal = Principal(user.id, user.username, user.role,
                              frozenset(key.scopes) & role_scopes(user.role), key.id,
                              key.prefix, expires)
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = (principal, time.monotonic() + self.ttl)
        return principal

    def forget(self, prefix: str | None = None) -> None:
        """Drop cached keys (all, or those with ``prefix``), e.g. after a revocation."""
        with self._lock:
            if prefix is None:
                self._cache.clear()
            else:
                for digest in [d for d, (p, _) in self._cache.items() if p.key_prefix == prefix]:
                    del self._cache[digest]
