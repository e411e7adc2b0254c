"""The hashed dot product: the C kernel, its Python definition, and the model that uses it.

``hashed_dot`` replaces index arrays in the model's hot path, so it must give the sums of the
very buckets ``ngram_indices`` and ``word_indices`` define, and the model's one-listing
``probability`` must stay equal to its matrix path (``margins`` + ``calibrate``).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepwild.detect.model import RULE_FEATURES, ListingModel, text_features
from keepwild.errors import KeepwildError
from keepwild.text import ngrams
from keepwild.text.ngrams import (
    WORD_HASH,
    _hashed_dot_py,
    _ngram_indices_py,
    hashed_dot,
    ngram_indices,
    word_indices,
)
from keepwild.text.views import _fastfold

needs_kernel = pytest.mark.skipif(_fastfold is None, reason="C kernel not built")

TEXTS = [
    "",
    "a",
    " ",
    "ivory bangle for sale, dm me",
    "tiger_bone wine 500ml x2 !!!",
    "___",
    "_a_ b__c",
    "1234 5678 90",
    "!!! ... ??? -- ,,,",
    "عاج فيل للبيع بسعر جيد",
    "象牙手镯出售 微信 abc123",
    "ขายงาช้างแท้ ราคาถูก ไม้แกะสลัก",
    "bán sừng tê giác thật, giá rẻ",
    "🐯🐯 tiger 🐘 ivory 𝔞𝔟𝔠 𠀀𠀁",
    "x²³ ½ Ⅻ ٣٤٥ ０１２ ＡＢＣ",
    "e\u0301le\u0300ve  double  space\ttab\nnewline",
    "a" * 700 + " " + "b" * 3,
    " ".join(f"w{i}" for i in range(300)),
]
PARAMS = [(1, 1, 0), (2, 5, 1), (1, 3, 2), (3, 6, 3), (2, 2, 4), (4, 4, 1)]


def _weights(n_features: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=n_features)


def _fnv1a32(data: bytes) -> int:
    value = 2166136261
    for byte in data:
        value = ((value ^ byte) * 16777619) % 2**32
    return value


def _word_bucket(words: list[str], mask: int) -> int:
    """The new word hash written out from its description, independently of the module."""
    return _fnv1a32(("\x01" + " ".join(words)).encode("utf-32-le")) & mask


def _agree(got: tuple[float, int, float, int], want: tuple[float, int, float, int]) -> None:
    assert got[1] == want[1] and got[3] == want[3]
    assert got[0] == pytest.approx(want[0], rel=1e-9, abs=1e-12)
    assert got[2] == pytest.approx(want[2], rel=1e-9, abs=1e-12)


@needs_kernel
@pytest.mark.parametrize("n_features", [2**10, 2**18])
@pytest.mark.parametrize(("n_min", "n_max", "word_ngrams"), PARAMS)
@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_kernel_agrees_with_the_python_definition(text: str, n_min: int, n_max: int,
                                                  word_ngrams: int, n_features: int) -> None:
    weights = _weights(n_features)
    got = _fastfold.hashed_dot(text, n_min, n_max, word_ngrams, n_features, weights)
    _agree(got, _hashed_dot_py(text, n_min, n_max, word_ngrams, n_features, weights))


@needs_kernel
@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120), st.integers(1, 3), st.integers(0, 3), st.integers(0, 3))
def test_kernel_agrees_on_any_text(text: str, n_min: int, extra: int, word_ngrams: int) -> None:
    weights = _weights(2**12, seed=1)
    got = _fastfold.hashed_dot(text, n_min, n_min + extra, word_ngrams, 2**12, weights)
    _agree(got, _hashed_dot_py(text, n_min, n_min + extra, word_ngrams, 2**12, weights))


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_sums_are_over_the_buckets_the_index_functions_give(text: str) -> None:
    """What the model's matrix path sees (``ngram_indices``, ``word_indices``) is what the
    hot path sums, counts included."""
    weights = _weights(2**12, seed=2)
    chars, n_chars, words, n_words = hashed_dot(text, 2, 5, 2, 2**12, weights)
    char_buckets = ngram_indices(text, 2, 5, 2**12)
    word_buckets = word_indices(text, 2, 2**12)
    assert n_chars == len(char_buckets) == len(_ngram_indices_py(text, 2, 5, 2**12))
    n = len(re.findall(r"\w+", text))
    assert n_words == len(word_buckets) == n + max(n - 1, 0)
    assert chars == pytest.approx(float(weights[char_buckets].sum()), rel=1e-9, abs=1e-12)
    assert words == pytest.approx(float(weights[word_buckets].sum()), rel=1e-9, abs=1e-12)


def test_word_hash_follows_its_description() -> None:
    """1-grams left to right, then 2-grams; FNV-1a 32 over code points of U+0001 + words."""
    mask = 2**20 - 1
    text = "Tiger_bone, 象牙 ๒ x²!"
    words = ["Tiger_bone", "象牙", "๒", "x²"]  # \w: underscores, CJK, Thai digit, superscript
    assert re.findall(r"\w+", text) == words
    expected = [_word_bucket([w], mask) for w in words] + [
        _word_bucket(words[i:i + 2], mask) for i in range(3)]
    assert word_indices(text, 2, 2**20).tolist() == expected
    assert word_indices(text, 0, 2**20).tolist() == []


@needs_kernel
@pytest.mark.parametrize(("text", "word"), [
    ("foo_bar", "foo_bar"),       # an underscore joins
    ("!!x²!!", "x²"),             # a superscript digit is a word character
    ("🐯tiger🐯", "tiger"),       # emoji are not
    ("𝔞𝔟𝔠", "𝔞𝔟𝔠"),             # astral letters are
    ("ไม้", None),                # a Thai tone mark (Mn) splits the word, as in re
])
def test_kernel_finds_words_as_re_does(text: str, word: str | None) -> None:
    """A weight only on one word's bucket: the kernel sums it exactly when re finds the word."""
    n_features = 2**20
    weights = np.zeros(n_features)
    target = word if word is not None else text
    weights[_word_bucket([target], n_features - 1)] = 1.0
    _, _, words, n_words = _fastfold.hashed_dot(text, 1, 1, 1, n_features, weights)
    assert n_words == len(re.findall(r"\w+", text))
    assert words == (1.0 if word is not None else 0.0)


