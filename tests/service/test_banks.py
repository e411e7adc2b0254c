"""Hash banks through the API, on SQLite and PostgreSQL with a real uvicorn: curators create,
configure, add, remove, export and import; platforms hash and match; readiness reports the
index; a removed listing's images are banked in one step. Every bank change is audited."""

from __future__ import annotations

import base64
from collections.abc import Callable

import httpx
import orjson
from sqlalchemy import select

from keepwild.media.hashing import distance, hash_bytes
from keepwild.store.tables import AuditEntry

from media.imagegen import encode, recompressed, resized, shapes, texture
from .conftest import Service

Client = Callable[[str], httpx.Client]


def _png(seed: int) -> bytes:
    return encode(shapes(seed), "PNG")


def _small_jpeg_uri(seed: int) -> str:
    """A photo small enough for a listing's image field (at most 2048 characters)."""
    data = encode(shapes(seed, (80, 60)), "JPEG", quality=50)
    uri = "data:image/jpeg;base64," + base64.b64encode(data).decode()
    assert len(uri) <= 2048
    return uri


def _audit(service: Service) -> list[tuple[str, str, str]]:
    with service.db.session() as session:
        return [(e.actor, e.action, e.subject) for e in session.execute(
            select(AuditEntry).order_by(AuditEntry.seq)).scalars()]


def _create(client: httpx.Client, name: str, **settings: object) -> dict[str, object]:
    response = client.post("/v1/banks", json={"name": name, **settings})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _ready(service: Service) -> dict[str, object]:
    with service.client() as client:
        response = client.get("/v1/ready")
    assert response.status_code == 200, response.text
    return response.json()["hash_index"]  # type: ignore[no-any-return]


def test_only_curators_and_admins_change_banks(service: Service, as_role: Client) -> None:
    created = _create(as_role("curator"), "ivory-photos", threshold=20,
                      description="confirmed ivory listings")
    assert (created["threshold"], created["enabled"], created["active"]) == (20, True, 0)
    _create(as_role("admin"), "pangolin")
    duplicate = as_role("admin").post("/v1/banks", json={"name": "ivory-photos"})
    assert duplicate.status_code == 409 and "already exists" in duplicate.json()["reason"]
    bad = as_role("curator").post("/v1/banks", json={"name": "Ivory Photos!"})
    assert bad.status_code == 422 and "bank name" in bad.json()["reason"]
    for role in ("moderator", "analyst", "spotter"):
        refused = as_role(role).post("/v1/banks", json={"name": f"by-{role}"})
        assert refused.status_code == 403 and "banks:edit" in refused.json()["reason"]
        refused = as_role(role).patch("/v1/banks/ivory-photos", json={"enabled": False})
        assert refused.status_code == 403
    with service.client() as anonymous:
        assert anonymous.post("/v1/banks", json={"name": "anon"}).status_code == 401
        assert anonymous.get("/v1/banks").status_code == 401
    assert as_role("spotter").get("/v1/banks").status_code == 403
    listed = as_role("analyst").get("/v1/banks").json()["banks"]
    assert [b["name"] for b in listed] == ["ivory-photos", "pangolin"]
    patched = as_role("curator").patch("/v1/banks/ivory-photos",
                                       json={"threshold": 10, "enabled": False})
    assert patched.status_code == 200 and (patched.json()["threshold"],
                                           patched.json()["enabled"]) == (10, False)
    assert as_role("curator").patch("/v1/banks/ivory-photos",
                                    json={"threshold": 40}).status_code == 422
    assert as_role("curator").patch("/v1/banks/nope", json={"enabled": True}).status_code == 404
    assert _audit(service) == [
        ("curator:curator", "bank.create", "bank:ivory-photos"),
        ("admin:admin", "bank.create", "bank:pangolin"),
        ("curator:curator", "bank.configure", "bank:ivory-photos"),
    ]


