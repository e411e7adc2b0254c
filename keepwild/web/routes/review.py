"""The review queue: claim the next item, see why it was flagged, decide it (buttons or
keyboard), skip it, and undo a recent decision."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from sqlalchemy import select
from starlette.responses import Response

from keepwild.service.errors import Conflict, NotFound
from keepwild.service.queue import (
    ACTIONS,
    POLICY_REASONS,
    claim,
    decide,
    item_views,
    queue_counts,
)
from keepwild.store.tables import Listing, QueueItem
from keepwild.web.i18n import N_
from keepwild.web.labels import DEFAULT_REASON
from keepwild.web.pages import Page, PageNotFound, need, redirect, render
from keepwild.web.review import (
    UNDO_SECONDS,
    highlight,
    my_claim,
    recent_decisions,
    release,
    seller_listings,
    undo,
)

router = APIRouter(prefix="/review", include_in_schema=False)
Moderator = Annotated[Page, Depends(need("queue"))]
Deciding = Annotated[Page, Depends(need("queue", form=True))]

#: The fields of a listing shown with their highlighted matches, in reading order.
FIELDS = (("title", N_("Title")), ("description", N_("Description")),
          ("ocr", N_("Text in images")))


@router.get("")
def overview(current: Moderator) -> Response:
    rt, me = current.rt, current.principal
    with rt.db.session() as session:
        counts = queue_counts(session, rt.now())
        held = my_claim(session, me.user_id, rt.now())
        recent = recent_decisions(session, me.user_id, rt.now())
    return render(current, "review/overview.html", counts=counts, held=held, recent=recent,
                  undo_seconds=UNDO_SECONDS)


def _claim_next(current: Page) -> Response:
    rt, me = current.rt, current.principal
    with rt.db.session() as session:
        held = my_claim(session, me.user_id, rt.now())
    if held is None:
        items = claim(rt.db, me, 1, rt.now(), rt.settings.lease_seconds)
        held = items[0]["id"] if items else None
    if held is None:
        current.session.flash(N_("The queue is empty. Well done."), kind="success")
        return redirect(current, "/review")
    return redirect(current, f"/review/{held}")


@router.post("/claim")
def claim_next(current: Deciding) -> Response:
    return _claim_next(current)


def _item_context(current: Page, item_id: int) -> dict[str, Any]:
    """The item with its evidence, whether the moderator holds it, and their recent work."""
    rt, me = current.rt, current.principal
    with rt.db.session() as session:
        views = item_views(session, [item_id]) if 0 < item_id < 2**31 else []
        if not views:
            raise PageNotFound
        item = views[0]
        listing, scan = item["listing"], item["scan"]
        matches = scan["matches"] if scan else []
        fields, others = [], []
        if listing is not None:
            for name, caption in FIELDS:
                if listing.get(name):
                    fields.append({"name": name, "caption": caption,
                                   "segments": highlight(listing[name], matches, name)})
            row_id = session.execute(select(Listing.id).where(
                Listing.external_id == listing["id"])).scalar_one()
            others = seller_listings(session, row_id, listing.get("seller"))
        holder = session.execute(select(QueueItem.claimed_by).where(
            QueueItem.id == item_id)).scalar_one()
        recent = recent_decisions(session, me.user_id, rt.now())
    mine = item["status"] == "claimed" and holder == me.user_id
    return {"item": item, "listing": listing, "scan": scan, "fields": fields,
            "others": others, "recent": recent, "mine": mine, "actions": ACTIONS,
            "reasons": POLICY_REASONS, "undo_seconds": UNDO_SECONDS}


@router.get("/{item_id}")
def show_item(item_id: int, current: Moderator) -> Response:
    return render(current, "review/item.html", **_item_context(current, item_id))


@router.post("/{item_id}/decide")
def decide_item(item_id: int, current: Deciding,
                action: Annotated[str, Form(max_length=16)] = "",
                policy_reason: Annotated[str, Form(max_length=64)] = "",
                note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Decide (or skip) and go straight on to the next item."""
    rt, me = current.rt, current.principal
    if action == "skip":
        try:
            release(rt.db, me, item_id, rt.now())
        except (Conflict, NotFound):
            current.session.flash(N_("This item is no longer yours to skip."), kind="error")
            return redirect(current, "/review")
        current.session.flash(N_("Skipped; the item went back to the queue."))
        return _claim_next(current)
    reason = policy_reason or DEFAULT_REASON.get(action, "")
    if action not in ACTIONS or reason not in POLICY_REASONS:
        context = _item_context(current, item_id)
        return render(current, "review/item.html", 422, note=note,
                      error=N_("Choose remove, allow or escalate, and a policy reason."),
                      **context)
    try:
        decide(rt.db, me, item_id, action=action, policy_reason=reason, note=note,
               now=rt.now())
    except Conflict:
        current.session.flash(N_("Someone else holds this item, or it was already decided."),
                              kind="error")
        return redirect(current, "/review")
    except NotFound:
        raise PageNotFound from None
    rt.dispatcher.wake()
    current.session.flash(DONE[action], kind="success")
    return _claim_next(current)


#: What the moderator is told after each decision (the undo button sits beside it).
DONE = {"remove": N_("Removed. You can undo this for a short while."),
        "allow": N_("Allowed. You can undo this for a short while."),
        "escalate": N_("Escalated. You can undo this for a short while.")}


@router.post("/undo/{decision_id}")
def undo_decision(decision_id: int, current: Deciding) -> Response:
    rt = current.rt
    try:
        item_id = undo(rt.db, current.principal, decision_id, rt.now(),
                       rt.settings.lease_seconds)
    except (Conflict, NotFound):
        current.session.flash(N_("This decision can no longer be undone."), kind="error")
        return redirect(current, "/review")
    rt.dispatcher.wake()
    current.session.flash(N_("Decision undone; the item is yours to decide again."),
                          kind="success")
    return redirect(current, f"/review/{item_id}")
