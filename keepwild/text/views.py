"""Both matchable views of a text in one call: the folded text and its robust view.

The robust view is ``None`` when the folded text shows no sign of a disguise it could undo
(:func:`keepwild.text.robust.needs_robust`): most listings then need a single index scan.

This is the scanning hot path. A small C kernel (``_fastfold``, built at install time)
computes both views in one pass; without it, the same views come from the Python definitions
in :mod:`keepwild.text.fold` and :mod:`keepwild.text.robust`, which remain the specification
(a property test checks that both paths agree).
"""

from __future__ import annotations

from functools import lru_cache

from keepwild.text.fold import fold, fold_table
from keepwild.text.robust import needs_robust, robust, robust_byte_table

try:
    from keepwild.text import _fastfold
except ImportError:  # no compiler at install time: the Python path below is used
    _fastfold = None

__all__ = ["fold_views", "piece_lengths", "HAS_C_KERNEL"]

HAS_C_KERNEL = _fastfold is not None


@lru_cache(maxsize=1)
def _kernel_tables() -> tuple[list[str | None], bytes]:
    """The BMP piece cache the kernel fills as it meets characters, and the robust map."""
    return [None] * 0x10000, robust_byte_table()


def _fold_views_c(text: str) -> tuple[str, str | None]:
    pieces, robust_map = _kernel_tables()
    return _fastfold.fold_views(text, pieces, fold_table(), robust_map)  # type: ignore[union-attr]


def _fold_views_py(text: str) -> tuple[str, str | None]:
    folded = fold(text)
    return folded, robust(folded) if needs_robust(folded) else None


fold_views = _fold_views_c if HAS_C_KERNEL else _fold_views_py
fold_views.__doc__ = "``(fold(text), robust(fold(text)) or None)``, computed in one pass."


def piece_lengths(text: str) -> bytes | list[int]:
    """The length of each character's folded piece, in order (for offset maps)."""
    if _fastfold is not None:
        pieces, _ = _kernel_tables()
        return _fastfold.piece_lengths(text, pieces, fold_table())  # type: ignore[no-any-return]
    table = fold_table()
    return list(map(len, map(table.__getitem__, map(ord, text))))
