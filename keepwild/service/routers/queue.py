"""The review queue: ``POST /v1/queue/claim``, ``POST /v1/queue/{id}/decision``,
``GET /v1/queue``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select
from starlette.responses import Response

from keepwild.service.auth import Principal
from keepwild.service.deps import RuntimeDep, require
from keepwild.service.errors import Invalid
from keepwild.service.http import json_response
from keepwild.service.queue import claim, decide, item_views, queue_counts
from keepwild.service.schemas.common import ErrorOut
from keepwild.service.schemas.queue import ClaimIn, DecisionIn
from keepwild.store.tables import QueueItem

router = APIRouter(prefix="/v1/queue", tags=["queue"])
Moderator = Annotated[Principal, Depends(require("queue"))]


@router.get("")
def overview(rt: RuntimeDep, caller: Moderator) -> Response:
    """Items by status, and the caller's own claims whose lease still runs."""
    now = rt.now()
    with rt.db.session() as session:
        mine = list(session.execute(select(QueueItem.id).where(
            QueueItem.status == "claimed", QueueItem.claimed_by == caller.user_id,
            QueueItem.lease_expires_at > now).order_by(QueueItem.id)).scalars())
        return json_response({"counts": queue_counts(session, now),
                              "mine": item_views(session, mine)})


@router.post("/claim", responses={422: {"model": ErrorOut}})
def claim_items(body: ClaimIn, rt: RuntimeDep, caller: Moderator) -> Response:
    """Lease the next ``limit`` items, highest priority first. No two moderators ever hold
    the same item; an item whose lease runs out goes back to the queue."""
    if body.limit > rt.settings.max_claim:
        raise Invalid(f"limit: at most {rt.settings.max_claim} items per claim")
    items = claim(rt.db, caller, body.limit, rt.now(), rt.settings.lease_seconds)
    return json_response({"items": items, "lease_seconds": rt.settings.lease_seconds})


@router.post("/{item_id}/decision", responses={404: {"model": ErrorOut},
                                              409: {"model": ErrorOut}})
def decide_item(item_id: int, body: DecisionIn, rt: RuntimeDep, caller: Moderator) -> Response:
    """Decide an item you hold: remove, allow or escalate to law enforcement, with the
    policy reason. The platform is told through its webhooks."""
    decision = decide(rt.db, caller, item_id, action=body.action,
                      policy_reason=body.policy_reason, note=body.note, now=rt.now())
    rt.dispatcher.wake()
    return json_response(decision)
