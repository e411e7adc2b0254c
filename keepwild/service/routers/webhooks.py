"""Webhook endpoints and the delivery log (admins)."""

from __future__ import annotations

import secrets
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from starlette.responses import Response

from keepwild.service.auth import Principal
from keepwild.service.deps import RuntimeDep, require
from keepwild.service.errors import NotFound
from keepwild.service.http import json_response
from keepwild.service.schemas.webhooks import WebhookIn
from keepwild.service.webhooks import delivery_view
from keepwild.store import audit
from keepwild.store.database import as_utc
from keepwild.store.tables import Delivery, DeliveryAttempt, Webhook

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
Admin = Annotated[Principal, Depends(require("webhooks"))]


def _view(hook: Webhook) -> dict[str, object]:
    return {"id": hook.id, "url": hook.url, "active": hook.active,
            "created_at": as_utc(hook.created_at)}


@router.post("", status_code=201)
def add_webhook(body: WebhookIn, rt: RuntimeDep, caller: Admin) -> Response:
    """Register the platform endpoint that receives decisions. The signing secret is
    returned once."""
    secret = body.secret or secrets.token_urlsafe(32)
    now = rt.now()
    with rt.db.transaction() as session:
        hook = Webhook(url=body.url, secret=secret, active=True, created_at=now)
        session.add(hook)
        session.flush()
        audit.append(session, at=now, actor=caller.actor, action="webhook.add",
                     subject=f"webhook:{hook.id}", details={"url": body.url})
    return json_response({**_view(hook), "secret": secret}, 201)


@router.get("")
def list_webhooks(rt: RuntimeDep, _: Admin) -> Response:
    with rt.db.session() as session:
        hooks = session.execute(select(Webhook).order_by(Webhook.id)).scalars()
        return json_response({"webhooks": [_view(h) for h in hooks]})


@router.delete("/{webhook_id}")
def remove_webhook(webhook_id: int, rt: RuntimeDep, caller: Admin) -> Response:
    """Stop sending to an endpoint (deliveries already queued for it are still retried)."""
    now = rt.now()
    with rt.db.transaction() as session:
        hook = session.get(Webhook, webhook_id)
        if hook is None:
            raise NotFound(f"no webhook {webhook_id}")
        hook.active = False
        audit.append(session, at=now, actor=caller.actor, action="webhook.remove",
                     subject=f"webhook:{hook.id}")
    return json_response(_view(hook))


@router.get("/deliveries")
def deliveries(rt: RuntimeDep, _: Admin,
               status: Literal["pending", "delivered"] | None = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 100,
               offset: Annotated[int, Query(ge=0)] = 0) -> Response:
    """The delivery log: each delivery, newest first, with every attempt."""
    with rt.db.session() as session:
        query = select(Delivery).order_by(Delivery.id.desc()).limit(limit).offset(offset)
        if status is not None:
            query = query.where(Delivery.status == status)
        rows = list(session.execute(query).scalars())
        attempts: dict[int, list[DeliveryAttempt]] = {}
        for attempt in session.execute(
            select(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_([d.id for d in rows]))
            .order_by(DeliveryAttempt.id)
        ).scalars():
            attempts.setdefault(attempt.delivery_id, []).append(attempt)
        return json_response({"deliveries": [delivery_view(d, attempts.get(d.id, []))
                                             for d in rows]})
