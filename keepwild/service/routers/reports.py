"""Reports: filed by anyone (``POST /v1/reports``), read by moderators, followed by their
reporters."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from keepwild.service.auth import Principal
from keepwild.service.deps import RuntimeDep, optional_caller, require
from keepwild.service.errors import NotFound
from keepwild.service.http import json_response
from keepwild.service.reports import (
    client_address,
    client_hash,
    file_report,
    receipt_status,
    report_views,
)
from keepwild.service.schemas.common import ErrorOut
from keepwild.service.schemas.reports import ReceiptOut, ReceiptStatusOut, ReportIn

router = APIRouter(prefix="/v1/reports", tags=["reports"])
Receipt = Annotated[str, Path(max_length=32)]


@router.post("", status_code=201, response_model=ReceiptOut,
             responses={422: {"model": ErrorOut}, 429: {"model": ErrorOut}})
def post_report(body: ReportIn, request: Request, rt: RuntimeDep,
                caller: Annotated[Principal | None, Depends(optional_caller)]) -> Response:
    """Report a listing (public; Cyber Spotters send their key). Returns a receipt to follow
    the report with. Limited per client and hour."""
    settings = rt.settings
    if caller is not None and caller.role == "spotter":
        client, per_hour = f"user:{caller.user_id}", settings.reports_per_hour_spotter
    else:
        client = client_hash(settings.client_salt,
                             client_address(request, settings.trust_forwarded_for))
        per_hour = settings.reports_per_hour_public
    receipt = file_report(rt.db, listing_ref=body.listing_id, url=body.url,
                          category=body.category, text=body.text, contact=body.contact,
                          reporter=caller, client=client, now=rt.now(), per_hour=per_hour)
    return json_response(receipt, 201)


@router.get("")
def list_reports(rt: RuntimeDep, _: Annotated[Principal, Depends(require("reports:read"))],
                 status: Literal["open", "decided"] | None = None,
                 category: Annotated[str | None, Query(max_length=32)] = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 100,
                 offset: Annotated[int, Query(ge=0)] = 0) -> Response:
    """Reports, newest first, with their outcome (moderators)."""
    with rt.db.session() as session:
        return json_response({"reports": report_views(
            session, status=status, category=category, limit=limit, offset=offset,
            private=True)})


@router.get("/mine")
def my_reports(rt: RuntimeDep, caller: Annotated[Principal, Depends(require("reports:own"))],
               limit: Annotated[int, Query(ge=1, le=500)] = 100,
               offset: Annotated[int, Query(ge=0)] = 0) -> Response:
    """A Cyber Spotter's own reports and how each was decided."""
    with rt.db.session() as session:
        return json_response({"reports": report_views(
            session, reporter_id=caller.user_id, limit=limit, offset=offset)})


@router.get("/{receipt}/status", response_model=ReceiptStatusOut,
            responses={404: {"model": ErrorOut}})
def report_status(receipt: Receipt, rt: RuntimeDep) -> Response:
    """Whether the report with this receipt was acted on (public: the receipt is the key)."""
    with rt.db.session() as session:
        return json_response(receipt_status(session, receipt))


@router.get("/{receipt}", responses={404: {"model": ErrorOut}})
def get_report(receipt: Receipt, rt: RuntimeDep,
               _: Annotated[Principal, Depends(require("reports:read"))]) -> Response:
    """One report in full, with the reporter's contact (moderators)."""
    with rt.db.session() as session:
        views = report_views(session, receipt=receipt, limit=1, private=True)
    if not views:
        raise NotFound("no report with this receipt")
    return json_response(views[0])
