"""Matchable text with an exact way back to the original.

``normalise(text)`` folds a text (see :mod:`keepwild.text.fold`) and keeps what is needed to map
any span of the folded text back to the characters the seller actually wrote. The map is built
only when someone asks for it: most listings match nothing and never pay for it.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from keepwild.text.views import fold_views, piece_lengths

__all__ = ["Normalised", "normalise"]


@dataclass(slots=True)
class Normalised:
    """A folded text, its robust view and the original it came from."""

    original: str
    text: str
    robust: str | None = None  # None: no sign of a disguise, no robust pass needed
    _starts: list[int] | None = field(default=None, repr=False)

    def _piece_starts(self) -> list[int] | None:
        """Start of each original character's piece in ``text`` (None if all pieces are 1 long).

        Computed once, with C-level maps, and only for listings that matched something.
        """
        if self._starts is None:
            if len(self.text) == len(self.original) and self.original.isascii():
                self._starts = []
            else:
                lengths = piece_lengths(self.original)
                uniform = len(self.text) == len(self.original) and lengths.count(1) == len(lengths)
                self._starts = [] if uniform else [0, *accumulate(lengths)]
        return self._starts or None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the folded span ``[start, end)`` to the smallest original span that produced it."""
        starts = self._piece_starts()
        if starts is None:
            return start, end
        # The original character whose piece contains folded position p is the last one whose
        # piece starts at or before p (pieces of length 0 are skipped by bisect_right).
        first = bisect_right(starts, start) - 1
        last = bisect_right(starts, max(end - 1, start)) - 1
        # Combining marks after the last character belong to it (o + U+0302 + U+0309 is ổ)
        # even though they fold to nothing: the span ends after them.
        original = self.original
        while (last + 1 < len(original) and starts[last + 2] == starts[last + 1]
               and unicodedata.category(original[last + 1])[0] == "M"):
            last += 1
        return first, last + 1

    def original_text(self, start: int, end: int) -> str:
        """The original characters behind the folded span ``[start, end)``."""
        a, b = self.to_original(start, end)
        return self.original[a:b]


def normalise(text: str) -> Normalised:
    """Fold ``text`` into its matchable forms, keeping the way back to the original."""
    folded, robust_view = fold_views(text)
    return Normalised(original=text, text=folded, robust=robust_view)
