"""``POST /v1/scan``, ``POST /v1/listings`` and ``GET /v1/listings/{id}``: scanning,
idempotent ingestion, batches, and refusal of bad input without any change."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import func, select

from keepwild.detect.listing import Listing as ListingRecord
from keepwild.detect.result import ScanResult
from keepwild.service.auth import Principal, role_scopes
from keepwild.service.listings import ingest, parse_listing
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
    # The next batch may go to another worker: a batch's connection is not kept alive.
    assert response.headers["connection"] == "close"
    single = as_role("admin").post("/v1/listings", json=CHAIR)
    assert single.status_code == 200 and "connection" not in single.headers


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
    (b'{"listings": [{"id": "a", "title": "ok"}, {"id": "b", "title": "a\\u0000b"}]}', 422,
     "listings[1]: field 'title' contains a NUL"),
    (b'{"id": "x", "title": "t", "images": ["https://i.example/\\u0000"]}', 422,
     "field 'images' contains a NUL"),
    (b'{"listings": [{"id": "a", "title": "ok", "seller": "s\\u0000"}]}', 422,
     "listings[0]: field 'seller' contains a NUL"),
    (b'{"listings": [{"id": "a", "title": "ok", "images": ["https://i.example/\\u0000"]}]}',
     422, "listings[0]: field 'images' contains a NUL"),
    (b'{"listings": [{"id": "a", "title": "ok\x00"}]}', 400, "not valid JSON"),
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


AWKWARD = {"id": "p-4\tx", "title": "Ivory\tcarving \\N with \\ backslash",
           "description": "line one\nline two\r\n\"quoted\" 象牙 العاج ngà voi 🐘",
           "price": 1234567.25, "currency": "EUR", "seller": "shop\\\\n\t1",
           "url": "https://shop.example/item/4?a=1&b=\\N",
           "images": ["https://img.example/1.jpg", "https://img.example/\t2.jpg"], "lang": "en"}


def test_batch_rows_are_stored_exactly(service: Service,
                                       as_role: Callable[[str], httpx.Client]) -> None:
    """Tabs, newlines, backslashes, ``\\N`` and non-ASCII text come back as sent (on
    PostgreSQL the rows travel by COPY, whose text format escapes them)."""
    admin = as_role("admin")
    response = admin.post("/v1/listings", json={"listings": [AWKWARD, CHAIR]})
    assert response.status_code == 200, response.text
    [awkward, chair] = response.json()["results"]
    assert awkward["verdict"] != "allow" and awkward["queued"] and not chair["queued"]
    quoted = AWKWARD["id"].replace("\t", "%09")
    view = as_role("moderator").get(f"/v1/listings/{quoted}").json()
    assert {name: view[name] for name in AWKWARD} == AWKWARD
    scan = admin.post("/v1/scan", json=AWKWARD).json()
    assert view["scan"]["matches"] == scan["matches"]
    assert view["scan"]["reasons"] == scan["reasons"]
    assert view["scan"]["categories"] == scan["categories"] == ["ivory"]
    assert view["scan"]["language"] == scan["language"]
    assert view["queue"] == {"id": view["queue"]["id"], "status": "pending", "source": "scan"}
    assert view["scan"]["lexicon_version"] == "test-1"


def test_mixed_batch_of_new_changed_and_unchanged_listings(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    admin = as_role("admin")
    admin.post("/v1/listings", json={"listings": [IVORY, CHAIR]}).raise_for_status()
    service.clock.advance(minutes=5)
    edited_ivory = {**IVORY, "description": "carved ivory, DM me"}  # already queued
    edited_chair = {**CHAIR, "description": "antique ivory inlay chair, for sale"}
    plain = {"id": "p-5", "title": "Pine table", "description": "seats six"}
    batch = [edited_ivory, edited_chair, RHINO, plain]
    response = admin.post("/v1/listings", json={"listings": batch})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [(r["id"], r["status"], r["queued"]) for r in results] == [
        ("p-1", "updated", True), ("p-2", "updated", True), ("p-3", "created", True),
        ("p-5", "created", False)]
    assert len({r["listing"] for r in results}) == 4
    assert count(service, Listing) == 4
    assert count(service, ScanRecord) == 2 + 4
    assert count(service, QueueItem) == 3  # p-1 keeps its one open item
    with service.db.session() as session:
        stored = {row.external_id: row for row in session.execute(
            select(Listing.external_id, Listing.id, Listing.verdict, Listing.description))}
        queue = session.execute(select(QueueItem.listing_id, QueueItem.scan_id)).all()
        scans = dict(session.execute(select(ScanRecord.id, ScanRecord.listing_id)).all())
    assert {r["id"]: r["listing"] for r in results} == {k: v.id for k, v in stored.items()}
    assert stored["p-2"].description == edited_chair["description"]
    assert all(scans[scan_id] == listing_id for listing_id, scan_id in queue)
    again = admin.post("/v1/listings", json={"listings": batch}).json()["results"]
    assert [r["status"] for r in again] == ["unchanged"] * 4
    assert count(service, ScanRecord) == 6


def test_listing_stored_by_another_request_meanwhile_is_updated(service: Service) -> None:
    """Two requests race to create the same listing: the one that writes second finds it
    stored (on PostgreSQL its COPY fails and it falls back to INSERT ... ON CONFLICT), updates
    it with its content, and stores the rest of its batch."""
    caller = Principal(1, "platform", "admin", role_scopes("admin"), 0, "test")
    now = service.clock()
    holder = service.runtime.scanner
    other = {**CHAIR, "description": "solid oak, collection only"}

    class RacingHolder:
        """Scans like the service's scanner, but another request ingests ``other`` while
        this batch is being scanned (after it looked up which listings exist)."""

        model_version = holder.model_version
        raced = False

        def scan(self, listing: ListingRecord) -> ScanResult:
            if not self.raced:
                self.raced = True
                ingest(service.db, holder, caller, [parse_listing(other)], now)
            return holder.scan(listing)

    records = [parse_listing(r) for r in (IVORY, CHAIR, RHINO)]
    results = ingest(service.db, RacingHolder(), caller, records, now)  # type: ignore[arg-type]
    assert [(r["id"], r["status"], r["queued"]) for r in results] == [
        ("p-1", "created", True), ("p-2", "updated", False), ("p-3", "created", True)]
    assert count(service, Listing) == 3 and count(service, ScanRecord) == 4
    assert count(service, QueueItem) == 2
    with service.db.session() as session:
        chair = session.execute(select(Listing).where(Listing.external_id == "p-2")).scalar_one()
    assert chair.description == CHAIR["description"]  # the later write's content
    assert results[1]["listing"] == chair.id


def test_concurrent_batches_of_the_same_listings_in_opposite_orders(service: Service) -> None:
    """Two pipelines send batches of the same new listings at the same moment, in opposite
    orders: both succeed (rows are written in one order, so neither transaction waits for the
    other's rows while holding rows the other waits for), and each listing is stored once."""
    caller = Principal(1, "platform", "admin", role_scopes("admin"), 0, "test")
    now = service.clock()
    holder = service.runtime.scanner
    size = 200
    failures: list[BaseException] = []

    class InStep:
        """Scans like the service's scanner; both batches start writing together."""

        model_version = holder.model_version

        def __init__(self, barrier: threading.Barrier) -> None:
            self.barrier, self.scanned = barrier, 0

        def scan(self, listing: ListingRecord) -> ScanResult:
            self.scanned += 1
            if self.scanned == size:
                self.barrier.wait(timeout=30)
            return holder.scan(listing)

    def send(records: list[ListingRecord], barrier: threading.Barrier) -> None:
        try:
            ingest(service.db, InStep(barrier), caller, records,  # type: ignore[arg-type]
                   now)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    for round_ in range(2):
        records = [parse_listing({"id": f"r{round_}-{n:03}", "title": f"Carved ivory {n}"})
                   for n in range(size)]
        edited = [parse_listing({"id": r.id, "title": r.title + " bangle"}) for r in records]
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=send, args=(records, barrier)),
                   threading.Thread(target=send, args=(edited[::-1], barrier))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not failures, failures
    assert count(service, Listing) == 2 * size
    assert count(service, QueueItem) == 2 * size  # one open item per listing
