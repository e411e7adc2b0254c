"""Counts that tell curators and the secretariat how complete the lexicon is."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from keepwild.lexicon.model import Lexicon, term_key
from keepwild.lexicon.schema import CATEGORIES, ITEM_KINDS, LANGUAGES, Status

__all__ = ["LexiconStats", "lexicon_stats"]


@dataclass(frozen=True)
class LexiconStats:
    version: str
    species: int
    distinct_active: int
    by_status: dict[str, int]
    by_language: dict[str, int]  # distinct active terms per language
    cells: dict[tuple[str, str, str], int]  # (lang, kind, category) -> active terms
    missing_categories: dict[str, list[str]]  # lang -> categories without an active item term


def lexicon_stats(lexicon: Lexicon) -> LexiconStats:
    active = [t for t in lexicon.terms if t.status == Status.ACTIVE]
    keys = {term_key(t) for t in active}
    by_language = Counter(lang for lang, _ in keys)
    cells = Counter((t.lang, t.kind, t.category or "-") for t in active)
    present: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    for term in active:
        if term.kind in ITEM_KINDS and term.lang in present:
            present[term.lang].add(term.category)
    missing = {
        lang: [c for c in CATEGORIES if c not in found]
        for lang, found in present.items()
        if len(found) < len(CATEGORIES)
    }
    return LexiconStats(
        version=lexicon.version,
        species=len(lexicon.species),
        distinct_active=len(keys),
        by_status=dict(Counter(t.status for t in lexicon.terms)),
        by_language={lang: by_language.get(lang, 0) for lang in LANGUAGES},
        cells=dict(cells),
        missing_categories=missing,
    )