def test_add_remove_export_and_import_keep_provenance_and_tombstones(
    service: Service, as_role: Client
) -> None:
    curator = as_role("curator")
    _create(curator, "ivory-photos", threshold=25)
    photo = hash_bytes(_png(1))
    signals = ["11" * 32, "22" * 32]
    response = curator.post("/v1/banks/ivory-photos/hashes", json={"entries": [
        {"signal": signals[0], "category": "ivory", "listing_id": "L-1", "quality": 90},
        {"signal": signals[1], "category": "ivory", "note": "from a partner"},
        {"image": "data:image/png;base64," + base64.b64encode(_png(1)).decode(),
         "category": "ivory", "listing_id": "L-3"},
    ]})
    assert response.status_code == 200, response.text
    added = response.json()["added"]
    assert [e["signal"] for e in added] == [*signals, photo.hex]
    assert {e["added_by"] for e in added} == {"curator:curator"}
    assert added[2]["quality"] == photo.quality and added[2]["listing_id"] == "L-3"
    again = curator.post("/v1/banks/ivory-photos/hashes",
                         json={"entries": [{"signal": signals[0], "category": "ivory"}]})
    assert again.json() == {"added": [], "duplicates": [signals[0]]}
    # one bad entry refuses the whole request, naming it; nothing is added
    bad = curator.post("/v1/banks/ivory-photos/hashes", json={"entries": [
        {"signal": "33" * 32, "category": "ivory"}, {"signal": "xyz", "category": "ivory"}]})
    assert bad.status_code == 422 and "entries[1]" in bad.json()["reason"]
    wrong_category = curator.post("/v1/banks/ivory-photos/hashes", json={"entries": [
        {"signal": "33" * 32, "category": "unicorn"}]})
    assert wrong_category.status_code == 422 and "category" in wrong_category.json()["reason"]
    assert curator.get("/v1/banks/ivory-photos").json()["active"] == 3

    service.clock.advance(hours=1)
    removed = curator.post("/v1/banks/ivory-photos/removals",
                           json={"signals": [signals[0], "44" * 32]})
    assert removed.status_code == 200, removed.text
    [tombstone] = removed.json()["removed"]
    assert (tombstone["signal"], tombstone["removed_by"], tombstone["added_by"],
            tombstone["listing_id"]) == (signals[0], "curator:curator", "curator:curator", "L-1")
    assert removed.json()["not_found"] == ["44" * 32]
    summary = as_role("moderator").get("/v1/banks/ivory-photos").json()
    assert (summary["active"], summary["tombstones"]) == (2, 1)

    exported = as_role("analyst").get("/v1/banks/ivory-photos/export")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    lines = [orjson.loads(line) for line in exported.content.splitlines()]
    assert lines[0] == {"format": "keepwild-hash-bank", "version": 1, "name": "ivory-photos",
                        "threshold": 25, "enabled": True, "description": ""}
    assert [(e["signal"], e["removed_by"]) for e in lines[1:]] == [
        (signals[0], "curator:curator"), (signals[1], None), (photo.hex, None)]
    assert lines[1]["removed_at"] == "2026-11-02T10:00:00Z"
    assert lines[2]["note"] == "from a partner"

    # a partner imports the file: a new bank from the header, the tombstone kept to share on
    partner = as_role("admin").post("/v1/banks/partner-ivory/import", content=exported.content)
    assert partner.status_code == 200, partner.text
    assert partner.json() == {"bank": "partner-ivory", "created": True, "added": 2,
                              "removed": 0, "duplicates": 0, "tombstones": 1}
    copy = curator.get("/v1/banks/partner-ivory").json()
    assert (copy["threshold"], copy["active"], copy["tombstones"]) == (25, 2, 1)
    again = curator.get("/v1/banks/partner-ivory/export").content.splitlines()[1:]
    assert [orjson.loads(line)["added_by"] for line in again] == ["curator:curator"] * 3

    # a bank still holding the removed hash honours the tombstone on import
    _create(curator, "older-copy")
    curator.post("/v1/banks/older-copy/hashes", json={"entries": [
        {"signal": signals[0], "category": "ivory"}]}).raise_for_status()
    applied = curator.post("/v1/banks/older-copy/import", content=exported.content)
    assert applied.json()["removed"] == 1 and applied.json()["added"] == 2
    older = curator.get("/v1/banks/older-copy").json()
    assert (older["active"], older["tombstones"]) == (2, 1)

    # a bad file is refused whole, naming each bad line
    broken = exported.content + b'{"signal_type": "pdq", "signal": "abc"}\nnot json\n'
    refused = curator.post("/v1/banks/partner-ivory/import", content=broken)
    assert refused.status_code == 422
    assert "line 5" in refused.json()["reason"] and "line 6" in refused.json()["reason"]
    assert curator.get("/v1/banks/partner-ivory").json()["active"] == 2
    assert as_role("moderator").post("/v1/banks/partner-ivory/import",
                                     content=exported.content).status_code == 403
    actions = [action for _, action, _ in _audit(service)]
    assert actions == ["bank.create", "bank.add", "bank.remove", "bank.import",
                       "bank.create", "bank.add", "bank.import"]


