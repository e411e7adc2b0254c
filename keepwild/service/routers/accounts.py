"""Sessions, users and API keys: ``/v1/session``, ``/v1/me``, ``/v1/users``, ``/v1/keys``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from starlette.responses import Response

from keepwild.service import accounts
from keepwild.service.auth import Principal
from keepwild.service.deps import RuntimeDep, require
from keepwild.service.errors import NotFound
from keepwild.service.http import json_response
from keepwild.service.schemas.accounts import (
    KeyIn,
    KeyOut,
    LoginIn,
    NewKeyOut,
    SessionOut,
    UserIn,
    UserOut,
    UserPatch,
)
from keepwild.service.schemas.common import ErrorOut
from keepwild.store.tables import User

router = APIRouter(prefix="/v1", tags=["accounts"])
Admin = Annotated[Principal, Depends(require("users"))]
Anyone = Annotated[Principal, Depends(require("account"))]


@router.post("/session", response_model=SessionOut, responses={401: {"model": ErrorOut}})
def log_in(body: LoginIn, rt: RuntimeDep) -> Response:
    """Exchange a username and password for a session key (valid ``session_hours``)."""
    token, key, user = accounts.login(rt.db, username=body.username, password=body.password,
                                      now=rt.now(), hours=rt.settings.session_hours)
    return json_response({"key": token, "expires_at": key.expires_at,
                          "user": accounts.user_view(user)})


@router.get("/me")
def me(rt: RuntimeDep, caller: Anyone) -> Response:
    """Who the key belongs to and what it may do."""
    with rt.db.session() as session:
        user = session.get(User, caller.user_id)
        if user is None:
            raise NotFound("your account no longer exists")
        return json_response({**accounts.user_view(user), "scopes": sorted(caller.scopes),
                              "key": caller.key_prefix})


@router.post("/users", status_code=201, response_model=UserOut,
             responses={409: {"model": ErrorOut}})
def create_user(body: UserIn, rt: RuntimeDep, caller: Admin) -> Response:
    """Create an account with one role (admins)."""
    user = accounts.create_user(rt.db, username=body.username, role=body.role,
                                password=body.password, display_name=body.display_name,
                                now=rt.now(), actor=caller.actor)
    return json_response(accounts.user_view(user), 201)


@router.get("/users")
def list_users(rt: RuntimeDep, _: Admin,
               limit: Annotated[int, Query(ge=1, le=1000)] = 200,
               offset: Annotated[int, Query(ge=0)] = 0) -> Response:
    """Accounts, oldest first (admins)."""
    with rt.db.session() as session:
        users = session.execute(select(User).order_by(User.id).limit(limit).offset(offset)
                                ).scalars()
        return json_response({"users": [accounts.user_view(u) for u in users]})


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(user_id: int, body: UserPatch, rt: RuntimeDep, caller: Admin) -> Response:
    """Deactivate (or reactivate) an account: its keys stop working at once here, and
    within ``auth_cache_seconds`` on other workers."""
    user = accounts.set_active(rt.db, user_id=user_id, active=body.active, now=rt.now(),
                               actor=caller.actor)
    rt.auth.forget()
    return json_response(accounts.user_view(user))


@router.post("/keys", status_code=201, response_model=NewKeyOut,
             responses={403: {"model": ErrorOut}})
def create_key(body: KeyIn, rt: RuntimeDep, caller: Anyone) -> Response:
    """Issue an API key, limited to ``scopes`` (never more than the owner's role or the
    calling key allows). The key is shown once."""
    token, key = accounts.issue_key(rt.db, caller, name=body.name, scopes=body.scopes,
                                    user_id=body.user_id, expires_days=body.expires_days,
                                    now=rt.now())
    return json_response({**accounts.key_view(key), "key": token}, 201)


@router.get("/keys")
def list_keys(rt: RuntimeDep, caller: Anyone,
              user_id: int | None = None) -> Response:
    """Your keys (admins: anyone's, with ``user_id``); never the keys themselves."""
    with rt.db.session() as session:
        keys = accounts.list_keys(session, caller, user_id)
        return json_response({"keys": [accounts.key_view(k) for k in keys]})


@router.delete("/keys/{key_id}", response_model=KeyOut)
def revoke_key(key_id: int, rt: RuntimeDep, caller: Anyone) -> Response:
    """Revoke a key: refused at once by this worker, within ``auth_cache_seconds`` by
    others."""
    key = accounts.revoke_key(rt.db, caller, key_id, rt.now())
    rt.auth.forget(key.prefix)
    return json_response(accounts.key_view(key))