def test_python_fallback_gives_the_same_sums(monkeypatch: pytest.MonkeyPatch) -> None:
    weights = _weights(2**10, seed=3)
    with_kernel = [hashed_dot(text, 2, 4, 2, 2**10, weights) for text in TEXTS]
    monkeypatch.setattr(ngrams, "_fastfold", None)
    for text, got in zip(TEXTS, with_kernel, strict=True):
        _agree(hashed_dot(text, 2, 4, 2, 2**10, weights), got)


def test_read_only_weights_are_enough() -> None:
    weights = _weights(2**10)
    weights.setflags(write=False)
    assert hashed_dot("ivory", 1, 2, 1, 2**10, weights)[1] == 13


_IMPLEMENTATIONS = [pytest.param(_hashed_dot_py, id="python"),
                    pytest.param(getattr(_fastfold, "hashed_dot", None), id="c",
                                 marks=needs_kernel)]


@pytest.mark.parametrize("implementation", _IMPLEMENTATIONS)
@pytest.mark.parametrize(("args", "message"), [
    ((0, 2, 0, 64, np.zeros(64)), "n_min"),
    ((3, 2, 0, 64, np.zeros(64)), "n_min"),
    ((1, 2, -1, 64, np.zeros(64)), "word_ngrams"),
    ((1, 2, 0, 48, np.zeros(48)), "power of 2"),
    ((1, 2, 0, 1, np.zeros(1)), "power of 2"),
    ((1, 2, 0, 0, np.zeros(0)), "power of 2"),
    ((1, 2, 0, 64, np.zeros(32)), "64"),
    ((1, 2, 0, 64, np.zeros(64, dtype=np.float32)), "float64"),
    ((1, 2, 0, 64, np.zeros(64, dtype=np.int64)), "float64"),
    ((1, 2, 0, 64, np.zeros(64, dtype=">f8")), "float64"),
    ((1, 2, 0, 64, np.zeros((8, 8))), "dimension"),
])
def test_bad_arguments_raise_value_error(implementation, args: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        implementation("some text", *args)


@needs_kernel
def test_kernel_refuses_strided_weights() -> None:
    with pytest.raises(ValueError):
        _fastfold.hashed_dot("some text", 1, 2, 0, 64, np.zeros(128)[::2])
    with pytest.raises(TypeError):
        _fastfold.hashed_dot(b"bytes", 1, 2, 0, 64, np.zeros(64))


def _word_model(word_ngrams: int) -> ListingModel:
    rng = np.random.default_rng(7)
    return ListingModel(
        version="test", n_features=2**14, ngram_min=2, ngram_max=4,
        coef_text=rng.normal(scale=0.5, size=2**14),
        coef_rules=rng.normal(size=len(RULE_FEATURES)), intercept=0.2,
        calibration=(-1.3, 0.1), word_ngrams=word_ngrams, word_weight=0.7,
    )


@pytest.mark.parametrize("word_ngrams", [1, 2])
def test_probability_equals_the_matrix_path(word_ngrams: int) -> None:
    model = _word_model(word_ngrams)
    rules = np.random.default_rng(8).normal(scale=0.3, size=(len(TEXTS), len(RULE_FEATURES)))
    expected = model.calibrate(model.margins(TEXTS, rules))
    got = np.array([model.probability(text, rules[i]) for i, text in enumerate(TEXTS)])
    assert np.allclose(got, expected, rtol=1e-9, atol=1e-12)
    # Not a trivial agreement: the probabilities spread, and words move them.
    assert np.ptp(got) > 0.1
    no_words = _word_model(0)
    plain = np.array([no_words.probability(text, rules[i]) for i, text in enumerate(TEXTS)])
    assert np.max(np.abs(plain - got)) > 1e-3


def test_text_features_use_the_new_word_hash() -> None:
    n_features = 2**16
    row = text_features(["ivory bangle"], n_features, 2, 3, word_ngrams=2, word_weight=0.5)
    columns = set(row.indices.tolist())
    for words in (["ivory"], ["bangle"], ["ivory", "bangle"]):
        assert _word_bucket(words, n_features - 1) in columns
    # Word values are word_weight / sqrt(3 word n-grams), beside the character n-grams'.
    assert row[0, _word_bucket(["ivory", "bangle"], n_features - 1)] >= 0.5 / math.sqrt(3)


def test_save_records_the_word_hash_and_loads_back(tmp_path: Path) -> None:
    model = _word_model(2)
    path = tmp_path / "model.json"
    model.save(path)
    assert json.loads(path.read_text(encoding="utf-8"))["hashing"]["word_hash"] == WORD_HASH
    loaded = ListingModel.load(path)
    rules = np.zeros(len(RULE_FEATURES))
    assert loaded.word_ngrams == 2
    assert loaded.probability("ivory bangle", rules) == pytest.approx(
        model.probability("ivory bangle", rules), abs=1e-4)  # weights saved to 6 decimals


def _rewrite_word_hash(path: Path, word_hash: str | None) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    if word_hash is None:
        del document["hashing"]["word_hash"]
    else:
        document["hashing"]["word_hash"] = word_hash
    path.write_text(json.dumps(document), encoding="utf-8")


@pytest.mark.parametrize("word_hash", ["crc32 of 0x01 + words joined by a space, utf-8", None])
def test_load_refuses_a_word_model_with_another_word_hash(tmp_path: Path,
                                                          word_hash: str | None) -> None:
    path = tmp_path / "model.json"
    _word_model(1).save(path)
    _rewrite_word_hash(path, word_hash)
    with pytest.raises(KeepwildError, match="another word hash; retrain it"):
        ListingModel.load(path)


def test_load_accepts_any_word_hash_without_word_ngrams(tmp_path: Path) -> None:
    """The shipped model (no word n-grams) records the old CRC-32 description: still fine."""
    path = tmp_path / "model.json"
    _word_model(0).save(path)
    _rewrite_word_hash(path, "crc32 of 0x01 + words joined by a space, utf-8")
    assert ListingModel.load(path).word_ngrams == 0


def test_shipped_model_probability_equals_its_matrix_path() -> None:
    model = ListingModel.load()
    rules = np.random.default_rng(9).uniform(size=(len(TEXTS), len(RULE_FEATURES)))
    expected = model.calibrate(model.margins(TEXTS, rules))
    got = np.array([model.probability(text, rules[i]) for i, text in enumerate(TEXTS)])
    assert np.allclose(got, expected, rtol=1e-9, atol=1e-12)
