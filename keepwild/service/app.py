"""Assembling the service: :func:`create_app` builds one FastAPI application from
:class:`Settings`; it holds no logic of its own.

Start-up migrates the schema (unless told not to: ``keepwild serve`` migrates once before
starting its workers), builds the scanner, and starts the webhook dispatcher and the lexicon
watcher; shut-down stops them and closes the database.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from keepwild.service.auth import Authenticator
from keepwild.service.background import Periodic
from keepwild.service.deps import Runtime
from keepwild.service.http import BodyLimit, Json, install_error_handlers
from keepwild.service.routers import (
    accounts,
    audit,
    health,
    lexicon,
    listings,
    media,
    metrics,
    queue,
    reports,
    scan,
    webhooks,
)
from keepwild.service.scanning import ScannerHolder
from keepwild.service.settings import Settings
from keepwild.service.webhooks import Dispatcher
from keepwild.store.banks import BankIndex
from keepwild.store.database import Database

__all__ = ["create_app", "app_from_env", "build_runtime"]

API_VERSION = "1"


def build_runtime(settings: Settings) -> Runtime:
    db = Database(settings.database_url)
    return Runtime(
        settings=settings,
        db=db,
        scanner=ScannerHolder(settings.lexicon, settings.policy, settings.model),
        auth=Authenticator(db, settings.clock, settings.auth_cache_seconds),
        dispatcher=Dispatcher(db, settings.clock, timeout=settings.webhook_timeout,
                              base=settings.webhook_backoff_base,
                              cap=settings.webhook_backoff_max,
                              poll=settings.webhook_poll_seconds),
        banks=BankIndex(db),
    )


def settle_heap() -> None:
    """Put what the process now holds for good (the compiled scanner, its lexicon and model,
    the routes) out of the cyclic garbage collector's way.

    A full collection walks every object the collector tracks, and a built scanner is some
    280,000 of them: each full collection cost about 150 ms of CPU, and an ingest batch
    leaves enough survivors to trigger one every few batches (some 19 µs per ingested
    listing). Frozen objects are never walked. The previous scanner's objects are unfrozen
    and collected first, so a rebuild leaks nothing; objects of requests in flight at that
    moment stay frozen (uncollected if cyclic) until the next rebuild."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _refresh(rt: Runtime) -> None:
    if rt.scanner.refresh(rt.db):
        settle_heap()


def _start(rt: Runtime) -> None:
    if rt.settings.migrate:
        rt.db.upgrade()
    if rt.settings.background:  # a serving process (tests run many apps in one process)
        _refresh(rt)
        rt.dispatcher.start()
        watcher = Periodic("keepwild-lexicon", rt.settings.lexicon_poll_seconds,
                           lambda: _refresh(rt))
        watcher.start()
        rt.tasks.append(watcher)
    else:
        rt.scanner.refresh(rt.db)


def _stop(rt: Runtime) -> None:
    for task in rt.tasks:
        if isinstance(task, Periodic):
            task.stop()
    rt.dispatcher.stop()
    rt.db.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The keepwild API for ``settings`` (default: from ``KEEPWILD_*`` variables)."""
    settings = settings or Settings.from_env()
    rt = build_runtime(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(_start, rt)
        try:
            yield
        finally:
            await run_in_threadpool(_stop, rt)

    app = FastAPI(
        title="keepwild",
        version=API_VERSION,
        summary="Detect, review and act on online listings of prohibited wildlife.",
        lifespan=lifespan,
        default_response_class=Json,
    )
    app.state.runtime = rt
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    install_error_handlers(app)
    for module in (health, scan, listings, queue, reports, lexicon, metrics, accounts,
                   webhooks, audit, media):
        app.include_router(module.router)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (each worker builds its app from the environment)."""
    return create_app(Settings.from_env())
