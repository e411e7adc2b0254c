"""The shipped corpus: size and composition, and test listings never seen in training."""

from __future__ import annotations

from collections import Counter

import pytest

from keepwild.text.fold import fold
from keepwild.text.langid import SUPPORTED_LANGUAGES
from keepwild import Listing
from keepwild.training.corpus import (
    Labeled,
    _bucket,
    assign_splits,
    near_duplicates,
    shipped_corpus,
)


@pytest.fixture(scope="module")
def corpus() -> list[Labeled]:
    return shipped_corpus()


def test_size_and_composition(corpus: list[Labeled]) -> None:
    assert len(corpus) >= 6000
    by_lang = Counter(item.lang for item in corpus)
    assert set(by_lang) == set(SUPPORTED_LANGUAGES)
    kinds = Counter(item.kind for item in corpus)
    assert set(kinds) == {"positive", "hard_negative", "legal_animal", "news", "unrelated"}
    for lang in SUPPORTED_LANGUAGES:
        mine = [i for i in corpus if i.lang == lang]
        categories = {i.category for i in mine if i.label == 1}
        assert len(categories) == 12, lang
        assert any(i.obfuscated for i in mine if i.label == 1), lang


def test_every_listing_has_a_split(corpus: list[Labeled]) -> None:
    assert {item.split for item in corpus} == {"train", "dev", "test"}


def test_no_test_listing_appears_in_training(corpus: list[Labeled]) -> None:
    train = [fold(i.listing.joined_text()) for i in corpus if i.split == "train"]
    test = [fold(i.listing.joined_text()) for i in corpus if i.split == "test"]
    assert not set(train) & set(test), "exact duplicates across splits"
    assert near_duplicates(test, train) == [], "near-duplicates across splits"


def test_splits_are_deterministic_and_keep_twins_together(corpus: list[Labeled]) -> None:
    sample = corpus[:300]
    original = sample[0].listing
    # A twin whose own id would hash to another split than the original's.
    twin_id = next(f"zz-twin-{n}" for n in range(100)
                   if _bucket(f"zz-twin-{n}", 2026) != _bucket(original.id, 2026))
    twin = Labeled(Listing(id=twin_id, title=original.title,
                           description=original.description + " !"), label=sample[0].label)
    first = assign_splits([*sample, twin])
    assert first == assign_splits([*sample, twin])
    assert first[-1] == first[0]
