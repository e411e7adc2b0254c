"""ScanResult: immutable, comparable, and identifying a clean listing's language only on demand."""

from __future__ import annotations

import pytest

from keepwild import Scanner, ScanResult


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


def test_clean_listing_language_is_identified_when_read(scanner: Scanner) -> None:
    result = scanner.scan({"id": "1", "title": "Vélo de course en bon état",
                           "description": "Cadre aluminium, freins neufs, à venir chercher."})
    assert result.verdict == "allow"
    assert result.language == "fr"
    assert result.to_dict()["language"] == "fr"


def test_language_given_by_the_platform_is_kept(scanner: Scanner) -> None:
    result = scanner.scan({"id": "1", "title": "Bicycle for sale", "lang": "nl"})
    assert result.language == "nl"


def test_flagged_listing_language_is_identified_with_evidence_hints(scanner: Scanner) -> None:
    result = scanner.scan({"id": "2", "title": "Pembe za ndovu zinauzwa",
                           "description": "Bei poa, piga simu"})
    assert result.flagged
    assert result.language == "sw"


def test_results_are_immutable_and_compare_by_value(scanner: Scanner) -> None:
    listing = {"id": "3", "title": "Carved 1v0ry bangle for sale, DM me"}
    first, second = scanner.scan(listing), scanner.scan(listing)
    assert first == second and hash(first) == hash(second)
    with pytest.raises(AttributeError):
        first.verdict = "allow"  # type: ignore[misc]
    changed = first._replace(verdict="review")
    assert changed.verdict == "review" and first.verdict == "block"
    assert changed != first
    assert "verdict='review'" in repr(changed)
    with pytest.raises(TypeError, match="no field"):
        first._replace(colour="red")


def test_unidentified_language_is_identified_from_its_text_and_hints() -> None:
    text = "Dijual gading gajah asli, hubungi via WA"
    result = ScanResult("4", "allow", 0.0, (), (), (text, ()), (), (), "coalition", "v")
    assert result.language == result.language == "id"
    assert result == ScanResult("4", "allow", 0.0, (), (), "id", (), (), "coalition", "v")


def test_results_survive_pickling_with_their_language_pending() -> None:
    import pickle

    from keepwild import Scanner

    scanner = Scanner(model=None)
    result = scanner.scan({"id": "p1", "title": "Carved ivory bangle for sale, DM me"})
    clean = scanner.scan({"id": "p2", "title": "Solid oak dining table, seats six"})
    for original in (result, clean):
        copy = pickle.loads(pickle.dumps(original))
        assert type(copy) is type(original) and copy == original
        assert copy.language == original.language == "en"
