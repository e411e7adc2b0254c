"""What a scan returns: a verdict with its score, and the evidence that explains it.

Results are named tuples: immutable like frozen dataclasses, but built several times faster,
which matters because every scanned listing gets one.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["Match", "Reason", "ScanResult"]


class Match(NamedTuple):
    """A lexicon term found in a listing, located in the text the seller wrote.

    ``start``/``end`` index the original value of ``field`` (Python string offsets), so
    ``listing.<field>[start:end] == text`` always holds.
    """

    term: str
    kind: str
    category: str
    lang: str
    field: str
    start: int
    end: int
    text: str
    weight: float
    status: str
    obfuscation: tuple[str, ...] = ()
    excused_by: str | None = None


class Reason(NamedTuple):
    """One rule that fired, in words a moderator can read."""

    rule: str
    detail: str
    category: str | None = None


class ScanResult(NamedTuple):
    """The outcome of scanning one listing."""

    id: str
    verdict: str  # block | review | allow
    score: float
    categories: tuple[str, ...]
    species: tuple[str, ...]
    language: str
    matches: tuple[Match, ...]
    reasons: tuple[Reason, ...]
    policy: str
    lexicon_version: str

    @property
    def flagged(self) -> bool:
        return self.verdict != "allow"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the CLI's and the API's output record)."""
        return {
            "id": self.id,
            "verdict": self.verdict,
            "score": round(self.score, 4),
            "categories": list(self.categories),
            "species": list(self.species),
            "language": self.language,
            "matches": [
                {**m._asdict(), "obfuscation": list(m.obfuscation)} for m in self.matches
            ],
            "reasons": [r._asdict() for r in self.reasons],
            "policy": self.policy,
            "lexicon_version": self.lexicon_version,
        }
