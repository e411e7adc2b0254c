"""Liveness and readiness: separate, so an orchestrator restarts a dead process but only
holds traffic from one that is still starting (schema, scanner)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from keepwild.service.deps import RuntimeDep
from keepwild.service.errors import Unavailable

router = APIRouter(prefix="/v1", tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    """The process is up (no dependency checked)."""
    return {"status": "ok"}


@router.get("/ready")
def ready(rt: RuntimeDep) -> dict[str, Any]:
    """The database answers at the expected schema and the scanner is built; reports the
    hash bank index's size and freshness (brought up to date first)."""
    try:
        with rt.db.session() as session:
            session.execute(text("SELECT 1"))
        revision, head = rt.db.revision(), rt.db.head()
    except Exception as exc:
        raise Unavailable(f"database unreachable: {type(exc).__name__}") from None
    if revision != head:
        raise Unavailable(f"database schema is at {revision}, this keepwild needs {head}")
    if not rt.scanner.ready:
        raise Unavailable("the scanner is still being built")
    rt.banks.sync()
    return {"status": "ready", "database": rt.db.dialect, "schema": revision,
            "lexicon_version": rt.scanner.lexicon.version,
            "model_version": rt.scanner.model_version, "hash_index": rt.banks.status()}
