"""Images and hash banks: ``POST /v1/hash``, ``POST /v1/match`` and the curators' bank
endpoints under ``/v1/banks`` (create, configure, add, remove, import, export, and banking a
confirmed listing's images in one step). See docs/images.md.

Platforms hash and match with the ``scan`` permission; reading banks needs ``banks:read``,
changing them ``banks:edit`` (curators and admins). Every change is audited in the same
transaction (:mod:`keepwild.store.banks`), and every process's index applies it at its next
lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from keepwild.media.bankfile import read_bank_file
from keepwild.media.banks import DEFAULT_THRESHOLD, BankEntry
from keepwild.media.errors import BankExistsError, MediaError, UnknownBankError
from keepwild.media.fetch import FetchPolicy, ImageLoader
from keepwild.media.hashing import MAX_IMAGE_BYTES, PdqHash, decode_data_uri, from_hex, hash_bytes
from keepwild.media.index import MAX_DISTANCE
from keepwild.media.scan import hash_images
from keepwild.service.auth import Principal
from keepwild.service.deps import RuntimeDep, require
from keepwild.service.errors import BadRequest, Conflict, Invalid, NotFound, PayloadTooLarge
from keepwild.service.http import json_response
from keepwild.service.schemas.common import ErrorOut
from keepwild.store import banks as store
from keepwild.store.banks import BankStore

router = APIRouter(prefix="/v1", tags=["images"])
Hasher = Annotated[Principal, Depends(require("scan"))]
Reader = Annotated[Principal, Depends(require("banks:read"))]
Curator = Annotated[Principal, Depends(require("banks:edit"))]
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 404, 409, 413, 422)}

#: Most hashes one /v1/match request may look up, and images one listing may bank.
MAX_HASHES = 1000
#: Listing images are fetched from public addresses only, under the default limits.
FETCH_POLICY = FetchPolicy()

T = TypeVar("T")


def _media_errors(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a bank or image operation; its refusals become the service's JSON errors."""
    try:
        return call(*args, **kwargs)
    except (UnknownBankError, store.UnknownListingError) as exc:
        raise NotFound(str(exc)) from None
    except (BankExistsError, store.UnconfirmedListingError) as exc:
        raise Conflict(str(exc)) from None
    except MediaError as exc:
        raise Invalid(str(exc)) from None


async def _off_loop(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await run_in_threadpool(_media_errors, call, *args, **kwargs)


def _entry_view(entry: BankEntry) -> dict[str, Any]:
    return {"id": entry.id, "bank": entry.bank, "signal": entry.hex,
            "category": entry.category, "quality": entry.quality, "added_by": entry.added_by,
            "added_at": entry.added_at, "listing_id": entry.listing_id, "note": entry.note,
            "removed_at": entry.removed_at, "removed_by": entry.removed_by}


def _hash_view(pdq: PdqHash) -> dict[str, Any]:
    return {"pdq": pdq.hex, "quality": pdq.quality, "matchable": pdq.matchable,
            "mirror": pdq.mirror.hex()}


async def _image_bytes(request: Request) -> bytes:
    """The image a request carries: the body itself, or a JSON ``{"image": "data:..."}``."""
    body = await request.body()
    if not body:
        raise BadRequest("send the image as the request body, or JSON {\"image\": \"data:...\"}")
    if not request.headers.get("content-type", "").startswith("application/json"):
        return body
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("image"), str):
        raise Invalid("image: a data:image/...;base64, URI is required")
    return _media_errors(decode_data_uri, document["image"])


@router.post("/hash", responses={200: {"description": "PDQ hash, quality, mirror hash"},
                                 **ERRORS})
async def hash_image(request: Request, _: Hasher) -> Response:
    """PDQ hash of one image (JPEG, PNG, WebP, GIF...), sent as the body (at most the body
    limit and 20 MB, 50 megapixels) or as a data URI in JSON; a hash with quality below 50 is
    not matchable."""
    data = await _image_bytes(request)
    if len(data) > MAX_IMAGE_BYTES:
        raise PayloadTooLarge(f"image over {MAX_IMAGE_BYTES} bytes")
    return json_response(_hash_view(await _off_loop(hash_bytes, data)))


def _match(rt: Any, queries: list[tuple[PdqHash, dict[str, Any]]]) -> dict[str, Any]:
    index = rt.banks
    matcher = index.sync()
    found = matcher.match([q for q, _ in queries])
    with rt.db.session() as session:
        entries = BankStore(session, rt.now()).entries_by_id(
            m.entry_id for matches in found for m in matches)
    results = []
    for (_, view), matches in zip(queries, found):
        results.append({**view, "matches": [{
            **m._asdict(), "threshold": matcher.threshold(m.bank),
            **({k: v for k, v in _entry_view(entries[m.entry_id]).items()
                if k in ("signal", "listing_id", "added_by", "added_at", "note")}
               if m.entry_id in entries else {}),
        } for m in matches]})
    return {"results": results, "index": {"version": index.version,
                                          "entries": index.status()["entries"]}}


