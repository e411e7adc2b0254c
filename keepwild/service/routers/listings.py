"""``POST /v1/listings`` (ingest one or a batch) and ``GET /v1/listings/{id}``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from keepwild.service import idempotency
from keepwild.service.auth import Principal
from keepwild.service.deps import RuntimeDep, require
from keepwild.service.errors import Invalid, PayloadTooLarge
from keepwild.service.http import decode_json, json_response
from keepwild.service.listings import ingest, listing_view, parse_listing
from keepwild.service.schemas.common import ErrorOut
from keepwild.service.schemas.listings import IngestOut, ListingIn

router = APIRouter(prefix="/v1", tags=["listings"])

_LISTING = ListingIn.model_json_schema()
INGEST_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "oneOf": [_LISTING, {"type": "object", "required": ["listings"], "properties": {
        "listings": {"type": "array", "items": _LISTING}}}]}}}}}


def _records(raw: bytes, max_batch: int) -> list[Any]:
    body = decode_json(raw)
    if isinstance(body, dict) and "listings" in body:
        batch = body["listings"]
        if not isinstance(batch, list):
            raise Invalid("'listings' must be a list of listing objects")
        if len(body) > 1:
            raise Invalid("a batch body holds only 'listings'")
        if not batch:
            raise Invalid("'listings' is empty")
        if len(batch) > max_batch:
            raise PayloadTooLarge(f"a batch of {len(batch)} listings; at most {max_batch}")
        # A JSON string holds a NUL only as the escape \u0000: without one in the body, no
        # record needs looking through for it.
        nul = b"\\u0000" in raw
        return [parse_listing(item, f"listings[{index}]: ", may_hold_nul=nul)
                for index, item in enumerate(batch)]
    return [parse_listing(body)]


@router.post("/listings", openapi_extra=INGEST_BODY,
             responses={200: {"model": IngestOut}, 413: {"model": ErrorOut},
                        422: {"model": ErrorOut}})
async def post_listings(request: Request, rt: RuntimeDep,
                        caller: Annotated[Principal, Depends(require("ingest"))]) -> Response:
    """Ingest one listing or ``{"listings": [...]}``: each is stored, scanned if new or
    changed, and queued for review if flagged. Idempotent on the listing id; send an
    ``Idempotency-Key`` header to have a retry answered with the first response."""
    key = request.headers.get("idempotency-key")
    body = await request.body()
    # Decoding and validating 1,000 listings takes some 15 ms: off the event loop, so the
    # scans this worker serves meanwhile are not held up.
    records = await run_in_threadpool(_records, body, rt.settings.max_batch)
    principal = f"user:{caller.user_id}"
    if key is not None:
        key = idempotency.check_key(key)
        digest = idempotency.request_hash("POST", "/v1/listings", body)
        stored = await run_in_threadpool(idempotency.replay, rt.db, principal, key, digest)
        if stored is not None:
            return json_response(stored[1], stored[0], {"Idempotent-Replayed": "true"})
    now = rt.now()
    results = await run_in_threadpool(ingest, rt.db, rt.scanner, caller, records, now)
    response = {"results": results}
    if key is not None:
        await run_in_threadpool(idempotency.remember, rt.db, principal, key, digest, 200,
                                response, now)
    # A batch is about a second of one worker's CPU, and a keep-alive connection stays with
    # the worker that accepted it: a few pipelines' connections can all land on one worker,
    # which then runs on one core while the others idle. Closing after each batch lets the
    # next one be accepted by whichever worker is free (a reconnect per 1,000 listings).
    return json_response(response, headers={"Connection": "close"} if len(records) > 1
                         else None)


@router.get("/listings/{listing_id:path}")
def get_listing(listing_id: str, rt: RuntimeDep,
                _: Annotated[Principal, Depends(require("listings:read"))]) -> Response:
    """A listing with its latest scan (verdict, matches, reasons, versions), its queue state
    and the decisions taken on it."""
    with rt.db.session() as session:
        return json_response(listing_view(session, listing_id))
