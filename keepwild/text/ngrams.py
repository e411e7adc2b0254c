"""Hashed character n-grams: the learned model's view of a text.

Every n-gram (``n_min`` to ``n_max`` characters) of the text padded with a space at each end is
hashed with 32-bit FNV-1a over its code points and folded into ``n_features`` buckets. The C
kernel computes this in microseconds per listing, where a general-purpose vectorizer costs most
of a millisecond; the Python function below is the definition and the fallback, and a test
checks both agree. Features are counts divided by the square root of the number of n-grams, so
long and short listings weigh alike.

Word n-grams (:func:`word_indices`) use the same hash over the words joined by a space, behind a
U+0001 mark, so C can compute them too. :func:`hashed_dot` is the model's hot path: it sums the
weights of all those buckets in C without building an index array, a few microseconds per
listing where indices, ``take`` and a sum cost several times that.
"""

from __future__ import annotations

import re

import numpy as np

from keepwild.text.views import _fastfold

__all__ = ["ngram_indices", "word_indices", "word_spans", "hashed_dot", "WORD_HASH"]

_FNV_OFFSET = 2166136261
_FNV_PRIME = 16777619


def _ngram_indices_py(text: str, n_min: int, n_max: int, n_features: int) -> np.ndarray:
    if n_min < 1 or n_max < n_min or n_features < 2 or n_features & (n_features - 1):
        raise ValueError("need 1 <= n_min <= n_max and n_features a power of 2")
    padded = f" {text} "
    mask = n_features - 1
    indices: list[int] = []
    for start in range(len(padded)):
        value = _FNV_OFFSET
        for n in range(1, n_max + 1):
            if start + n > len(padded):
                break
            code = ord(padded[start + n - 1])
            for byte in range(4):
                value ^= (code >> (8 * byte)) & 0xFF
                value = (value * _FNV_PRIME) & 0xFFFFFFFF
            if n >= n_min:
                indices.append(value & mask)
    return np.asarray(indices, dtype=np.uint32)


def ngram_indices(text: str, n_min: int, n_max: int, n_features: int) -> np.ndarray:
    """The hashed n-gram bucket of every n-gram of ``text``, in order (duplicates kept)."""
    if _fastfold is None:
        return _ngram_indices_py(text, n_min, n_max, n_features)
    raw = _fastfold.ngram_indices(text, n_min, n_max, n_features)
    return np.frombuffer(raw, dtype="<u4")


#: What :func:`word_indices` hashes; model files record it so a model trained on other word
#: buckets is refused rather than silently misread.
WORD_HASH = "fnv1a32-codepoints of U+0001 + words joined by a space"
#: Words: on a str, re's \w matches "_" and the characters ``str.isalnum()`` accepts, the test
#: the C kernel makes (Py_UNICODE_ISALNUM).
_WORD = re.compile(r"\w+")


def _fnv1a_codepoints(text: str) -> int:
    """32-bit FNV-1a over the code points of ``text``, 4 bytes little-endian each."""
    value = _FNV_OFFSET
    for byte in text.encode("utf-32-le", "surrogatepass"):
        value = ((value ^ byte) * _FNV_PRIME) & 0xFFFFFFFF
    return value


def _check(n_features: int, word_ngrams: int) -> None:
    if word_ngrams < 0:
        raise ValueError(f"need word_ngrams >= 0 (got {word_ngrams})")
    if n_features < 2 or n_features & (n_features - 1) or n_features > 2**32:
        raise ValueError(f"need n_features a power of 2 from 2 to 2**32 (got {n_features})")


def word_spans(text: str) -> list[tuple[int, int]]:
    """Where the words :func:`word_indices` hashes are in ``text``, in order."""
    return [match.span() for match in _WORD.finditer(text)]


def word_indices(text: str, word_ngrams: int, n_features: int) -> np.ndarray:
    """The hashed bucket of every word 1- to ``word_ngrams``-gram of ``text``: all 1-grams left
    to right, then all 2-grams, and so on (duplicates kept; empty when ``word_ngrams`` is 0).

    Words are what ``re`` finds as ``\\w+`` in the str. An n-gram is its words joined by one
    space, after a U+0001 mark so that a word does not hash like the same characters taken as a
    character n-gram. It is hashed as character n-grams are (FNV-1a 32 over code points), so the
    C kernel can hash it in place; the CRC-32 of UTF-8 used before needed a bytes object per
    n-gram."""
    _check(n_features, word_ngrams)
    if word_ngrams == 0:
        return np.zeros(0, dtype=np.uint32)
    words = _WORD.findall(text)
    mask = n_features - 1
    out = [_fnv1a_codepoints("\x01" + " ".join(words[i:i + n])) & mask
           for n in range(1, word_ngrams + 1) for i in range(len(words) - n + 1)]
    return np.asarray(out, dtype=np.uint32)


def _hashed_dot_py(text: str, n_min: int, n_max: int, word_ngrams: int, n_features: int,
                   weights: np.ndarray) -> tuple[float, int, float, int]:
    if n_min < 1 or n_max < n_min:
        raise ValueError(f"need 1 <= n_min <= n_max (got n_min={n_min}, n_max={n_max})")
    _check(n_features, word_ngrams)
    weights = np.asarray(weights)
    if weights.dtype != np.float64:
        raise ValueError(f"weights must be float64 (got {weights.dtype.str})")
    if weights.ndim != 1:
        raise ValueError(f"weights must be one-dimensional (got {weights.ndim} dimensions)")
    if len(weights) != n_features:
        raise ValueError(f"weights has {len(weights)} values, need n_features = {n_features}")
    chars = _ngram_indices_py(text, n_min, n_max, n_features)
    words = word_indices(text, word_ngrams, n_features)
    # Plain sums in n-gram order, as the kernel adds them.
    return (sum(weights[chars].tolist(), 0.0), len(chars),
            sum(weights[words].tolist(), 0.0), len(words))


def hashed_dot(text: str, n_min: int, n_max: int, word_ngrams: int, n_features: int,
               weights: np.ndarray) -> tuple[float, int, float, int]:
    """``(char_sum, char_count, word_sum, word_count)``: ``weights`` (n_features float64)
    summed over the buckets :func:`ngram_indices` and :func:`word_indices` give ``text``, and
    how many there are.

    This is what the model needs from a listing's n-grams, and the C kernel computes it in one
    pass with no index array, so the model can afford to score every listing. Without the
    kernel the same sums come from the Python definitions (a test checks they agree)."""
    if _fastfold is None:
        return _hashed_dot_py(text, n_min, n_max, word_ngrams, n_features, weights)
    return _fastfold.hashed_dot(  # type: ignore[no-any-return]
        text, n_min, n_max, word_ngrams, n_features, weights)