@router.post("/match", responses={200: {"description": "bank matches per hash"}, **ERRORS})
async def match(request: Request, rt: RuntimeDep, _: Hasher) -> Response:
    """Match against every enabled bank, each at its own threshold: either an image (as the
    body, also matched as its mirror image) or JSON ``{"hashes": ["64 hex digits", ...]}``
    (at most 1000; their quality is unknown, so they are matched)."""
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            document = orjson.loads(await request.body())
        except orjson.JSONDecodeError as exc:
            raise BadRequest(f"the body is not valid JSON: {exc}") from None
        if isinstance(document, dict) and "image" in document and "hashes" not in document:
            pdq = await _off_loop(hash_bytes, await _image_bytes(request))
            queries = [(pdq, _hash_view(pdq))]
        else:
            hashes = document.get("hashes") if isinstance(document, dict) else None
            if not isinstance(hashes, list) or not hashes:
                raise Invalid("hashes: a non-empty list of 64-hex-digit PDQ hashes is required")
            if len(hashes) > MAX_HASHES:
                raise PayloadTooLarge(f"{len(hashes)} hashes; at most {MAX_HASHES} a request")
            queries = []
            for position, value in enumerate(hashes):
                try:
                    code = from_hex(value)
                except MediaError as exc:
                    raise Invalid(f"hashes[{position}]: {exc}") from None
                queries.append((PdqHash(code, 100, code), {"pdq": code.hex()}))
    else:
        pdq = await _off_loop(hash_bytes, await _image_bytes(request))
        queries = [(pdq, _hash_view(pdq))]
    return json_response(await _off_loop(_match, rt, queries))


class BankIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    threshold: int = Field(DEFAULT_THRESHOLD, ge=0, le=MAX_DISTANCE)
    enabled: bool = True
    description: str = Field("", max_length=store.MAX_DESCRIPTION)


class BankPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    threshold: int | None = Field(None, ge=0, le=MAX_DISTANCE)
    enabled: bool | None = None
    description: str | None = Field(None, max_length=store.MAX_DESCRIPTION)


class HashIn(BaseModel):
    """A hash as 64 hex digits (``signal``) or an image as a data URI (``image``)."""

    model_config = ConfigDict(extra="forbid")
    signal: str | None = Field(None, max_length=64)
    image: str | None = None
    category: str = Field(max_length=32)
    quality: int | None = Field(None, ge=0, le=100)
    listing_id: str | None = Field(None, max_length=512)
    note: str | None = Field(None, max_length=2000)


class HashesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entries: list[HashIn] = Field(min_length=1, max_length=MAX_HASHES)


class RemovalsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    signals: list[str] = Field(min_length=1, max_length=MAX_HASHES)


class BankListingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    listing_id: str = Field(min_length=1, max_length=256)
    category: str = Field(max_length=32)
    note: str | None = Field(None, max_length=2000)


def _summary(rt: Any, name: str) -> dict[str, Any]:
    with rt.db.session() as session:
        [summary] = store.bank_summaries(session, name)
    return summary


@router.get("/banks")
def list_banks(rt: RuntimeDep, _: Reader) -> Response:
    """Every bank with its threshold, enable switch and entry counts."""
    with rt.db.session() as session:
        return json_response({"banks": store.bank_summaries(session)})


@router.post("/banks", status_code=201, responses=ERRORS)
def create_bank(body: BankIn, rt: RuntimeDep, caller: Curator) -> Response:
    """Create an empty bank (409 if the name is taken)."""
    _media_errors(store.create_bank, rt.db, actor=caller.actor, now=rt.now(), name=body.name,
                  threshold=body.threshold, enabled=body.enabled, description=body.description)
    return json_response(_summary(rt, body.name), 201)


@router.get("/banks/{name}", responses=ERRORS)
def get_bank(name: str, rt: RuntimeDep, _: Reader) -> Response:
    """One bank's settings and entry counts."""
    return json_response(_media_errors(_summary, rt, name))


@router.patch("/banks/{name}", responses=ERRORS)
def configure_bank(name: str, body: BankPatch, rt: RuntimeDep, caller: Curator) -> Response:
    """Change the threshold, the enable switch or the description; lookups use the new
    settings at once, without re-indexing."""
    _media_errors(store.configure_bank, rt.db, actor=caller.actor, now=rt.now(), name=name,
                  threshold=body.threshold, enabled=body.enabled, description=body.description)
    return json_response(_summary(rt, name))