def test_match_honours_each_banks_threshold_and_enable_switch(
    service: Service, as_role: Client
) -> None:
    curator, platform = as_role("curator"), as_role("admin")
    _create(curator, "ivory-photos")
    banked = shapes(21)
    original = hash_bytes(encode(banked, "PNG"))
    curator.post("/v1/banks/ivory-photos/hashes", json={"entries": [
        {"signal": original.hex, "category": "ivory", "listing_id": "L-21"},
        {"signal": hash_bytes(encode(texture(5), "PNG")).hex, "category": "ivory"},
    ]}).raise_for_status()
    copy = encode(resized(recompressed(banked, 30), 0.5), "JPEG", quality=40)
    gap = distance(hash_bytes(copy).hash, original.hash)
    assert 0 < gap <= 31

    def matches(body: bytes) -> list[dict[str, object]]:
        response = platform.post("/v1/match", content=body,
                                 headers={"content-type": "image/jpeg"})
        assert response.status_code == 200, response.text
        [result] = response.json()["results"]
        return result["matches"]  # type: ignore[no-any-return]

    [found] = matches(copy)
    assert (found["bank"], found["distance"], found["threshold"], found["listing_id"],
            found["signal"], found["variant"]) == ("ivory-photos", gap, 31, "L-21",
                                                   original.hex, "original")
    assert matches(encode(shapes(22), "PNG")) == []  # an unrelated photo
    curator.patch("/v1/banks/ivory-photos", json={"threshold": gap - 1}).raise_for_status()
    assert matches(copy) == []
    curator.patch("/v1/banks/ivory-photos", json={"threshold": gap}).raise_for_status()
    assert len(matches(copy)) == 1
    curator.patch("/v1/banks/ivory-photos", json={"enabled": False}).raise_for_status()
    assert matches(copy) == []
    curator.patch("/v1/banks/ivory-photos", json={"enabled": True}).raise_for_status()
    by_hash = platform.post("/v1/match", json={"hashes": [original.hex, "00" * 32]}).json()
    assert [len(r["matches"]) for r in by_hash["results"]] == [1, 0]
    assert by_hash["results"][0]["matches"][0]["distance"] == 0
    curator.post("/v1/banks/ivory-photos/removals",
                 json={"signals": [original.hex]}).raise_for_status()
    assert matches(copy) == []
    bad = platform.post("/v1/match", json={"hashes": ["not-a-hash"]})
    assert bad.status_code == 422 and "hashes[0]" in bad.json()["reason"]
    assert platform.post("/v1/match", json={"hashes": []}).status_code == 422
    assert as_role("spotter").post("/v1/match", json={"hashes": ["00" * 32]}).status_code == 403


def test_hash_endpoint_hashes_uploaded_images_within_limits(
    service: Service, as_role: Client
) -> None:
    client = as_role("moderator")
    data = _png(3)
    expected = hash_bytes(data)
    response = client.post("/v1/hash", content=data, headers={"content-type": "image/png"})
    assert response.status_code == 200, response.text
    assert response.json() == {"pdq": expected.hex, "quality": expected.quality,
                               "matchable": True, "mirror": expected.mirror.hex()}
    uri = "data:image/png;base64," + base64.b64encode(data).decode()
    assert client.post("/v1/hash", json={"image": uri}).json()["pdq"] == expected.hex
    garbage = client.post("/v1/hash", content=b"GIF89a not really",
                          headers={"content-type": "image/gif"})
    assert garbage.status_code == 422
    assert garbage.json()["error"] == "invalid" and "image" in garbage.json()["reason"]
    assert client.post("/v1/hash", json={"image": "data:image/png;base64,@@@"}
                       ).status_code == 422
    assert client.post("/v1/hash", json={"picture": uri}).status_code == 422
    assert client.post("/v1/hash", content=b"").status_code == 400
    too_big = client.post("/v1/hash", content=b"\xff" * (300 * 1024),
                          headers={"content-type": "image/jpeg"})
    assert too_big.status_code == 413 and too_big.json()["reason"]
    with service.client() as anonymous:
        assert anonymous.post("/v1/hash", content=data).status_code == 401


