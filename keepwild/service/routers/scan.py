"""``POST /v1/scan``: scan one listing, store nothing.

This is the hot path a platform calls at post time, so it avoids the usual machinery: the
body is decoded with orjson and validated by the scanner's own rules, the caller's key comes
from the in-memory cache, and the scan runs on the event loop (no thread hop, no database).
"""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from keepwild.service.auth import Principal
from keepwild.service.deps import require
from keepwild.service.http import read_json
from keepwild.service.listings import parse_listing, scan_view
from keepwild.service.schemas.common import ErrorOut
from keepwild.service.schemas.listings import ListingIn, ScanOut

router = APIRouter(prefix="/v1", tags=["scan"])

LISTING_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": ListingIn.model_json_schema()}}}}


@router.post("/scan", openapi_extra=LISTING_BODY,
             responses={200: {"model": ScanOut}, 422: {"model": ErrorOut}})
async def scan(request: Request, _: Annotated[Principal, Depends(require("scan"))]) -> Response:
    """Scan one listing and return the verdict with its explanation; nothing is stored."""
    holder = request.app.state.runtime.scanner
    listing = parse_listing(await read_json(request))
    result = holder.scan(listing)
    return Response(orjson.dumps(scan_view(result, holder.model_version)),
                    media_type="application/json")
