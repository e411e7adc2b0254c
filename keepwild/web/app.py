"""The whole keepwild server: the service API (:func:`keepwild.service.app.create_app`) with
the web interface added on top. The web layer sits above the service, so the service's
factory knows nothing of pages; this factory adds them, and ``uvicorn --factory
keepwild.web.app:app_from_env`` serves both from one process.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from keepwild.service.app import create_app as create_service_app
from keepwild.service.settings import Settings
from keepwild.web.pages import NotAllowed, PageNotFound, SignInNeeded, page, redirect, render
from keepwild.web.routes import account, dashboard, lexicon, reports, review
from keepwild.web.session import CsrfError

__all__ = ["create_app", "app_from_env"]

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API and the web interface for ``settings`` (default: ``KEEPWILD_*`` variables)."""
    app = create_service_app(settings)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (account, review, reports, lexicon, dashboard):
        app.include_router(module.router)

    @app.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, _: SignInNeeded) -> Response:
        current = await page(request)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(current, f"/signin?next={quote(target, safe='')}")

    @app.exception_handler(NotAllowed)
    async def _not_allowed(request: Request, _: NotAllowed) -> Response:
        return render(await page(request), "error.html", 403, kind="forbidden")

    @app.exception_handler(PageNotFound)
    async def _not_found(request: Request, _: PageNotFound) -> Response:
        return render(await page(request), "error.html", 404, kind="not_found")

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, _: CsrfError) -> Response:
        return render(await page(request), "error.html", 403, kind="csrf")

    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory keepwild.web.app:app_from_env``."""
    return create_app(Settings.from_env())
