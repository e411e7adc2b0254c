"""HTTP plumbing shared by all routers: the JSON response, the body-size limit, reading a
JSON body, and turning every error into ``{"error": ..., "reason": ...}``."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keepwild.service.errors import BadRequest, PayloadTooLarge, ServiceError

__all__ = ["Json", "BodyLimit", "install_error_handlers", "read_json", "decode_json",
           "json_response"]

log = logging.getLogger("keepwild.service")


class Json(Response):
    """JSON rendered by orjson: datetimes as RFC 3339, several times faster than json."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def json_response(content: Any, status: int = 200, headers: dict[str, str] | None = None
                  ) -> Json:
    return Json(content, status_code=status, headers=headers)


def _error(status: int, code: str, reason: str, headers: dict[str, str] | None = None) -> Json:
    return Json({"error": code, "reason": reason}, status_code=status, headers=headers)


class BodyLimit:
    """Refuses request bodies over ``max_bytes`` with 413 before they are read into memory,
    whether the client declares a Content-Length or streams chunks."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > self.max_bytes:
                    reason = (f"request body over {self.max_bytes} bytes" if declared > 0
                              else "invalid Content-Length")
                    status = 413 if declared > 0 else 400
                    await _error(status, "too_large" if status == 413 else "bad_request",
                                 reason)(scope, receive, send)
                    return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise PayloadTooLarge(f"request body over {self.max_bytes} bytes")
            return message

        await self.app(scope, counted, send)


def decode_json(body: bytes) -> Any:
    """``body`` decoded, or 400 saying why it is not JSON."""
    if not body:
        raise BadRequest("the request needs a JSON body")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}") from None


async def read_json(request: Request) -> Any:
    """The decoded JSON body, or 400 saying why it is not JSON."""
    return decode_json(await request.body())


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p != "body"]
    return ".".join(parts) or "body"


def install_error_handlers(app: FastAPI) -> None:
    """One JSON error shape for every failure, including FastAPI's and Starlette's own."""

    @app.exception_handler(ServiceError)
    async def _service(_: Request, exc: ServiceError) -> Response:
        return _error(exc.status, exc.code, exc.reason, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return _error(400, "bad_request", "the body is not valid JSON")
        reasons = [f"{_location(tuple(e.get('loc', ())))}: {e.get('msg', 'invalid')}"
                   for e in errors[:5]]
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        return _error(422, "invalid", "; ".join(reasons) + more)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        return _error(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> Response:
        log.error("unhandled error", exc_info=exc)
        return _error(500, "internal", "internal error; the server log has the details")
