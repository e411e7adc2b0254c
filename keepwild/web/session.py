"""Browser sessions: one signed cookie holding the visitor's CSRF token, chosen language and,
once signed in, the service session key that :func:`keepwild.service.accounts.login` issued.

The cookie is signed (itsdangerous, keyed by ``KEEPWILD_SECRET``), ``HttpOnly``,
``SameSite=Lax`` and ``Secure`` whenever the page was served over HTTPS, so scripts cannot
read it and other sites cannot ride on it. Every state-changing form carries the CSRF token,
compared in constant time with the cookie's. Signing in goes through the service's own key
checks (:class:`keepwild.service.auth.Authenticator`), so a revoked or expired session key,
or a deactivated account, ends the browser session too; signing out revokes the key.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from keepwild.service.auth import Principal
from keepwild.service.deps import Runtime
from keepwild.service.errors import Unauthorized
from keepwild.web.i18n import LOCALES, negotiate

__all__ = ["COOKIE", "WebSession", "load_session", "save_session", "check_csrf", "CsrfError"]

COOKIE = "keepwild_session"


class CsrfError(Exception):
    """A form arrived without the token of the session that rendered it."""


@dataclass
class WebSession:
    """What the cookie carries, and who it turned out to be for this request."""

    csrf: str
    locale: str
    key: str | None = None
    blur: bool = True
    principal: Principal | None = None
    changed: bool = False
    flashes: list[dict[str, Any]] = field(default_factory=list)

    def to_cookie(self) -> dict[str, Any]:
        return {"c": self.csrf, "l": self.locale, "k": self.key, "b": self.blur,
                "f": self.flashes}

    def flash(self, message: str, *, kind: str = "info", **params: Any) -> None:
        """A msgid shown (translated) on the next page the visitor sees."""
        self.flashes.append({"m": message, "k": kind, "p": params})
        self.changed = True

    def allows(self, permission: str) -> bool:
        return self.principal is not None and self.principal.allows(permission)


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="keepwild.web.session")


async def load_session(request: Request, rt: Runtime) -> WebSession:
    """The visitor's session (a fresh one if the cookie is missing, forged or stale)."""
    raw = request.cookies.get(COOKIE)
    data: dict[str, Any] = {}
    if raw:
        try:
            data = _serializer(rt.settings.client_salt).loads(
                raw, max_age=rt.settings.session_hours * 3600)
        except BadSignature:
            data = {}
    locale = data.get("l") if data.get("l") in LOCALES else None
    session = WebSession(csrf=data.get("c") or secrets.token_urlsafe(24),
                         locale=locale or negotiate(request.headers.get("accept-language")),
                         key=data.get("k"), blur=bool(data.get("b", True)),
                         flashes=list(data.get("f") or []), changed=not data)
    if session.key:
        try:
            session.principal = (rt.auth.cached(session.key)
                                 or await run_in_threadpool(rt.auth.lookup, session.key))
        except Unauthorized:
            session.key, session.changed = None, True
    return session


def save_session(response: Response, request: Request, rt: Runtime,
                 session: WebSession) -> None:
    """Write the cookie if anything in it changed."""
    if not session.changed:
        return
    forwarded = rt.settings.trust_forwarded_for and \
        request.headers.get("x-forwarded-proto", "") == "https"
    response.set_cookie(COOKIE, _serializer(rt.settings.client_salt).dumps(session.to_cookie()),
                        max_age=rt.settings.session_hours * 3600, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https" or forwarded,
                        path="/")


def check_csrf(session: WebSession, submitted: str | None) -> None:
    if not submitted or not hmac.compare_digest(session.csrf, submitted):
        raise CsrfError