def test_readiness_reports_the_index_size_and_freshness(
    service: Service, as_role: Client
) -> None:
    empty = _ready(service)
    assert (empty["entries"], empty["banks"], empty["current"]) == (0, 0, True)
    curator = as_role("curator")
    _create(curator, "ivory-photos")
    curator.post("/v1/banks/ivory-photos/hashes", json={"entries": [
        {"signal": "11" * 32, "category": "ivory"}, {"signal": "22" * 32, "category": "ivory"},
        {"signal": "33" * 32, "category": "ivory", "quality": 10},  # kept, never matched
    ]}).raise_for_status()
    after_add = _ready(service)
    assert (after_add["entries"], after_add["banks"]) == (2, 1)
    assert after_add["version"] == after_add["database_version"] > empty["version"]
    assert after_add["current"] is True and after_add["synced_at"] is not None
    assert after_add["updated_at"] is not None and after_add["memory_bytes"] > 0
    curator.post("/v1/banks/ivory-photos/removals",
                 json={"signals": ["11" * 32]}).raise_for_status()
    after_remove = _ready(service)
    assert (after_remove["entries"], after_remove["removed"]) == (1, 1)
    assert after_remove["version"] > after_add["version"]


def test_a_removed_listings_images_are_banked_in_one_step(
    service: Service, as_role: Client
) -> None:
    photo = _small_jpeg_uri(31)
    as_role("admin").post("/v1/listings", json={"listings": [
        {"id": "L-31", "title": "Carved ivory bangle", "description": "for sale, DM me",
         "images": [photo, "data:image/png;base64,AAAA", "http://127.0.0.1:1/x.jpg"]},
        {"id": "L-32", "title": "Carved ivory figure", "description": "for sale",
         "images": [_small_jpeg_uri(32)]},
    ]}).raise_for_status()
    moderator = as_role("moderator")
    items = moderator.post("/v1/queue/claim", json={"limit": 2}).json()["items"]
    by_listing = {item["listing"]["id"]: item["id"] for item in items}
    moderator.post(f"/v1/queue/{by_listing['L-31']}/decision", json={
        "action": "remove", "policy_reason": "prohibited_product"}).raise_for_status()
    moderator.post(f"/v1/queue/{by_listing['L-32']}/decision", json={
        "action": "allow", "policy_reason": "not_wildlife"}).raise_for_status()

    curator = as_role("curator")
    _create(curator, "ivory-photos")
    refused = moderator.post("/v1/banks/ivory-photos/listings",
                             json={"listing_id": "L-31", "category": "ivory"})
    assert refused.status_code == 403
    response = curator.post("/v1/banks/ivory-photos/listings",
                            json={"listing_id": "L-31", "category": "ivory",
                                  "note": "confirmed by moderator"})
    assert response.status_code == 200, response.text
    body = response.json()
    [entry] = body["added"]
    assert (entry["listing_id"], entry["added_by"], entry["category"], entry["note"]) == (
        "L-31", "curator:curator", "ivory", "confirmed by moderator")
    problems = body["problems"]
    assert len(problems) == 2 and problems[0].startswith("image 2:")
    assert "non-public address" in problems[1]
    allowed = curator.post("/v1/banks/ivory-photos/listings",
                           json={"listing_id": "L-32", "category": "ivory"})
    assert allowed.status_code == 409 and "'allow'" in allowed.json()["reason"]
    missing = curator.post("/v1/banks/ivory-photos/listings",
                           json={"listing_id": "L-404", "category": "ivory"})
    assert missing.status_code == 404
    no_bank = curator.post("/v1/banks/nope/listings",
                           json={"listing_id": "L-31", "category": "ivory"})
    assert no_bank.status_code == 404

    # the next copy of that photo matches at once, naming the listing it came from
    repost = base64.b64decode(photo.split(",", 1)[1])
    matched = as_role("admin").post("/v1/match", content=repost,
                                    headers={"content-type": "image/jpeg"}).json()
    [found] = matched["results"][0]["matches"]
    assert (found["listing_id"], found["distance"]) == ("L-31", 0)
    assert [a for _, a, _ in _audit(service) if a.startswith("bank.")] == [
        "bank.create", "bank.listing"]
