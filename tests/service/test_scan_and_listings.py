"""``POST /v1/scan``, ``POST /v1/listings`` and ``GET /v1/listings/{id}``: scanning,
idempotent ingestion, batches, and refusal of bad input without any change."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import func, select

from keepwild.store.tables import AuditEntry, Listing, QueueItem, ScanRecord

from .conftest import Service

IVORY = {"id": "p-1", "title": "Carved ivory bangle", "description": "for sale, DM me",
         "price": 300, "url": "https://shop.example/item/1"}
CHAIR = {"id": "p-2", "title": "Oak chair", "description": "solid wood, collection only"}
RHINO = {"id": "p-3", "title": "R.H.I.N.O horn", "description": "for sale", "lang": "en"}


def count(service: Service, model: type) -> int:
    with service.db.session() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_scan_returns_verdict_and_explanation(as_role: Callable[[str], httpx.Client]) -> None:
    response = as_role("analyst").post("/v1/scan", json=IVORY)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["verdict"] == "block"
    assert result["categories"] == ["ivory"]
    assert result["lexicon_version"] == "test-1" and "model_version" in result
    match = next(m for m in result["matches"] if m["category"] == "ivory")
    assert IVORY["title"][match["start"]:match["end"]] == match["text"]
    assert result["reasons"]


def test_scan_stores_nothing(service: Service, as_role: Callable[[str], httpx.Client]) -> None:
    as_role("admin").post("/v1/scan", json=IVORY).raise_for_status()
    assert count(service, Listing) == 0 and count(service, AuditEntry) == 0


def test_ingest_one_listing_scans_and_queues_it(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    response = as_role("admin").post("/v1/listings", json=IVORY)
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert (result["id"], result["status"], result["verdict"], result["queued"]) == (
        "p-1", "created", "block", True)
    view = as_role("moderator").get("/v1/listings/p-1").json()
    assert view["title"] == IVORY["title"] and view["url"] == IVORY["url"]
    assert view["scan"]["verdict"] == "block"
    assert view["scan"]["lexicon_version"] == "test-1"
    assert any(m["text"].lower() == "ivory" for m in view["scan"]["matches"])
    assert view["queue"]["status"] == "pending"


def test_batch_ingest_only_flagged_listings_are_queued(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    response = as_role("admin").post("/v1/listings", json={"listings": [IVORY, CHAIR, RHINO]})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [(r["id"], r["verdict"], r["queued"]) for r in results] == [
        ("p-1", "block", True), ("p-2", "allow", False), ("p-3", "block", True)]
    assert count(service, QueueItem) == 2
    assert count(service, ScanRecord) == 3


def test_reingestion_is_idempotent(service: Service,
                                   as_role: Callable[[str], httpx.Client]) -> None:
    admin = as_role("admin")
    admin.post("/v1/listings", json={"listings": [IVORY, CHAIR]}).raise_for_status()
    service.clock.advance(hours=1)
    again = admin.post("/v1/listings", json={"listings": [IVORY, CHAIR]}).json()["results"]
    assert [r["status"] for r in again] == ["unchanged", "unchanged"]
    assert again[0]["verdict"] == "block" and again[0]["queued"]
    assert count(service, Listing) == 2
    assert count(service, ScanRecord) == 2  # not scanned again
    assert count(service, QueueItem) == 1  # not queued twice
    view = as_role("moderator").get("/v1/listings/p-1").json()
    assert view["last_seen"] > view["first_seen"]


def test_changed_listing_is_scanned_again(service: Service,
                                          as_role: Callable[[str], httpx.Client]) -> None:
    admin = as_role("admin")
    admin.post("/v1/listings", json=CHAIR).raise_for_status()
    edited = {**CHAIR, "description": "antique ivory inlay chair, for sale"}
    [result] = admin.post("/v1/listings", json=edited).json()["results"]
    assert result["status"] == "updated"
    assert result["verdict"] != "allow" and result["queued"]
    assert count(service, Listing) == 1 and count(service, ScanRecord) == 2


def test_idempotency_key_replays_the_first_response(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    admin = as_role("admin")
    headers = {"Idempotency-Key": "batch-2026-11-02-001"}
    first = admin.post("/v1/listings", json={"listings": [IVORY]}, headers=headers)
    second = admin.post("/v1/listings", json={"listings": [IVORY]}, headers=headers)
    assert first.json() == second.json()
    assert second.json()["results"][0]["status"] == "created"
    assert second.headers.get("Idempotent-Replayed") == "true"
    other = admin.post("/v1/listings", json={"listings": [CHAIR]}, headers=headers)
    assert other.status_code == 422 and "different request" in other.json()["reason"]
    assert count(service, Listing) == 1


@pytest.mark.parametrize(("body", "status", "reason"), [
    (b"{not json", 400, "not valid JSON"),
    (b"", 400, "needs a JSON body"),
    (b'{"title": "no id"}', 422, "field 'id' is required"),
    (b'{"id": "x", "title": 5}', 422, "field 'title' must be a string"),
    (b'{"id": "x", "title": "' + b"a" * 20_001 + b'"}', 422, "longer than 20000"),
    (b'{"id": "x", "title": "t", "lang": "english-language-x"}', 422, "field 'lang'"),
    (b'{"listings": [{"id": "a", "title": "ok"}, {"id": "b"}]}', 422, "listings[1]: "),
    (b'{"listings": [{"id": "a", "title": "x"}, {"id": "a", "title": "y"}]}', 422,
     "appears twice"),
    (b'{"listings": []}', 422, "empty"),
    (b'{"listings": "nope"}', 422, "must be a list"),
])
def test_bad_listings_are_refused_and_nothing_changes(
    service: Service, as_role: Callable[[str], httpx.Client], body: bytes, status: int,
    reason: str
) -> None:
    admin = as_role("admin")
    for path in ("/v1/listings", "/v1/scan"):
        if path == "/v1/scan" and b"listings" in body:
            continue
        response = admin.post(path, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == status, (path, response.text)
        assert response.json()["error"] and reason in response.json()["reason"]
    assert count(service, Listing) == 0 and count(service, AuditEntry) == 0


def test_oversized_batches_and_bodies_are_refused(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    admin = as_role("admin")
    too_many = {"listings": [{"id": str(i), "title": "chair"} for i in range(51)]}
    response = admin.post("/v1/listings", json=too_many)
    assert response.status_code == 413 and "at most 50" in response.json()["reason"]
    huge = b'{"id": "x", "title": "' + b"a" * (300 * 1024) + b'"}'
    response = admin.post("/v1/listings", content=huge)
    assert response.status_code == 413 and "over" in response.json()["reason"]

    def chunks():  # no Content-Length: the limit still holds while streaming
        for _ in range(40):
            yield b"a" * 10_000

    response = admin.post("/v1/listings", content=chunks())
    assert response.status_code == 413
    assert count(service, Listing) == 0


def test_unknown_listing_is_404(as_role: Callable[[str], httpx.Client]) -> None:
    response = as_role("moderator").get("/v1/listings/nope")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "reason": "no listing with id 'nope'"}
