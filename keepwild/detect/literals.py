"""Literal multi-pattern indexes over bytes: the engines under the matcher.

Both find every occurrence of every pattern (overlaps included) in one pass, in time linear
in the input, and report ``(pattern_id, start, end)`` byte offsets. Patterns are literals, so
no pattern can make a scan slow.

* :class:`HyperscanIndex` (Intel Hyperscan, SIMD) is the default where its wheel exists
  (x86-64): several times faster than a trie walk on large lexicons.
* :class:`AhoCorasickIndex` (pyahocorasick) runs everywhere else.
"""

from __future__ import annotations

from typing import Protocol

import ahocorasick

try:
    import hyperscan
except ImportError:  # no wheel for this platform: the Aho-Corasick index is used
    hyperscan = None

__all__ = ["LiteralIndex", "HyperscanIndex", "AhoCorasickIndex", "build_index"]


class LiteralIndex(Protocol):
    def find(self, data: bytes) -> list[tuple[int, int, int]]:
        """Every ``(pattern_id, start, end)`` occurrence in ``data``."""
        ...


class AhoCorasickIndex:
    """Aho-Corasick automaton over bytes (read as Latin-1, so offsets are byte offsets)."""

    def __init__(self, patterns: list[bytes]) -> None:
        self._automaton = ahocorasick.Automaton()
        for index, pattern in enumerate(patterns):
            key = pattern.decode("latin-1")
            self._automaton.add_word(key, (index, len(key)))
        if patterns:
            self._automaton.make_automaton()
        self._empty = not patterns

    def find(self, data: bytes) -> list[tuple[int, int, int]]:
        if self._empty:
            return []
        return [
            (index, end + 1 - length, end + 1)
            for end, (index, length) in self._automaton.iter(data.decode("latin-1"))
        ]


class HyperscanIndex:
    """Hyperscan block-mode database of literals, reporting leftmost start offsets."""

    def __init__(self, patterns: list[bytes]) -> None:
        if hyperscan is None:
            raise RuntimeError("hyperscan is not installed on this platform")
        self._database = None
        if patterns:
            self._database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            self._database.compile(
                expressions=patterns,
                ids=list(range(len(patterns))),
                elements=len(patterns),
                flags=[hyperscan.HS_FLAG_SOM_LEFTMOST] * len(patterns),
                literal=True,
            )

    def find(self, data: bytes) -> list[tuple[int, int, int]]:
        if self._database is None or not data:
            return []
        found: list[tuple[int, int, int]] = []
        append = found.append

        def on_match(pattern_id: int, start: int, end: int, flags: int, context: object) -> None:
            append((pattern_id, start, end))

        self._database.scan(data, match_event_handler=on_match)
        return found


def build_index(patterns: list[bytes]) -> LiteralIndex:
    """The fastest index available on this machine."""
    if hyperscan is not None:
        return HyperscanIndex(patterns)
    return AhoCorasickIndex(patterns)
