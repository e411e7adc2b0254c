"""The audit log (admins): ``GET /v1/audit`` pages through it, ``GET /v1/audit/verify``
checks the hash chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from keepwild.service.auth import Principal
from keepwild.service.deps import RuntimeDep, require
from keepwild.service.http import json_response
from keepwild.store import audit
from keepwild.store.database import as_utc

router = APIRouter(prefix="/v1/audit", tags=["audit"])
Auditor = Annotated[Principal, Depends(require("audit"))]


@router.get("")
def entries(rt: RuntimeDep, _: Auditor, after: Annotated[int, Query(ge=0)] = 0,
            limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Response:
    """Entries after sequence number ``after``, oldest first."""
    with rt.db.session() as session:
        return json_response({"entries": [
            {"seq": e.seq, "at": as_utc(e.at), "actor": e.actor, "action": e.action,
             "subject": e.subject, "details": e.details, "hash": e.hash}
            for e in audit.entries(session, after=after, limit=limit)]})


@router.get("/verify")
def verify(rt: RuntimeDep, _: Auditor) -> Response:
    """Recompute the chain; ``ok`` false names the first entry that was tampered with."""
    with rt.db.session() as session:
        result = audit.verify(session)
    return json_response({"ok": result.ok, "entries": result.entries, "head": result.head,
                          "first_bad": result.first_bad, "reason": result.reason})
