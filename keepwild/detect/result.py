"""What a scan returns: a verdict with its score, and the evidence that explains it.

Matches and reasons are named tuples: immutable like frozen dataclasses, but built several
times faster, which matters because every scanned listing gets one.
"""

from __future__ import annotations

from collections.abc import Collection
from operator import itemgetter
from typing import Any, NamedTuple

from keepwild.text.langid import detect_language

__all__ = ["Match", "Reason", "ScanResult", "Unidentified"]


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


#: A text whose language is identified when asked for, with the languages evidence points to.
Unidentified = tuple[str, Collection[str]]


class ScanResult(tuple):  # type: ignore[type-arg]
    """The outcome of scanning one listing: read it through its attributes, or ``to_dict()``.

    Immutable, and as cheap to build as a named tuple. ``language`` is identified when read,
    unless the listing came with its ``lang``: the verdict does not depend on it, and
    identifying it costs more than scanning a clean listing, so a platform re-scanning its
    catalogue for verdicts does not pay for it.
    """

    __slots__ = ()

    def __new__(
        cls,
        id: str,
        verdict: str,
        score: float,
        categories: tuple[str, ...],
        species: tuple[str, ...],
        language: str | Unidentified,
        matches: tuple[Match, ...],
        reasons: tuple[Reason, ...],
        policy: str,
        lexicon_version: str,
    ) -> ScanResult:
        return tuple.__new__(cls, (id, verdict, score, categories, species, language, matches,
                                   reasons, policy, lexicon_version))

    id: str = property(itemgetter(0))  # type: ignore[assignment]
    verdict: str = property(itemgetter(1))  # type: ignore[assignment]  # block|review|allow
    score: float = property(itemgetter(2))  # type: ignore[assignment]
    categories: tuple[str, ...] = property(itemgetter(3))  # type: ignore[assignment]
    species: tuple[str, ...] = property(itemgetter(4))  # type: ignore[assignment]
    matches: tuple[Match, ...] = property(itemgetter(6))  # type: ignore[assignment]
    reasons: tuple[Reason, ...] = property(itemgetter(7))  # type: ignore[assignment]
    policy: str = property(itemgetter(8))  # type: ignore[assignment]
    lexicon_version: str = property(itemgetter(9))  # type: ignore[assignment]

    @property
    def language(self) -> str:
        """ISO 639-1 code of the listing's language, or ``"und"`` (identified on each read when
        the scan did not need it: read it once)."""
        language = self[5]
        return language if isinstance(language, str) else detect_language(*language)

    @property
    def flagged(self) -> bool:
        return self[1] != "allow"

    def _values(self) -> tuple[Any, ...]:
        return (*self[:5], self.language, *self[6:])

    def _replace(self, **changes: Any) -> ScanResult:
        """A copy with some fields changed (as on a named tuple)."""
        fields = dict(zip(_RESULT_FIELDS, self._values()))
        unknown = set(changes) - fields.keys()
        if unknown:
            raise TypeError(f"ScanResult has no field(s) {sorted(unknown)}")
        fields.update(changes)
        return ScanResult(**fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ScanResult):
            return NotImplemented
        return self._values() == other._values()

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self._values())

    def __getnewargs__(self) -> tuple[Any, ...]:
        """What ``pickle`` passes back to ``__new__``: results cross process boundaries
        (multiprocessing, batch workers) as they are, a pending language included."""
        return tuple(self)

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={value!r}"
                          for name, value in zip(_RESULT_FIELDS, self._values()))
        return f"ScanResult({inner})"

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


_RESULT_FIELDS = ("id", "verdict", "score", "categories", "species", "language", "matches",
                  "reasons", "policy", "lexicon_version")
