"""The lexicon as one value: a version, its species and its terms."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from keepwild.lexicon.schema import Species, Term
from keepwild.text.fold import fold

__all__ = ["Lexicon", "term_key"]


def term_key(term: Term) -> tuple[str, str]:
    """Identity of a term: its language and folded spelling (what the matcher sees)."""
    return term.lang, " ".join(fold(term.term).split())


@dataclass(frozen=True)
class Lexicon:
    """An immutable lexicon release. Edit by building a new one (``with_terms``)."""

    version: str
    species: dict[str, Species] = field(default_factory=dict)
    terms: tuple[Term, ...] = ()
    changelog: str = ""

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def matchable(self) -> Iterator[Term]:
        """Terms the scanner compiles: everything not retired."""
        return (t for t in self.terms if t.is_matchable)

    def with_terms(self, terms: Iterable[Term], *, version: str | None = None) -> Lexicon:
        return Lexicon(
            version=version or self.version,
            species=self.species,
            terms=tuple(terms),
            changelog=self.changelog,
        )

    def by_key(self) -> dict[tuple[str, str], Term]:
        """Terms indexed by :func:`term_key` (the last one wins on a duplicate)."""
        return {term_key(t): t for t in self.terms}
