"""Every endpoint checks its caller: no key is 401, a role or key scope that does not allow
it is 403, and nothing changes. Accounts: login, keys, scopes, revocation, deactivation.

The endpoint table is discovered from the app: each protected route declares its permission
with ``require(...)``; a /v1 route with none must be listed in PUBLIC, so a new endpoint can
not be forgotten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from keepwild.service.auth import PERMISSIONS, ROLES
from keepwild.service.deps import require
from keepwild.store.tables import AuditEntry

from .conftest import PASSWORD, Service, add_user

PUBLIC = {("GET", "/v1/health"), ("GET", "/v1/ready"), ("POST", "/v1/session"),
          ("POST", "/v1/reports"), ("GET", "/v1/reports/{receipt}/status")}


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, also inside included routers (FastAPI keeps those as wrappers)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _api_routes(route.original_router.routes)


def _discover() -> tuple[list[tuple[str, str, str]], set[tuple[str, str]]]:
    from keepwild.service.app import create_app
    from keepwild.service.settings import Settings

    app = create_app(Settings(database_url="sqlite://", background=False, migrate=False))
    protected, public = [], set()
    for route in _api_routes(app.routes):
        if not route.path.startswith("/v1"):
            continue
        permissions = [d.call.permission for d in route.dependant.dependencies
                       if isinstance(d.call, require)]
        for method in route.methods:
            if permissions:
                protected.append((method, route.path, permissions[0]))
            else:
                public.add((method, route.path))
    return protected, public


ROUTES, UNPROTECTED = _discover()


def _path(template: str) -> str:
    return (template.replace("{item_id}", "1").replace("{listing_id:path}", "x")
            .replace("{receipt}", "R-AAAA-BBBB-CCCC").replace("{key_id}", "1")
            .replace("{user_id}", "1").replace("{webhook_id}", "1"))


def test_every_unprotected_route_is_meant_to_be_public() -> None:
    assert UNPROTECTED == PUBLIC
    assert len(ROUTES) >= 25


@pytest.mark.parametrize(("method", "path", "permission"), ROUTES,
                         ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_endpoint_refuses_callers_without_the_right_role(
    service: Service, keys: dict[str, str], method: str, path: str, permission: str
) -> None:
    url = _path(path)
    with service.client() as anonymous:
        response = anonymous.request(method, url, json={})
        assert response.status_code == 401, response.text
        assert response.json()["error"] == "unauthorized" and response.json()["reason"]
    with service.client("kw_0123456789notarealkeynotarealkey") as forged:
        assert forged.request(method, url, json={}).status_code == 401
    allowed = [role for role in ROLES if role in PERMISSIONS[permission]]
    for role in ROLES:
        if role in allowed:
            continue
        with service.client(keys[role]) as client:
            response = client.request(method, url, json={})
        assert response.status_code == 403, (role, response.text)
        assert permission in response.json()["reason"]
    with service.db.session() as session:  # the refusals changed nothing
        assert session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 0
    for role in allowed:
        with service.client(keys[role]) as client:
            response = client.request(method, url, json={})
        assert response.status_code not in (401, 403), (role, response.text)


def test_login_issues_a_session_key(service: Service) -> None:
    add_user(service.db, "ana", "moderator")
    with service.client() as anonymous:
        wrong = anonymous.post("/v1/session", json={"username": "ana", "password": "nope"})
        assert wrong.status_code == 401 and wrong.json()["reason"] == "wrong username or password"
        session = anonymous.post("/v1/session", json={"username": "ana", "password": PASSWORD})
        assert session.status_code == 200, session.text
    body = session.json()
    assert body["user"]["role"] == "moderator" and body["expires_at"].startswith("2026-11-02T21")
    with service.client(body["key"]) as ana:
        me = ana.get("/v1/me").json()
        assert me["username"] == "ana" and "queue" in me["scopes"]
        assert ana.post("/v1/queue/claim", json={"limit": 1}).status_code == 200
    service.clock.advance(hours=13)
    service.runtime.auth.forget()
    with service.client(body["key"]) as ana:
        expired = ana.get("/v1/me")
    assert expired.status_code == 401 and "expired" in expired.json()["reason"]


def test_scoped_keys_narrow_a_role(service: Service, keys: dict[str, str]) -> None:
    with service.client(keys["admin"]) as admin:
        response = admin.post("/v1/keys", json={"name": "pipeline", "scopes": ["scan", "ingest"]})
        assert response.status_code == 201, response.text
        pipeline_key = response.json()["key"]
        too_broad = admin.post("/v1/keys", json={"name": "x", "scopes": ["reports:own"]})
        assert too_broad.status_code == 403 and "reports:own" in too_broad.json()["reason"]
    with service.client(pipeline_key) as pipeline:
        assert pipeline.post("/v1/scan", json={"id": "1", "title": "chair"}).status_code == 200
        refused = pipeline.get("/v1/users")
        assert refused.status_code == 403 and "not scoped" in refused.json()["reason"]
        escalate = pipeline.post("/v1/keys", json={"name": "wider"})  # a narrow key can't widen
        assert escalate.status_code == 403


def test_revoked_keys_and_deactivated_users_stop_working(
    service: Service, keys: dict[str, str]
) -> None:
    with service.client(keys["admin"]) as admin:
        new = admin.post("/v1/keys", json={"name": "temp"}).json()
        listed = admin.get("/v1/keys").json()["keys"]
        assert new["id"] in [k["id"] for k in listed] and "key" not in listed[0]
        with service.client(new["key"]) as temp:
            assert temp.get("/v1/me").status_code == 200
            assert admin.delete(f"/v1/keys/{new['id']}").json()["revoked_at"]
            revoked = temp.get("/v1/me")
            assert revoked.status_code == 401 and "revoked" in revoked.json()["reason"]
        user = admin.post("/v1/users", json={"username": "sam", "role": "analyst",
                                             "password": "a long passphrase here"})
        assert user.status_code == 201, user.text
        duplicate = admin.post("/v1/users", json={"username": "sam", "role": "analyst"})
        assert duplicate.status_code == 409
        bad = admin.post("/v1/users", json={"username": "x y", "role": "king"})
        assert bad.status_code == 422
        sam_key = admin.post("/v1/keys", json={"name": "k", "user_id": user.json()["id"]}
                             ).json()["key"]
        with service.client(sam_key) as sam:
            assert sam.get("/v1/metrics").status_code == 200
            admin.patch(f"/v1/users/{user.json()['id']}", json={"active": False}
                        ).raise_for_status()
            assert sam.get("/v1/metrics").status_code == 401
    with service.client() as anonymous:
        assert anonymous.post("/v1/session", json={
            "username": "sam", "password": "a long passphrase here"}).status_code == 401


def test_malformed_authorization_headers(service: Service) -> None:
    for header in ("Basic abc", "Bearer", "Bearer kw_short"):
        with service.client() as client:
            response = client.get("/v1/me", headers={"Authorization": header})
        assert response.status_code == 401 and response.json()["reason"]


def test_errors_are_json_with_a_reason(service: Service) -> None:
    with service.client() as client:
        assert client.get("/v1/nothing-here").json()["error"] == "not_found"
        assert client.delete("/v1/health").json()["error"] == "method_not_allowed"


def test_audit_trail_records_actions_and_verifies(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    as_role("admin").post("/v1/listings", json={"id": "a-1", "title": "Ivory bangle"}
                          ).raise_for_status()
    as_role("moderator").post("/v1/queue/claim", json={"limit": 1}).raise_for_status()
    entries = as_role("admin").get("/v1/audit").json()["entries"]
    assert [e["action"] for e in entries] == ["listings.ingest", "queue.claim"]
    assert entries[1]["actor"] == "moderator:moderator"
    assert as_role("admin").get("/v1/audit/verify").json()["ok"] is True
    with service.db.transaction() as session:
        session.execute(AuditEntry.__table__.update().where(AuditEntry.seq == 1)
                        .values(actor="admin:someone-else"))
    verdict = as_role("admin").get("/v1/audit/verify").json()
    assert (verdict["ok"], verdict["first_bad"]) == (False, 1)
    with service.db.session() as session:
        assert session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 2
