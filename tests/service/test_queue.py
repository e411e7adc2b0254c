"""The review queue: claiming under leases, concurrent moderators, decisions."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
from sqlalchemy import select

from keepwild.store.tables import Decision, QueueItem, TermStat

from .conftest import Service

FLAGGED = [{"id": f"f-{n}", "title": f"Carved ivory bangle no. {n}",
            "description": "for sale, DM me"} for n in range(30)]


def ingest(as_role: Callable[[str], httpx.Client], listings: list[dict[str, object]]) -> None:
    as_role("admin").post("/v1/listings", json={"listings": listings}).raise_for_status()


def claim(client: httpx.Client, limit: int) -> list[dict[str, object]]:
    response = client.post("/v1/queue/claim", json={"limit": limit})
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def test_claim_returns_items_with_their_evidence(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    ingest(as_role, FLAGGED[:3])
    items = claim(as_role("moderator"), 2)
    assert len(items) == 2
    item = items[0]
    assert item["status"] == "claimed" and item["source"] == "scan"
    assert item["listing"]["id"].startswith("f-")
    assert item["scan"]["verdict"] == "block" and item["scan"]["matches"]
    assert item["lease_expires_at"].startswith("2026-11-02T09:05:00")
    overview = as_role("moderator").get("/v1/queue").json()
    assert overview["counts"] == {"pending": 1, "claimed": 2, "decided": 0}
    assert [i["id"] for i in overview["mine"]] == [i["id"] for i in items]


def test_two_moderators_never_receive_the_same_item(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    """Claims race from several threads (real concurrent HTTP requests, each its own
    database session) until the queue is empty."""
    ingest(as_role, FLAGGED)
    clients = [as_role("moderator"), as_role("moderator2")] * 3
    barrier = threading.Barrier(len(clients))
    got: list[list[int]] = [[] for _ in clients]
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait()
            while True:
                items = claim(clients[index], 2)
                if not items:
                    return
                got[index].extend(int(i["id"]) for i in items)  # type: ignore[call-overload]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    claimed = [item for items in got for item in items]
    assert len(claimed) == len(FLAGGED) == len(set(claimed))
    with service.db.session() as session:
        owners = {r.id: r.claimed_by for r in session.execute(
            select(QueueItem.id, QueueItem.claimed_by))}
    assert all(owners[i] is not None for i in claimed)


def test_expired_leases_return_to_the_queue(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    ingest(as_role, FLAGGED[:2])
    first = claim(as_role("moderator"), 5)
    assert len(first) == 2
    assert claim(as_role("moderator2"), 5) == []
    service.clock.advance(seconds=299)
    assert claim(as_role("moderator2"), 5) == []
    service.clock.advance(seconds=2)
    assert as_role("moderator").get("/v1/queue").json()["counts"]["pending"] == 2
    second = claim(as_role("moderator2"), 5)
    assert sorted(i["id"] for i in second) == sorted(i["id"] for i in first)
    response = as_role("moderator").post(f"/v1/queue/{first[0]['id']}/decision",
                                         json={"action": "remove",
                                               "policy_reason": "prohibited_product"})
    assert response.status_code == 409 and "another moderator" in response.json()["reason"]


def test_a_lapsed_claim_nobody_took_can_still_be_decided(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    ingest(as_role, FLAGGED[:1])
    [item] = claim(as_role("moderator"), 1)
    service.clock.advance(hours=1)
    response = as_role("moderator").post(f"/v1/queue/{item['id']}/decision",
                                         json={"action": "allow",
                                               "policy_reason": "not_wildlife"})
    assert response.status_code == 200, response.text


def test_decision_records_counts_terms_and_closes_the_item(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    ingest(as_role, FLAGGED[:2])
    moderator = as_role("moderator")
    first, second = claim(moderator, 2)
    response = moderator.post(f"/v1/queue/{first['id']}/decision", json={
        "action": "remove", "policy_reason": "prohibited_product", "note": "carved tusk"})
    assert response.status_code == 200, response.text
    decision = response.json()
    assert decision["action"] == "remove" and decision["listing"]["id"] == first["listing"]["id"]
    assert decision["terms_counted"] >= 1
    moderator.post(f"/v1/queue/{second['id']}/decision",
                   json={"action": "allow", "policy_reason": "not_wildlife"}).raise_for_status()
    with service.db.session() as session:
        ivory = session.execute(select(TermStat).where(TermStat.term == "ivory")).scalar_one()
        assert (ivory.tp, ivory.fp) == (1, 1)
        assert session.execute(select(Decision.action).order_by(Decision.id)).scalars().all() \
            == ["remove", "allow"]
    view = as_role("analyst").get(f"/v1/listings/{first['listing']['id']}").json()
    assert view["queue"]["status"] == "decided" and view["decisions"][0]["action"] == "remove"
    again = moderator.post(f"/v1/queue/{first['id']}/decision",
                           json={"action": "allow", "policy_reason": "other"})
    assert again.status_code == 409 and "already decided" in again.json()["reason"]


def test_decisions_need_a_claim_and_valid_values(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    ingest(as_role, FLAGGED[:1])
    moderator = as_role("moderator")
    with service.db.session() as session:
        item_id = session.execute(select(QueueItem.id)).scalar_one()
    unclaimed = moderator.post(f"/v1/queue/{item_id}/decision",
                               json={"action": "remove", "policy_reason": "prohibited_product"})
    assert unclaimed.status_code == 409 and "claim" in unclaimed.json()["reason"]
    claim(moderator, 1)
    for body, where in [({"action": "burn", "policy_reason": "other"}, "action"),
                        ({"action": "remove", "policy_reason": "because"}, "policy_reason"),
                        ({"action": "remove", "policy_reason": "other", "note": "x" * 2001},
                         "note"),
                        ({"action": "remove", "policy_reason": "other", "extra": 1}, "extra")]:
        response = moderator.post(f"/v1/queue/{item_id}/decision", json=body)
        assert response.status_code == 422 and response.json()["reason"].startswith(where)
    assert moderator.post("/v1/queue/999999/decision", json={
        "action": "remove", "policy_reason": "other"}).status_code == 404
    assert moderator.post("/v1/queue/claim", json={"limit": 21}).status_code == 422
    with service.db.session() as session:
        assert session.execute(select(Decision)).first() is None
