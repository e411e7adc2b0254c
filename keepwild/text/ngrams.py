"""Hashed character n-grams: the learned model's view of a text.

Every n-gram (``n_min`` to ``n_max`` characters) of the text padded with a space at each end is
hashed with 32-bit FNV-1a over its code points and folded into ``n_features`` buckets. The C
kernel computes this in microseconds per listing, where a general-purpose vectorizer costs most
of a millisecond; the Python function below is the definition and the fallback, and a test
checks both agree. Features are counts divided by the square root of the number of n-grams, so
long and short listings weigh alike.
"""

from __future__ import annotations

import numpy as np

from keepwild.text.views import _fastfold

__all__ = ["ngram_indices"]

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
