"""Evidence rules and policies on a small, fixed lexicon, so each expectation is exact."""

from __future__ import annotations

from dataclasses import replace

import pytest

from keepwild import PolicyError, Scanner, load_policy
from keepwild.detect.model import WEAK_SPECIES
from keepwild.detect.scanner import ScanResult
from keepwild.lexicon.model import Lexicon
from keepwild.training.corpus import shipped_corpus


def scan(scanner: Scanner, text: str, **fields: object) -> ScanResult:
    return scanner.scan({"id": "x", "title": "", "description": text, **fields})


def test_product_with_sale_intent_blocks(small_scanner: Scanner) -> None:
    result = scan(small_scanner, "Carved ivory bangle for sale, DM me")
    assert result.verdict == "block"
    assert result.categories == ("ivory",)
    assert any(r.rule == "item+intent" for r in result.reasons)


def test_species_name_alone_is_allowed(small_scanner: Scanner) -> None:
    result = scan(small_scanner, "Tiger t-shirt, size M")
    assert result.verdict == "allow"
    assert result.score < 0.4


@pytest.mark.parametrize(
    "text", ["Tiger Balm for sale", "Ivory wedding dress for sale", "Elephant plush for sale"]
)
def test_benign_context_cancels(small_scanner: Scanner, text: str) -> None:
    result = scan(small_scanner, text)
    assert result.verdict == "allow"
    excused = [m for m in result.matches if m.excused_by]
    assert excused, "the excused term is still shown, with what excused it"
    assert any(r.rule == "benign-context" for r in result.reasons)


def test_negated_benign_does_not_excuse(small_scanner: Scanner) -> None:
    result = scan(small_scanner, "Real ivory bangle, not resin, for sale")
    assert result.verdict == "block"
    assert any(r.rule == "negated-benign" for r in result.reasons)


def test_ivory_floor_reviews_ivory_without_sale_words(small_scanner: Scanner) -> None:
    result = scan(small_scanner, "Old ivory carving from my grandmother")
    assert result.verdict == "review"
    assert any(r.rule == "review-floor" for r in result.reasons)


def test_lenient_policy_relaxes_the_ivory_floor(small_lexicon: Lexicon) -> None:
    result = scan(Scanner(small_lexicon, "lenient"), "Old ivory carving from my grandmother")
    assert result.verdict == "allow"


def test_candidate_codeword_reviews_but_never_blocks(small_scanner: Scanner) -> None:
    result = scan(small_scanner, "White gold pieces for sale, DM me, 500 USD", price=500)
    assert result.verdict == "review"


def test_retired_terms_never_match(small_scanner: Scanner) -> None:
    result = scan(small_scanner, "antique ivory bangle")
    assert all(m.term != "antique" for m in result.matches)


def test_price_and_phone_count_as_sale_intent(small_scanner: Scanner) -> None:
    quiet = scan(small_scanner, "rhino horn")
    loud = scan(small_scanner, "rhino horn $4500 call +255 712 345 678")
    assert loud.score > quiet.score
    assert loud.verdict == "block"


def test_score_is_a_probability_like_value(small_scanner: Scanner) -> None:
    for text in ["ivory bangle for sale dm me $5", "tiger", "nothing here"]:
        assert 0.0 <= scan(small_scanner, text).score <= 1.0


def test_unknown_policy_is_a_clear_error() -> None:
    with pytest.raises(PolicyError, match="unknown policy 'nope'"):
        load_policy("nope")


def test_policy_file_with_bad_values_is_rejected(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nblock_threshold = 2\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="block_threshold"):
        load_policy(bad)


def test_matches_point_at_the_original_text(small_scanner: Scanner) -> None:
    listing = {"id": "1", "title": "R.H.I.N.O H0RN", "description": "Ｉｖｏｒｙ bangle for sale"}
    result = small_scanner.scan(listing)
    assert result.matches
    for match in result.matches:
        assert listing[match.field][match.start:match.end] == match.text


def test_review_generic_animals_must_be_a_boolean(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nreview_generic_animals = "no"\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="review_generic_animals"):
        load_policy(bad)


