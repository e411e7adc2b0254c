"""What endpoints receive as dependencies: the running service and the authenticated caller.

``require("queue")`` is the one way an endpoint states who may call it; the permission is kept
on the dependency so tests can find every protected route and check it refuses the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from keepwild.service.auth import Authenticator, Principal, role_scopes
from keepwild.service.errors import Forbidden, Unauthorized
from keepwild.service.scanning import ScannerHolder
from keepwild.service.settings import Settings
from keepwild.service.webhooks import Dispatcher
from keepwild.store.banks import BankIndex
from keepwild.store.database import Database

__all__ = ["Runtime", "runtime", "require", "optional_caller", "RuntimeDep", "bearer_token"]


@dataclass
class Runtime:
    """One service process: settings, database, scanner, authenticator, dispatcher and the
    hash bank index."""

    settings: Settings
    db: Database
    scanner: ScannerHolder
    auth: Authenticator
    dispatcher: Dispatcher
    banks: BankIndex
    tasks: list[object] = field(default_factory=list)

    def now(self) -> datetime:
        return self.settings.clock()


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


RuntimeDep = Annotated[Runtime, Depends(runtime)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("use 'Authorization: Bearer <API key>'")
        return token.strip()
    return request.headers.get("x-api-key") or None


async def _principal(request: Request, token: str) -> Principal:
    auth: Authenticator = request.app.state.runtime.auth
    return auth.cached(token) or await run_in_threadpool(auth.lookup, token)


class require:  # noqa: N801 - used like a function: Depends(require("scan"))
    """A dependency that admits callers holding ``permission`` (401 without a key, 403 with
    one that does not allow it) and returns the :class:`Principal`."""

    def __init__(self, permission: str) -> None:
        self.permission = permission

    async def __call__(self, request: Request) -> Principal:
        token = bearer_token(request)
        if token is None:
            raise Unauthorized("this endpoint needs an API key: 'Authorization: Bearer <key>'")
        principal = await _principal(request, token)
        if not principal.allows(self.permission):
            if self.permission in role_scopes(principal.role):
                raise Forbidden(f"this API key is not scoped for {self.permission!r}")
            raise Forbidden(f"the {principal.role} role does not allow {self.permission!r}")
        return principal


async def optional_caller(request: Request) -> Principal | None:
    """The caller if credentials were sent (and are valid), else None (public endpoints)."""
    token = bearer_token(request)
    return None if token is None else await _principal(request, token)
