"""The live lexicon: ``GET /v1/lexicon`` (versioned export), curator edits, per-term
precision."""

from __future__ import annotations

import io
from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from keepwild.lexicon.files import write_csv
from keepwild.service.auth import Principal
from keepwild.service.deps import RuntimeDep, require
from keepwild.service.http import json_response
from keepwild.service.lexicon import edit_term, export, precision
from keepwild.service.schemas.common import ErrorOut
from keepwild.service.schemas.lexicon import TermEditIn

router = APIRouter(prefix="/v1/lexicon", tags=["lexicon"])


@router.get("")
def get_lexicon(rt: RuntimeDep, _: Annotated[Principal, Depends(require("lexicon:read"))],
                format: Literal["json", "csv"] = "json") -> Response:
    """The lexicon in force (shipped release plus curator edits) as the JSON export
    ``keepwild lexicon import`` reads, or as CSV; the version is also the ETag."""
    rt.scanner.refresh(rt.db)
    lexicon = rt.scanner.lexicon
    headers = {"ETag": f'"{lexicon.version}"'}
    if format == "csv":
        handle = io.StringIO()
        write_csv(lexicon, handle)
        return Response(handle.getvalue(), media_type="text/csv; charset=utf-8",
                        headers=headers)
    with rt.db.session() as session:
        return json_response(export(session, lexicon), headers=headers)


@router.put("/terms", responses={422: {"model": ErrorOut}})
async def put_term(body: TermEditIn, rt: RuntimeDep,
                   caller: Annotated[Principal, Depends(require("lexicon:edit"))]) -> Response:
    """Add a term or change one (weight, status, kind...). The edit is validated like a
    lexicon release, recorded with its author, and the scanner is rebuilt (about a second;
    other processes pick it up within ``lexicon_poll_seconds``)."""
    await run_in_threadpool(rt.scanner.refresh, rt.db)
    term, warnings = await run_in_threadpool(edit_term, rt.db, caller, rt.scanner.lexicon,
                                             body.model_dump(), rt.now())
    await run_in_threadpool(rt.scanner.refresh, rt.db)
    return json_response({"term": asdict(term), "version": rt.scanner.lexicon.version,
                          "warnings": warnings})


@router.get("/precision")
def term_precision(rt: RuntimeDep, _: Annotated[Principal, Depends(require("lexicon:edit"))],
                   min_decisions: Annotated[int, Query(ge=1, le=10_000)] = 1,
                   limit: Annotated[int, Query(ge=1, le=5000)] = 200) -> Response:
    """Per-term precision from moderators' decisions, least precise first."""
    with rt.db.session() as session:
        return json_response({"terms": precision(session, min_decisions=min_decisions,
                                                 limit=limit)})
