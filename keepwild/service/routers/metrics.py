"""``GET /v1/metrics``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from keepwild.service.auth import Principal
from keepwild.service.deps import RuntimeDep, require
from keepwild.service.http import json_response
from keepwild.service.metrics import metrics

router = APIRouter(prefix="/v1", tags=["metrics"])


@router.get("/metrics")
def get_metrics(rt: RuntimeDep, _: Annotated[Principal, Depends(require("metrics"))],
                weeks: Annotated[int, Query(ge=1, le=260)] = 12) -> Response:
    """Counts by verdict, decision, category, language and week; reports and their outcome;
    time from flag to decision."""
    with rt.db.session() as session:
        return json_response(metrics(session, rt.db.dialect, rt.now(), weeks))
