"""Users and their API keys: creating, logging in, issuing and revoking keys.

Every change is written to the audit log in the same transaction, so an account that did
something can always be traced to who created it and with what role.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from keepwild.service.auth import (
    ROLES,
    Principal,
    check_password,
    hash_password,
    new_key,
    role_scopes,
)
from keepwild.service.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from keepwild.store import audit
from keepwild.store.database import Database, as_utc
from keepwild.store.tables import ApiKey, User

__all__ = ["create_user", "login", "issue_key", "revoke_key", "list_keys", "user_view",
           "key_view", "set_password", "set_active", "find_user"]


def user_view(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "role": user.role,
            "display_name": user.display_name, "active": user.active,
            "created_at": as_utc(user.created_at)}


def key_view(key: ApiKey) -> dict[str, Any]:
    return {"id": key.id, "name": key.name, "prefix": key.prefix, "scopes": sorted(key.scopes),
            "user_id": key.user_id, "created_at": as_utc(key.created_at),
            "expires_at": as_utc(key.expires_at), "revoked_at": as_utc(key.revoked_at)}


def find_user(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def create_user(db: Database, *, username: str, role: str, now: datetime, actor: str,
                password: str | None = None, password_hash: str | None = None,
                display_name: str = "") -> User:
    """A new account; ``password_hash`` lets callers that create many reuse one hash."""
    if role not in ROLES:
        raise Invalid(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    stored = password_hash or (hash_password(password) if password else None)
    try:
        with db.transaction() as session:
            user = User(username=username, role=role, password_hash=stored,
                        display_name=display_name, active=True, created_at=now)
            session.add(user)
            session.flush()
            audit.append(session, at=now, actor=actor, action="user.create",
                         subject=f"user:{username}", details={"role": role})
    except IntegrityError:
        raise Conflict(f"a user named {username!r} already exists") from None
    return user


def set_password(db: Database, *, username: str, password: str, now: datetime,
                 actor: str) -> None:
    with db.transaction() as session:
        user = find_user(session, username)
        if user is None:
            raise NotFound(f"no user {username!r}")
        user.password_hash = hash_password(password)
        audit.append(session, at=now, actor=actor, action="user.password",
                     subject=f"user:{username}")


def set_active(db: Database, *, user_id: int, active: bool, now: datetime,
               actor: str) -> User:
    """Deactivating keeps the account (and its history) but stops all its keys working."""
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user {user_id}")
        user.active = active
        audit.append(session, at=now, actor=actor,
                     action="user.activate" if active else "user.deactivate",
                     subject=f"user:{user.username}")
    return user


def _insert_key(session: Session, user: User, name: str, scopes: frozenset[str],
                now: datetime, expires_at: datetime | None) -> tuple[str, ApiKey]:
    token, prefix, digest = new_key()
    key = ApiKey(user_id=user.id, name=name, prefix=prefix, secret_hash=digest,
                 scopes=sorted(scopes), created_at=now, expires_at=expires_at)
    session.add(key)
    session.flush()
    return token, key


def login(db: Database, *, username: str, password: str, now: datetime,
          hours: int) -> tuple[str, ApiKey, User]:
    """Exchange a password for a session key with all of the user's role permissions."""
    with db.transaction() as session:
        user = find_user(session, username)
        if user is None or not user.active or not check_password(user.password_hash, password):
            raise Unauthorized("wrong username or password")
        token, key = _insert_key(session, user, "session", role_scopes(user.role), now,
                                 now + timedelta(hours=hours))
        audit.append(session, at=now, actor=f"{user.role}:{user.username}",
                     action="user.login", subject=f"key:{key.prefix}")
    return token, key, user


def issue_key(db: Database, caller: Principal, *, name: str, scopes: list[str] | None,
              user_id: int | None, expires_days: int | None, now: datetime
              ) -> tuple[str, ApiKey]:
    """A named key for the caller (or, for admins, for another user), limited to ``scopes``.

    A key can never hold more than its owner's role allows, nor more than the key that
    created it: a scoped key cannot mint a broader one.
    """
    with db.transaction() as session:
        owner_id = user_id if user_id is not None else caller.user_id
        if owner_id != caller.user_id and not caller.allows("users"):
            raise Forbidden("only an admin can issue keys for another user")
        owner = session.get(User, owner_id)
        if owner is None:
            raise NotFound(f"no user {owner_id}")
        allowed = role_scopes(owner.role)
        if owner_id == caller.user_id:
            allowed &= caller.scopes
        wanted = frozenset(scopes) if scopes is not None else allowed
        extra = sorted(wanted - allowed)
        if extra:
            raise Forbidden(f"scopes not allowed for this key: {', '.join(extra)}")
        if not wanted:
            raise Invalid("a key needs at least one scope")
        expires = now + timedelta(days=expires_days) if expires_days else None
        token, key = _insert_key(session, owner, name, wanted, now, expires)
        audit.append(session, at=now, actor=caller.actor, action="key.issue",
                     subject=f"key:{key.prefix}",
                     details={"user": owner.username, "scopes": sorted(wanted)})
    return token, key


def list_keys(session: Session, caller: Principal, user_id: int | None) -> list[ApiKey]:
    owner = user_id if user_id is not None else caller.user_id
    if owner != caller.user_id and not caller.allows("users"):
        raise Forbidden("only an admin can see another user's keys")
    return list(session.execute(select(ApiKey).where(ApiKey.user_id == owner)
                                .order_by(ApiKey.id)).scalars())


def revoke_key(db: Database, caller: Principal, key_id: int, now: datetime) -> ApiKey:
    with db.transaction() as session:
        key = session.get(ApiKey, key_id)
        if key is None or (key.user_id != caller.user_id and not caller.allows("users")):
            raise NotFound(f"no key {key_id}")
        if key.revoked_at is None:
            key.revoked_at = now
            audit.append(session, at=now, actor=caller.actor, action="key.revoke",
                         subject=f"key:{key.prefix}")
    return key
