"""Banks: provenance, tombstones, the JSON Lines exchange file, and matching per bank."""

from __future__ import annotations

import orjson
import pytest

from keepwild.media.bankfile import export_lines, import_bank_file, read_bank_file
from keepwild.media.banks import BankSet
from keepwild.media.errors import BankError
from keepwild.media.hashing import PdqHash, hash_image
from keepwild.media.matcher import BankMatcher

from .imagegen import shapes, texture

H1, H2, H3 = (bytes([i]) * 32 for i in (0x11, 0x22, 0x33))


def _banks() -> BankSet:
    banks = BankSet()
    banks.create("ivory-photos", threshold=20, description="confirmed ivory listings")
    banks.add("ivory-photos", H1, category="ivory", added_by="ana", listing_id="L-1",
              quality=90)
    banks.add("ivory-photos", H2, category="ivory", added_by="ben", listing_id="L-2",
              quality=30, note="blurry")
    return banks


def test_entries_keep_provenance_and_removals_are_tombstones() -> None:
    banks = _banks()
    assert banks.add("ivory-photos", H1, category="ivory", added_by="cy") is None  # duplicate
    [tombstone] = banks.remove("ivory-photos", H1, removed_by="dee")
    assert (tombstone.added_by, tombstone.listing_id, tombstone.removed_by) == ("ana", "L-1",
                                                                                "dee")
    bank = banks.bank("ivory-photos")
    assert len(bank.entries) == 2 and [e.hash for e in bank.active_entries()] == [H2]
    assert banks.remove("ivory-photos", H1, removed_by="dee") == []


@pytest.mark.parametrize("call, message", [
    (lambda b: b.create("Bad Name"), "bank name"),
    (lambda b: b.create("ivory-photos"), "already exists"),
    (lambda b: b.create("x", threshold=32), "threshold"),
    (lambda b: b.add("ivory-photos", H3, category="unicorn", added_by="a"), "unknown category"),
    (lambda b: b.add("ivory-photos", H3, category="ivory", added_by=""), "added_by"),
    (lambda b: b.add("nope", H3, category="ivory", added_by="a"), "no bank named"),
])
def test_invalid_bank_operations_are_refused(call, message: str) -> None:
    with pytest.raises(BankError, match=message):
        call(_banks())


def test_export_then_import_round_trips_entries_and_tombstones() -> None:
    banks = _banks()
    banks.remove("ivory-photos", H2, removed_by="ben")
    lines = list(export_lines(banks.bank("ivory-photos")))
    header = orjson.loads(lines[0])
    assert header == {"format": "keepwild-hash-bank", "version": 1, "name": "ivory-photos",
                      "threshold": 20, "enabled": True,
                      "description": "confirmed ivory listings"}
    first = orjson.loads(lines[1])
    assert first["signal"] == "11" * 32 and first["signal_type"] == "pdq"
    assert first["added_at"].endswith("Z") and first["removed_at"] is None
    parsed = read_bank_file(lines)
    assert parsed.header["threshold"] == 20
    copy = BankSet()
    copy.create("mirror")
    report = import_bank_file(copy, "mirror", parsed, set())
    assert (report.added, report.tombstones) == (1, 1)
    entries = copy.bank("mirror").entries
    assert [(e.hash, e.added_by, e.listing_id, e.active) for e in entries] == [
        (H1, "ana", "L-1", True), (H2, "ben", "L-2", False)]
    assert list(export_lines(copy.bank("mirror")))[1:] == lines[1:]


