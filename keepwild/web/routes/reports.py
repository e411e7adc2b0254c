"""Reports: the public form (no account; rate-limited; a receipt to follow it with), a Cyber
Spotter's history with outcomes and accuracy, and the moderators' list of reports."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query
from starlette.requests import Request
from starlette.responses import Response

from keepwild.service.errors import NotFound, RateLimited
from keepwild.service.learning import CONFIRMING
from keepwild.service.reports import client_address, client_hash, file_report, receipt_status, report_views
from keepwild.service.urls import normalise_url
from keepwild.web.i18n import N_
from keepwild.web.pages import Page, PageNotFound, form_page, need, page, redirect, render

router = APIRouter(include_in_schema=False)
Current = Annotated[Page, Depends(page)]
Posted = Annotated[Page, Depends(form_page)]

CATEGORIES = ("ivory", "rhino_horn", "pangolin", "big_cats", "bear", "marine_turtle",
              "hornbill", "totoaba", "primates", "birds", "reptiles", "other", "unknown")
RECEIPT = re.compile(r"R-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")
LIMITS = {"listing_id": 256, "url": 2048, "text": 5000, "contact": 256}


def _form(current: Page, status: int = 200, values: dict[str, str] | None = None,
          errors: dict[str, str] | None = None) -> Response:
    return render(current, "reports/form.html", status, categories=CATEGORIES,
                  values=values or {"category": "unknown"}, errors=errors or {})


@router.get("/report")
def report_form(current: Current) -> Response:
    return _form(current)


def _check(values: dict[str, str]) -> dict[str, str]:
    """Field -> msgid of what is wrong with it (empty: the report can be filed)."""
    errors: dict[str, str] = {}
    if not values["url"] and not values["listing_id"]:
        errors["url"] = N_("Give the listing's web address or its id on the platform.")
    if values["url"]:
        try:
            normalise_url(values["url"])
        except ValueError:
            errors["url"] = N_("Enter a full web address starting with http:// or https://.")
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = N_("This is too long.")
    if values["category"] not in CATEGORIES:
        errors["category"] = N_("Choose a category from the list.")
    return errors


@router.post("/report")
def submit_report(current: Posted, request: Request,
                  url: Annotated[str, Form()] = "", listing_id: Annotated[str, Form()] = "",
                  category: Annotated[str, Form()] = "unknown",
                  text: Annotated[str, Form()] = "",
                  contact: Annotated[str, Form()] = "") -> Response:
    """File the report; any problem sends the form back with what was typed kept."""
    values = {"url": url.strip(), "listing_id": listing_id.strip(), "category": category,
              "text": text.strip(), "contact": contact.strip()}
    errors = _check(values)
    if errors:
        return _form(current, 422, values, errors)
    rt, reporter = current.rt, current.principal
    settings = rt.settings
    if reporter is not None and reporter.role == "spotter":
        client, per_hour = f"user:{reporter.user_id}", settings.reports_per_hour_spotter
    else:
        client = client_hash(settings.client_salt, client_address(request, settings.trust_forwarded_for))
        per_hour = settings.reports_per_hour_public
    try:
        receipt = file_report(rt.db, listing_ref=values["listing_id"] or None,
                              url=values["url"] or None, category=values["category"],
                              text=values["text"], contact=values["contact"] or None,
                              reporter=reporter, client=client, now=rt.now(), per_hour=per_hour)
    except RateLimited:
        return _form(current, 429, values, {"form": N_(
            "You have sent many reports in the last hour. Please try again later; "
            "nothing you typed was lost.")})
    if receipt["duplicate"]:
        current.session.flash(N_("You had already reported this listing; here is your "
                                 "receipt again."))
    else:
        current.session.flash(N_("Thank you. Your report was received."), kind="success")
    return redirect(current, f"/report/{receipt['receipt']}")


@router.get("/report/lookup")
def lookup(current: Current,
           receipt: Annotated[str, Query(max_length=32)] = "") -> Response:
    code = receipt.strip().upper()
    if not RECEIPT.fullmatch(code):
        return render(current, "reports/lookup.html", 422, receipt=receipt,
                      error=N_("A receipt id looks like R-ABCD-EFGH-JKLM."))
    return redirect(current, f"/report/{code}")


@router.get("/report/{receipt}")
def receipt_page(receipt: str, current: Current) -> Response:
    if not RECEIPT.fullmatch(receipt):
        raise PageNotFound
    with current.rt.db.session() as session:
        try:
            status = receipt_status(session, receipt)
        except NotFound:
            raise PageNotFound from None
    return render(current, "reports/receipt.html", status=status)


def accuracy(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """How many of a spotter's decided reports moderators confirmed (removed or escalated)."""
    decided = [r for r in reports if r["outcome"] is not None]
    confirmed = sum(r["outcome"]["action"] in CONFIRMING for r in decided)
    return {"total": len(reports), "decided": len(decided), "confirmed": confirmed,
            "rate": confirmed / len(decided) if decided else None}


@router.get("/spotter")
def spotter_history(current: Annotated[Page, Depends(need("reports:own"))]) -> Response:
    with current.rt.db.session() as session:
        reports = report_views(session, reporter_id=current.principal.user_id, limit=500)
    return render(current, "reports/spotter.html", reports=reports, stats=accuracy(reports))


@router.get("/reports")
def moderator_reports(current: Annotated[Page, Depends(need("reports:read"))],
                      status: Annotated[str, Query(max_length=8)] = "",
                      category: Annotated[str, Query(max_length=32)] = "") -> Response:
    with current.rt.db.session() as session:
        reports = report_views(session, status=status if status in ("open", "decided") else None,
                               category=category if category in CATEGORIES else None,
                               limit=200, private=True)
    return render(current, "reports/list.html", reports=reports, categories=CATEGORIES,
                  status=status, category=category)
