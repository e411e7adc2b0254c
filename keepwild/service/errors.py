"""Errors the service raises on purpose; one handler turns each into a JSON body
``{"error": <code>, "reason": <sentence>}`` with its HTTP status.

    ServiceError (KeepwildError)
    ├── BadRequest           400  unreadable body (not JSON, wrong shape)
    ├── Unauthorized         401  no credentials, or ones that do not work
    ├── Forbidden            403  the caller's role or key scope does not allow this
    ├── NotFound             404
    ├── Conflict             409  the state does not allow it (claimed by someone else...)
    ├── PayloadTooLarge      413
    ├── Invalid (ValueError) 422  a field breaks its rules; the reason names it
    ├── RateLimited          429  too many requests from this client; retry later
    └── Unavailable          503  not ready (database or scanner)
"""

from __future__ import annotations

from keepwild.errors import KeepwildError

__all__ = ["ServiceError", "BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict",
           "PayloadTooLarge", "Invalid", "RateLimited", "Unavailable"]


class ServiceError(KeepwildError):
    status = 500
    code = "error"

    def __init__(self, reason: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.headers = headers or {}


class BadRequest(ServiceError):
    status, code = 400, "bad_request"


class Unauthorized(ServiceError):
    status, code = 401, "unauthorized"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class NotFound(ServiceError):
    status, code = 404, "not_found"


class Conflict(ServiceError):
    status, code = 409, "conflict"


class PayloadTooLarge(ServiceError):
    status, code = 413, "too_large"


class Invalid(ServiceError, ValueError):
    status, code = 422, "invalid"


class RateLimited(ServiceError):
    status, code = 429, "rate_limited"


class Unavailable(ServiceError):
    status, code = 503, "unavailable"