def test_imported_tombstones_withdraw_active_entries() -> None:
    banks = _banks()
    parsed = read_bank_file([
        '{"signal_type": "pdq", "signal": "' + "11" * 32 + '", "category": "ivory",'
        ' "removed_at": "2026-11-02T10:00:00Z", "removed_by": "partner"}',
        '{"signal_type": "pdq", "signal": "' + "33" * 32 + '"}',
        '{"signal_type": "pdq", "signal": "' + "22" * 32 + '"}',
    ], default_category="pangolin", importer="partner-feed")
    bank = banks.bank("ivory-photos")
    report = import_bank_file(banks, "ivory-photos", parsed,
                              {e.hash for e in bank.active_entries()})
    assert (report.added, report.removed, report.duplicates, report.tombstones) == (1, 1, 1, 0)
    added = [e for e in bank.entries if e.hash == H3][0]
    assert (added.category, added.added_by, added.quality) == ("pangolin", "partner-feed", None)
    assert not [e for e in bank.entries if e.hash == H1][0].active


def test_malformed_lines_are_reported_with_line_numbers_and_nothing_is_imported() -> None:
    good = '{"signal_type": "pdq", "signal": "' + "ab" * 32 + '", "category": "ivory"}'
    lines = [
        good,
        "{not json",
        '{"signal_type": "pdq", "signal": "abc", "category": "ivory"}',
        '{"signal_type": "md5", "signal": "' + "ab" * 32 + '"}',
        '{"signal_type": "pdq", "signal": "' + "ab" * 32 + '"}',  # no category, no default
        '{"signal_type": "pdq", "signal": "' + "ab" * 32 + '", "category": "ivory", "x": 1}',
        "",
        '{"format": "keepwild-hash-bank", "version": 1}',
        "[1, 2]",
    ]
    with pytest.raises(BankError) as caught:
        read_bank_file(lines)
    message = str(caught.value)
    for number in (2, 3, 4, 5, 6, 8, 9):
        assert f"line {number}:" in message
    assert "line 1:" not in message and "line 7:" not in message
    assert message.startswith("7 bad line(s), nothing imported")


def test_matcher_applies_quality_thresholds_and_the_enable_switch() -> None:
    banks = BankSet()
    banks.create("ivory-photos", threshold=31)
    banks.create("pangolin-photos", threshold=31)
    ivory, pangolin, blurry = shapes(40), texture(41), shapes(42)
    for bank, image, category, quality in [("ivory-photos", ivory, "ivory", None),
                                           ("pangolin-photos", pangolin, "pangolin", None),
                                           ("ivory-photos", blurry, "ivory", 20)]:
        pdq = hash_image(image)
        banks.add(bank, pdq.hash, category=category, added_by="t",
                  quality=pdq.quality if quality is None else quality)
    matcher = BankMatcher.from_banks(banks)
    queries = [hash_image(ivory), hash_image(pangolin), hash_image(blurry)]
    found = matcher.match(queries)
    assert [[(m.bank, m.category, m.distance) for m in ms] for ms in found] == [
        [("ivory-photos", "ivory", 0)], [("pangolin-photos", "pangolin", 0)], []]
    matcher.set_bank("pangolin-photos", threshold=31, enabled=False)
    assert matcher.match(queries)[1] == []
    low = queries[0]._replace(quality=10)
    assert matcher.match([low]) == [[]]  # a low-quality query is never looked up
    entry_id = found[0][0].entry_id
    assert matcher.remove_entries([entry_id, 999]) == 1
    assert matcher.match(queries)[0] == []
    assert matcher.stats()["removed"] == 1


def test_per_bank_threshold_decides() -> None:
    matcher = BankMatcher()
    banks = BankSet()
    banks.create("strict", threshold=4)
    banks.create("loose", threshold=31)
    base = bytes(32)
    near = bytes(31) + b"\x3f"  # 6 bits away
    for name in ("strict", "loose"):
        matcher.set_bank(name, threshold=banks.bank(name).threshold, enabled=True)
    matcher.add_entries([banks.add("strict", base, category="ivory", added_by="t"),
                         banks.add("loose", base, category="ivory", added_by="t")])
    [matches] = matcher.match([PdqHash(near, 100, near)])
    assert [(m.bank, m.distance) for m in matches] == [("loose", 6)]
    with pytest.raises(BankError, match="increasing id order"):
        matcher.add_entries([banks.entry(1)])