def test_generic_animal_names_alone_need_block_level_probability() -> None:
    """With review_generic_animals off (as in the lenient policy), listings whose only
    wildlife evidence is generic animal names are not sent to review; under the coalition
    policy they are. Nothing else changes."""
    reviewing = Scanner(policy="coalition")
    assert reviewing.policy.review_generic_animals
    coalition = Scanner(policy=replace(reviewing.policy, review_generic_animals=False))
    changed = 0
    for item in shipped_corpus():
        quiet, loud = coalition.scan(item.listing), reviewing.scan(item.listing)
        if quiet.verdict != loud.verdict:
            changed += 1
            assert (loud.verdict, quiet.verdict) == ("review", "allow")
            kinds = {m.kind for m in loud.matches if m.kind in ("species", "product", "codeword")}
            assert kinds == {"species"} and all(m.weight < WEAK_SPECIES for m in loud.matches
                                                if m.kind == "species")
            assert "generic animal names" in quiet.reasons[-1].detail
    assert changed > 0


def test_part_word_beside_a_species_name_makes_a_product(small_scanner: Scanner) -> None:
    assert scan(small_scanner, "Tiger for sale, DM me").verdict == "allow"
    result = scan(small_scanner, "Tiger claws for sale, DM me")
    assert result.verdict == "review"
    assert result.categories == ("big_cats",)
    composed = next(r for r in result.reasons if r.rule == "species+part")
    assert "'claws' with 'tiger'" in composed.detail
    assert {(m.text, m.kind) for m in result.matches} >= {("Tiger", "species"), ("claws", "part")}


def test_part_word_reaches_only_nearby_species_names(small_scanner: Scanner) -> None:
    far = scan(small_scanner, "Tiger t-shirt in black and orange, and some crab claws, for sale")
    assert far.verdict == "allow"
    assert not any(r.rule == "species+part" for r in far.reasons)
    alone = scan(small_scanner, "Lobster claws for sale")
    assert alone.verdict == "allow" and alone.matches == ()


def test_benign_context_still_excuses_a_composed_part(small_scanner: Scanner) -> None:
    result = scan(small_scanner, "Plush tiger claws slippers for sale")
    assert result.verdict == "allow"
    assert any(r.rule == "species+part" for r in result.reasons)
    assert any(r.rule == "benign-context" for r in result.reasons)


def test_a_disguised_mention_is_never_excused(small_scanner: Scanner) -> None:
    plain = scan(small_scanner, "Ivory bangle on a resin stand, for sale, DM me")
    assert plain.verdict == "allow"
    assert all(m.excused_by == "resin" for m in plain.matches if m.kind == "product")
    disguised = scan(small_scanner, "1v0ry bangle on a resin stand, for sale, DM me")
    assert disguised.verdict == "block"
    assert not any(m.excused_by for m in disguised.matches if m.kind == "product")
    assert not any(r.rule == "benign-context" for r in disguised.reasons)


@pytest.fixture(scope="module")
def shipped_rules() -> Scanner:
    """The shipped lexicon without the learned model: the rules' own reading."""
    return Scanner(model=None)


@pytest.mark.parametrize("text", [
    "Jaguar Zähne 4 Stück",
    "اسنان فرس النهر للبيع",
    "Kop van tijger opgezet",
    "griffes de léopard, lot de 6",
    "dentes de onça pintada",
    "kucha za simba 3",
    "gigi harimau asli",
    "tiger claws x4",
])
def test_part_words_compose_in_every_word_order(shipped_rules: Scanner, text: str) -> None:
    result = shipped_rules.scan({"id": "x", "title": text})
    assert any(r.rule == "species+part" for r in result.reasons), result.reasons


def test_a_part_word_of_another_language_does_not_compose(shipped_rules: Scanner) -> None:
    """English "fur" is not a part word: folded, it would read German "für"."""
    result = shipped_rules.scan({"id": "x", "title": "Anzeige für Äffchen gemeldet"})
    assert not any(r.rule == "species+part" for r in result.reasons)


def test_a_part_pair_repeated_across_fields_is_told_once(small_scanner: Scanner) -> None:
    result = small_scanner.scan({"id": "x", "title": "Tiger claws for sale",
                                 "description": "Tiger claws, four of them, DM me"})
    composed = [r.detail for r in result.reasons if r.rule == "species+part"]
    assert len(composed) == len(set(composed)) == 1
