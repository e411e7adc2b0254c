"""The robust view: leetspeak, separators and stretched letters undone, with exact spans."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepwild.text.fold import fold
from keepwild.text.robust import needs_robust, robust, robust_spans
from keepwild.text.views import fold_views


@pytest.mark.parametrize(
    ("written", "view"),
    [
        ("1v0ry", "ivory"),
        ("p@ng0lin", "pangolin"),
        ("r.h.i.n.o", "rhino"),
        ("i v o r y", "ivory"),
        ("r-h-i-n-o", "rhino"),
        ("ivoooory", "ivory"),
        ("ivory", "ivory"),
        ("parrot", "parrot"),  # doubled letters are kept
        ("象 牙", "象牙"),
        ("ขายงาาาช้าง", "ขายงาช้าง"),
    ],
)
def test_robust_view(written: str, view: str) -> None:
    assert robust(fold(written)) == view


@settings(max_examples=400)
@given(st.text(alphabet=st.sampled_from("abcio0135@$!|l .-_\n象牙ขาย"), max_size=60))
def test_fast_and_mapped_views_agree(text: str) -> None:
    folded = fold(text)
    view, spans = robust_spans(folded)
    assert view == robust(folded)
    assert len(spans) == len(view)
    assert all(0 <= a < b <= len(folded) for a, b in spans)
    assert spans == sorted(spans)


@settings(max_examples=500)
@given(st.text())
def test_c_kernel_agrees_with_the_python_definition(text: str) -> None:
    from keepwild.text.views import _fold_views_py, fold_views

    assert fold_views(text) == _fold_views_py(text)


def test_c_kernel_is_built() -> None:
    """The install builds the kernel (gcc is part of the supported setup); scanning at the
    documented speed depends on it."""
    from keepwild.text.views import HAS_C_KERNEL

    assert HAS_C_KERNEL


@settings(max_examples=200)
@given(st.text(max_size=80), st.integers(1, 3), st.integers(0, 3))
def test_ngram_kernel_agrees_with_the_python_definition(text: str, n_min: int, extra: int
                                                        ) -> None:
    import numpy as np

    from keepwild.text.ngrams import _ngram_indices_py, ngram_indices

    expected = _ngram_indices_py(text, n_min, n_min + extra, 2**16)
    assert np.array_equal(ngram_indices(text, n_min, n_min + extra, 2**16), expected)


@settings(max_examples=300)
@given(st.text())
def test_piece_lengths_kernel_agrees_with_the_pieces(text: str) -> None:
    from keepwild.text.fold import piece
    from keepwild.text.views import piece_lengths

    assert list(piece_lengths(text)) == [len(piece(c)) for c in text]


@pytest.mark.parametrize("folded, expected", [
    ("c@o h0 c0t 100g", True),  # a symbol or digit between two letters, even in short words
    ("1v0ry bangle", True),
    ("r.h.i.n.o", True),
    ("stretched ivoooory", True),
    ("bekko发簪", True),  # a Latin word run into Chinese
    ("sung t.e giac", True),
    ("price 1.5 or 2-3 pieces", False),
    ("象牙手镯 iphone 手机", False),
    ("4cm mini, mp3 player, 100g", False),  # units and model names are not disguises
    ("plain listing of a bicycle", False),
])
def test_needs_robust_signs(folded: str, expected: bool) -> None:
    assert needs_robust(folded) is expected
    assert (fold_views(folded)[1] is not None) is expected  # the C kernel applies the same rules
