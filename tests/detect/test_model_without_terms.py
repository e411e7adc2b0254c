"""The learned model reads listings no lexicon term matched: review at most, never block.

A hand-made model (one made-up code word weighs heavily) makes every expectation exact.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from keepwild import PolicyError, Scanner, load_policy
from keepwild.detect.model import RULE_FEATURES, ListingModel
from keepwild.text.ngrams import ngram_indices
from keepwild.text.normalise import normalise

CODE_WORD = "qzxwv"
N_FEATURES = 2**12


def code_word_model() -> ListingModel:
    """Gives any listing with the made-up code word a probability near 1, others near 0."""
    coef = np.zeros(N_FEATURES)
    coef[ngram_indices(CODE_WORD, 4, 4, N_FEATURES)] = 40.0
    return ListingModel(version="test", n_features=N_FEATURES, ngram_min=4, ngram_max=4,
                        coef_text=coef, coef_rules=np.zeros(len(RULE_FEATURES)),
                        intercept=-6.0, calibration=(-1.0, 0.0), metadata={})


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner(detect_language=False, model=code_word_model())


def listing(text: str) -> dict[str, str]:
    return {"id": "1", "title": "For sale", "description": text}


def test_a_listing_without_terms_goes_to_review_on_the_model(scanner: Scanner) -> None:
    result = scanner.scan(listing(f"fresh {CODE_WORD} from the coast, 2 kg, DM me"))
    assert result.verdict == "review"
    assert result.score > 0.99
    assert not result.matches and not result.categories
    assert [r.rule for r in result.reasons] == ["model"]
    assert "no lexicon term" in result.reasons[0].detail
    assert result.reasons[0].detail.endswith(f"words that weighed most: '{CODE_WORD}'")


def test_the_weightiest_words_are_those_whose_n_grams_weigh() -> None:
    model = code_word_model()
    # The code word inside a longer word still weighs, as that word; words without it do not.
    weighty = model.weightiest_words(f"fresh {CODE_WORD} and x{CODE_WORD}y today")
    assert sorted(weighty) == sorted([CODE_WORD, f"x{CODE_WORD}y"])
    assert model.weightiest_words("nothing to see here") == []
    assert model.weightiest_words("") == []
    # An n-gram spanning two words belongs to neither.
    split = CODE_WORD[:2] + " " + CODE_WORD[2:]
    assert model.weightiest_words(split) == []


def test_the_model_alone_never_blocks(scanner: Scanner) -> None:
    result = scanner.scan(listing(f"{CODE_WORD} {CODE_WORD} {CODE_WORD} price 500, call me"))
    assert result.score >= scanner.policy.block_threshold
    assert result.verdict == "review"


def test_a_clean_listing_is_allowed_with_the_models_probability(scanner: Scanner) -> None:
    result = scanner.scan(listing("Oak chair, solid wood, collect only"))
    assert result.verdict == "allow" and not result.reasons
    assert 0 < result.score < 0.01


def test_the_policy_can_keep_the_model_off_clean_listings() -> None:
    policy = replace(load_policy("coalition"), review_without_terms=1.0)
    scanner = Scanner(policy=policy, detect_language=False, model=code_word_model())
    result = scanner.scan(listing(f"fresh {CODE_WORD} from the coast"))
    assert result.verdict == "allow" and result.score == 0.0


def test_the_threshold_is_the_policys(scanner: Scanner) -> None:
    text = listing(f"fresh {CODE_WORD} from the coast")
    probability = scanner.scan(text).score
    above = replace(scanner.policy, review_without_terms=min(1.0, probability + 1e-6))
    assert Scanner(policy=above, detect_language=False,
                   model=code_word_model()).scan(text).verdict == "allow"


def test_the_scanner_gives_the_model_what_training_saw(scanner: Scanner) -> None:
    """features() (what training uses) and scan() score a listing without terms alike."""
    model = code_word_model()
    for text in (f"{CODE_WORD} here", "Oak chair", "s.e.l.l.i.n.g qzx wv now"):
        folded, rules, gated = scanner.features(listing(text))
        assert not gated
        assert folded == normalise(f"For sale\n{text}").text
        assert scanner.scan(listing(text)).score == pytest.approx(
            model.probability(folded, rules), abs=1e-12)


@pytest.mark.parametrize("setting", ["review_without_terms", "model_review_threshold"])
def test_model_thresholds_are_checked(tmp_path, setting: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(f'name = "bad"\n{setting} = 1.5\n', encoding="utf-8")
    with pytest.raises(PolicyError, match=setting):
        load_policy(bad)
    above = tmp_path / "above.toml"
    above.write_text(f'name = "above"\nblock_threshold = 0.6\n{setting} = 0.7\n',
                     encoding="utf-8")
    if setting == "model_review_threshold":
        with pytest.raises(PolicyError, match="above block_threshold"):
            load_policy(above)
    else:
        assert load_policy(above).review_without_terms == 0.7
