"""Reports from the public and Cyber Spotters: validation, rate limits, deduplication
against known listings, and following a report to its outcome."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import func, select

from keepwild.store.tables import QueueItem, Report

from .conftest import Service

LISTING = {"id": "shop-77", "title": "Oak chair", "description": "solid wood",
           "url": "https://shop.example/item/77"}


def reports(service: Service) -> int:
    with service.db.session() as session:
        return int(session.execute(select(func.count(Report.id))).scalar_one())


def test_public_report_gets_a_receipt_and_joins_the_listing_in_the_queue(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    as_role("admin").post("/v1/listings", json=LISTING).raise_for_status()  # clean: not queued
    with service.client() as public:
        response = public.post("/v1/reports", json={
            "url": "HTTPS://Shop.Example/item/77/#photos", "category": "ivory",
            "text": "the seller says the 'oak' is elephant ivory in private messages",
            "contact": "reporter@example.org"})
        assert response.status_code == 201, response.text
        receipt = response.json()
        assert receipt["known_listing"] and not receipt["duplicate"]
        assert receipt["receipt"].startswith("R-")
        status = public.get(f"/v1/reports/{receipt['receipt']}/status").json()
        assert status["status"] == "open" and status["outcome"] is None
    [item] = as_role("moderator").post("/v1/queue/claim", json={"limit": 5}).json()["items"]
    assert item["source"] == "report" and item["listing"]["id"] == "shop-77"
    assert item["reports"][0]["category"] == "ivory"
    assert "contact" not in item["reports"][0]
    as_role("moderator").post(f"/v1/queue/{item['id']}/decision", json={
        "action": "remove", "policy_reason": "prohibited_product"}).raise_for_status()
    with service.client() as public:
        status = public.get(f"/v1/reports/{receipt['receipt']}/status").json()
    assert (status["status"], status["outcome"]) == ("decided", "remove")
    full = as_role("moderator").get(f"/v1/reports/{receipt['receipt']}").json()
    assert full["contact"] == "reporter@example.org" and full["listing"] == "shop-77"


def test_reports_of_one_listing_share_one_queue_item(
    service: Service, as_role: Callable[[str], httpx.Client], keys: dict[str, str]
) -> None:
    as_role("admin").post("/v1/listings", json={**LISTING, "title": "Ivory bangle"}
                          ).raise_for_status()
    with service.client() as public:
        first = public.post("/v1/reports", json={"listing_id": "shop-77"}).json()
        again = public.post("/v1/reports", json={"url": LISTING["url"]}).json()
    assert again == {**first, "duplicate": True}
    spotter = as_role("spotter").post("/v1/reports", json={"listing_id": "shop-77",
                                                           "category": "ivory"})
    assert spotter.status_code == 201 and not spotter.json()["duplicate"]
    with service.db.session() as session:
        assert session.execute(select(func.count(QueueItem.id))).scalar_one() == 1
        item = session.execute(select(QueueItem)).scalar_one()
        assert item.source == "scan"  # the scan flagged it first; reports joined it
    assert reports(service) == 2


def test_reports_of_unknown_listings_are_queued_by_url(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    with service.client() as public:
        public.post("/v1/reports", json={"url": "https://elsewhere.example/p/9"}
                    ).raise_for_status()
    as_role("spotter").post("/v1/reports", json={"url": "https://ELSEWHERE.example/p/9/"}
                            ).raise_for_status()
    [item] = as_role("moderator").post("/v1/queue/claim", json={"limit": 5}).json()["items"]
    assert item["listing"] is None and item["url"] == "https://elsewhere.example/p/9"
    assert {r["source"] for r in item["reports"]} == {"public", "spotter"}


def test_spotters_see_their_own_reports_and_outcomes(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    spotter = as_role("spotter")
    mine = spotter.post("/v1/reports", json={"url": "https://a.example/1", "category": "birds"}
                        ).json()
    with service.client() as public:
        public.post("/v1/reports", json={"url": "https://a.example/2"}).raise_for_status()
    moderator = as_role("moderator")
    items = moderator.post("/v1/queue/claim", json={"limit": 5}).json()["items"]
    for item in items:
        moderator.post(f"/v1/queue/{item['id']}/decision", json={
            "action": "escalate", "policy_reason": "live_animal", "note": "internal"}
        ).raise_for_status()
    listed = spotter.get("/v1/reports/mine").json()["reports"]
    assert [r["receipt"] for r in listed] == [mine["receipt"]]
    assert listed[0]["outcome"]["action"] == "escalate"
    assert "note" not in listed[0]["outcome"] and "contact" not in listed[0]
    everything = moderator.get("/v1/reports", params={"status": "decided"}).json()["reports"]
    assert len(everything) == 2 and everything[0]["outcome"]["note"] == "internal"


def test_reports_of_removed_listings_do_not_reopen_review(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    as_role("admin").post("/v1/listings", json={**LISTING, "title": "Ivory bangle"}
                          ).raise_for_status()
    moderator = as_role("moderator")
    [item] = moderator.post("/v1/queue/claim", json={"limit": 1}).json()["items"]
    moderator.post(f"/v1/queue/{item['id']}/decision", json={
        "action": "remove", "policy_reason": "prohibited_product"}).raise_for_status()
    with service.client() as public:
        receipt = public.post("/v1/reports", json={"listing_id": "shop-77"}).json()
    assert receipt["status"] == "decided"
    assert moderator.post("/v1/queue/claim", json={"limit": 5}).json()["items"] == []


def test_public_reports_are_rate_limited_per_client(service: Service) -> None:
    with service.client() as public:
        for n in range(5):
            public.post("/v1/reports", json={"url": f"https://x.example/{n}"}).raise_for_status()
        refused = public.post("/v1/reports", json={"url": "https://x.example/99"})
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "3600"
        assert "at most 5 reports an hour" in refused.json()["reason"]
        service.clock.advance(minutes=61)
        public.post("/v1/reports", json={"url": "https://x.example/99"}).raise_for_status()
    assert reports(service) == 6


@pytest.mark.parametrize(("body", "where"), [
    ({}, "give the listing's 'url' or its 'listing_id'"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"url": "https://x.example/1", "category": "unicorns"}, "category"),
    ({"url": "https://x.example/1", "text": "x" * 5001}, "text"),
    ({"url": "https://x.example/" + "a" * 2048}, "url"),
    ({"url": "https://x.example/1", "contact": "c" * 257}, "contact"),
    ({"url": "https://x.example/1", "secret": 1}, "secret"),
    ({"listing_id": ""}, "listing_id"),
])
def test_invalid_reports_are_refused(service: Service, body: dict[str, object],
                                     where: str) -> None:
    with service.client() as public:
        response = public.post("/v1/reports", json=body)
    assert response.status_code == 422
    assert where in response.json()["reason"]
    assert reports(service) == 0


def test_unknown_receipt_is_404(service: Service) -> None:
    with service.client() as public:
        assert public.get("/v1/reports/R-XXXX-XXXX-XXXX/status").status_code == 404
