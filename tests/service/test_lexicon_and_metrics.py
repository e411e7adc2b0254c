"""The live lexicon (export, curator edits, per-term precision) and the metrics."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from .conftest import Service


def test_lexicon_export_is_versioned(as_role: Callable[[str], httpx.Client]) -> None:
    response = as_role("moderator").get("/v1/lexicon")
    assert response.status_code == 200
    export = response.json()
    assert export["version"] == "test-1" and response.headers["ETag"] == '"test-1"'
    assert any(t["term"] == "ivory" and t["lang"] == "en" for t in export["terms"])
    csv = as_role("curator").get("/v1/lexicon", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("term,lang,kind")


def test_curator_edit_changes_version_and_scanning(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    listing = {"id": "s-1", "title": "Fresh sisik tenggiling", "description": "ready stock"}
    before = as_role("analyst").post("/v1/scan", json=listing).json()
    assert before["verdict"] == "allow"
    curator = as_role("curator")
    response = curator.put("/v1/lexicon/terms", json={
        "term": "sisik tenggiling", "lang": "id", "kind": "product", "category": "pangolin",
        "weight": 0.9, "source": "TRAFFIC report 2026"})
    assert response.status_code == 200, response.text
    assert response.json()["version"] == "test-1+edit.1"
    after = as_role("analyst").post("/v1/scan", json=listing).json()
    assert after["verdict"] != "allow" and after["lexicon_version"] == "test-1+edit.1"
    retired = curator.put("/v1/lexicon/terms", json={"term": "Sisik Tenggiling", "lang": "id",
                                                     "status": "retired"})
    assert retired.json()["term"]["term"] == "sisik tenggiling"
    assert as_role("analyst").post("/v1/scan", json=listing).json()["verdict"] == "allow"
    export = as_role("curator").get("/v1/lexicon").json()
    assert export["version"] == "test-1+edit.2"
    entry = next(t for t in export["terms"] if t["term"] == "sisik tenggiling")
    assert entry["status"] == "retired" and entry["source"] == "TRAFFIC report 2026"


def test_invalid_term_edits_are_refused(as_role: Callable[[str], httpx.Client]) -> None:
    curator = as_role("curator")
    for body, reason in [
        ({"term": "xy", "lang": "en", "kind": "product", "category": "ivory", "source": "s"},
         "too short"),
        ({"term": "tusk carving", "lang": "en", "kind": "product", "category": "dragons",
          "source": "s"}, "category"),
        ({"term": "tusk carving", "lang": "en", "kind": "product", "category": "ivory"},
         "missing source"),
        ({"term": "tusk carving", "lang": "xx", "kind": "product"}, "lang"),
        ({"term": "tusk carving", "lang": "en", "weight": 7}, "weight"),
    ]:
        response = curator.put("/v1/lexicon/terms", json=body)
        assert response.status_code == 422, (body, response.text)
        assert reason in response.json()["reason"]
    assert curator.get("/v1/lexicon").json()["version"] == "test-1"


def test_precision_and_metrics_follow_decisions(
    service: Service, as_role: Callable[[str], httpx.Client]
) -> None:
    admin, moderator = as_role("admin"), as_role("moderator")
    admin.post("/v1/listings", json={"listings": [
        {"id": "m-1", "title": "Ivory bangle", "description": "for sale"},
        {"id": "m-2", "title": "Ivory carving", "description": "for sale"},
        {"id": "m-3", "title": "Oak chair", "description": "solid"},
        {"id": "m-4", "title": "R.H.I.N.O horn", "description": "for sale", "lang": "en"},
    ]}).raise_for_status()
    with service.client() as public:
        public.post("/v1/reports", json={"url": "https://x.example/1", "category": "birds"}
                    ).raise_for_status()
    service.clock.advance(minutes=30)
    items = moderator.post("/v1/queue/claim", json={"limit": 10}).json()["items"]
    actions = {"m-1": "remove", "m-2": "allow", "m-4": "escalate"}
    for item in items:
        if item["listing"] is None:
            continue
        moderator.post(f"/v1/queue/{item['id']}/decision", json={
            "action": actions[item["listing"]["id"]], "policy_reason": "other"}
        ).raise_for_status()
    terms = as_role("curator").get("/v1/lexicon/precision").json()["terms"]
    ivory = next(t for t in terms if t["term"] == "ivory")
    assert (ivory["tp"], ivory["fp"], ivory["precision"]) == (1, 1, 0.5)
    export = as_role("curator").get("/v1/lexicon").json()
    assert next(t for t in export["terms"] if t["term"] == "ivory")["fp"] >= 1

    figures = as_role("analyst").get("/v1/metrics").json()
    assert figures["listings"]["total"] == 4
    assert figures["listings"]["by_verdict"]["allow"] == 1
    assert figures["listings"]["flagged_by_category"] == {"ivory": 2, "rhino_horn": 1}
    assert figures["listings"]["by_week"] == [{"week": "2026-11-02",
                                                **figures["listings"]["by_verdict"]}]
    assert figures["decisions"]["by_action"] == {"remove": 1, "allow": 1, "escalate": 1}
    assert figures["decisions"]["by_week"][0]["week"] == "2026-11-02"
    assert figures["decisions"]["flag_to_decision_seconds"]["median"] == 1800.0
    assert figures["queue"] == {"pending": 0, "claimed": 1, "decided": 3}
    assert figures["reports"]["total"] == 1
    assert figures["reports"]["by_outcome"] == {"open": 1}
    assert figures["reports"]["by_category"] == {"birds": 1}