def _hashed_entries(entries: list[HashIn]) -> list[dict[str, Any]]:
    out = []
    for position, item in enumerate(entries):
        where = f"entries[{position}]"
        if (item.signal is None) == (item.image is None):
            raise Invalid(f"{where}: give either 'signal' (64 hex digits) or 'image' (data URI)")
        try:
            if item.signal is not None:
                code, quality = from_hex(item.signal), item.quality
            else:
                pdq = hash_bytes(decode_data_uri(item.image or ""))
                code, quality = pdq.hash, pdq.quality
        except MediaError as exc:
            raise Invalid(f"{where}: {exc}") from None
        out.append({"hash": code, "category": item.category, "quality": quality,
                    "listing_id": item.listing_id, "note": item.note})
    return out


@router.post("/banks/{name}/hashes", responses=ERRORS)
async def add_hashes(name: str, body: HashesIn, rt: RuntimeDep, caller: Curator) -> Response:
    """Add hashes (or images, hashed here) with the caller as provenance; all or nothing: one
    bad entry refuses the request, naming it. Hashes the bank holds are listed as
    duplicates."""
    entries = await _off_loop(_hashed_entries, body.entries)
    added, duplicates = await _off_loop(store.add_hashes, rt.db, actor=caller.actor,
                                        now=rt.now(), name=name, entries=entries)
    return json_response({"added": [_entry_view(e) for e in added], "duplicates": duplicates})


@router.post("/banks/{name}/removals", responses=ERRORS)
def remove_hashes(name: str, body: RemovalsIn, rt: RuntimeDep, caller: Curator) -> Response:
    """Withdraw hashes: their entries become tombstones (kept, exported, shared); lookups
    stop matching them at once. Signals the bank did not hold are listed as not found."""
    codes = []
    for position, value in enumerate(body.signals):
        try:
            codes.append(from_hex(value))
        except MediaError as exc:
            raise Invalid(f"signals[{position}]: {exc}") from None
    removed, missing = _media_errors(store.remove_hashes, rt.db, actor=caller.actor,
                                     now=rt.now(), name=name, hashes=codes)
    return json_response({"removed": [_entry_view(e) for e in removed], "not_found": missing})


@router.get("/banks/{name}/export", responses=ERRORS)
def export_bank(name: str, rt: RuntimeDep, _: Reader) -> Response:
    """The bank as the JSON Lines exchange file (header, then every entry, tombstones
    included), streamed."""
    _media_errors(_summary, rt, name)
    lines: Iterator[bytes] = store.export_bank(rt.db, name)
    return StreamingResponse(lines, media_type="application/x-ndjson", headers={
        "Content-Disposition": f'attachment; filename="{name}.jsonl"'})


@router.post("/banks/{name}/import", responses=ERRORS)
async def import_bank(
    name: str, request: Request, rt: RuntimeDep, caller: Curator,
    default_category: Annotated[str | None, Query(max_length=32)] = None,
    create: bool = True,
) -> Response:
    """Import a JSON Lines bank file (the body): new hashes are added, tombstones withdraw
    entries or are kept to be shared onwards. The bank is created from the file's header if
    it does not exist (unless ``create=false``). A file with any bad line is refused whole,
    naming every bad line."""
    body = await request.body()
    if not body.strip():
        raise BadRequest("the body must be a JSON Lines bank file")
    parsed = await _off_loop(read_bank_file, body.splitlines(),
                             default_category=default_category, importer=caller.actor)
    bank, report, created = await _off_loop(store.import_bank, rt.db, actor=caller.actor,
                                            now=rt.now(), name=name, parsed=parsed,
                                            create=create)
    return json_response({"bank": bank.name, "created": created, **report._asdict()})


def _bank_listing(rt: Any, caller: Principal, name: str, body: BankListingIn
                  ) -> dict[str, Any]:
    with rt.db.session() as session:
        BankStore(session, rt.now()).row(name)
        listing, decision = store.confirmed_listing(session, body.listing_id)
        images = list(listing.images)
    loader = ImageLoader(FETCH_POLICY)
    try:
        hashed = hash_images(loader, images)
    finally:
        loader.close()
    added, problems = store.bank_listing(
        rt.db, actor=caller.actor, now=rt.now(), name=name, listing_id=body.listing_id,
        category=body.category, hashed=hashed, decision_id=decision.id, note=body.note)
    return {"listing_id": body.listing_id, "decision": decision.id,
            "added": [_entry_view(e) for e in added], "problems": problems}


@router.post("/banks/{name}/listings", responses=ERRORS)
async def bank_listing(name: str, body: BankListingIn, rt: RuntimeDep,
                       caller: Curator) -> Response:
    """Bank a confirmed listing's images in one step: every image of a listing a moderator
    removed or escalated (409 otherwise) is hashed (data URIs, or URLs fetched from public
    hosts within the fetch limits) and added with the listing as provenance; images that
    could not be used are listed with the reason."""
    return json_response(await _off_loop(_bank_listing, rt, caller, name, body))

