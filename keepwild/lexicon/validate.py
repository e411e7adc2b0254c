"""Checks a lexicon before it ships: every problem names the entry and says what is wrong.

Errors stop a release: unknown languages, kinds, categories or statuses; duplicates after
folding; terms that would match almost everything (too short, stop words once folded, bare
colours and materials as triggers; benign phrases may be materials: ``plastic``); a missing
source; a species that is not in the species table. Warnings ask a curator to look:
an item term that contains a benign phrase of its own language, a species term without a taxon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import stopwordsiso

from keepwild.lexicon.model import Lexicon, term_key
from keepwild.lexicon.schema import (
    CATEGORIES,
    CITES_APPENDICES,
    ITEM_KINDS,
    LANGUAGES,
    SPECIES_GROUPS,
    Boundary,
    Kind,
    Status,
    Term,
)
from keepwild.text.fold import fold

__all__ = ["Issue", "validate"]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_KINDS = {k.value for k in Kind}
_STATUSES = {s.value for s in Status}
_BOUNDARIES = {b.value for b in Boundary}


@dataclass(frozen=True, slots=True)
class Issue:
    level: str  # "error" or "warning"
    entry: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.entry}: {self.message}"


def _name(term: Term) -> str:
    return f"{term.lang} {term.kind} {term.term!r}"


@lru_cache(maxsize=None)
def _stop_words(lang: str) -> frozenset[str]:
    if not stopwordsiso.has_lang(lang):
        return frozenset()
    return frozenset(" ".join(fold(w).split()) for w in stopwordsiso.stopwords(lang))


def _stop_word_languages(key: str) -> set[str]:
    """The languages in which ``key`` (folded) is a stop word."""
    return {lang for lang in LANGUAGES if key in _stop_words(lang)}


@lru_cache(maxsize=1)
def _too_general() -> dict[str, frozenset[str]]:
    text = files("keepwild.lexicon").joinpath("rules/too_general.tsv").read_text("utf-8")
    table: dict[str, frozenset[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            lang, words = line.split("\t")
            table[lang] = frozenset(fold(w).strip() for w in words.split(","))
    return table


def _letters(key: str) -> int:
    return sum(c.isalnum() for c in key)


def _is_unspaced(key: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" or "\u0e00" <= c <= "\u0e7f" for c in key)


def _term_issues(term: Term, lexicon: Lexicon) -> list[Issue]:
    issues: list[Issue] = []
    name = _name(term)

    def error(message: str) -> None:
        issues.append(Issue("error", name, message))

    if term.lang not in LANGUAGES:
        error(f"unknown language {term.lang!r} (known: {', '.join(LANGUAGES)})")
    if term.kind not in _KINDS:
        error(f"unknown kind {term.kind!r} (known: {', '.join(sorted(_KINDS))})")
    if term.status not in _STATUSES:
        error(f"unknown status {term.status!r} (known: {', '.join(sorted(_STATUSES))})")
    if term.boundary and term.boundary not in _BOUNDARIES:
        error(f"unknown boundary {term.boundary!r} (known: {', '.join(sorted(_BOUNDARIES))})")
    if term.kind in ITEM_KINDS and term.category not in CATEGORIES:
        error(f"unknown or missing category {term.category!r} (known: {', '.join(CATEGORIES)})")
    elif term.kind in (Kind.BENIGN, Kind.PART) and term.category and term.category not in CATEGORIES:
        error(f"unknown category {term.category!r}")
    elif term.kind in (Kind.SALE, Kind.CONTACT, Kind.NEGATION) and term.category:
        error(f"a {term.kind} term takes no category (has {term.category!r})")
    if not 0.05 <= term.weight <= 1.0:
        error(f"weight {term.weight} is outside 0.05-1.0")
    if not term.source:
        error("missing source: say where the term was reported or comes from")
    if not _DATE.fullmatch(term.added):
        error(f"'added' must be a date YYYY-MM-DD, not {term.added!r}")
    if term.tp < 0 or term.fp < 0:
        error("tp and fp counts cannot be negative")
    if term.species and term.species not in lexicon.species:
        error(f"species {term.species!r} is not in species.csv")
    if term.kind == Kind.SPECIES and not term.species:
        issues.append(Issue("warning", name, "species term without a scientific name"))

    _, key = term_key(term)
    if term.kind != Kind.NEGATION and term.status != Status.RETIRED:
        minimum = 2 if _is_unspaced(key) else 3
        if _letters(key) < minimum:
            error(f"too short to match safely (needs {minimum}+ letters)")
        elif key in _stop_words(term.lang):
            error(f"reads {key!r} once folded, a stop word that would match almost every listing")
        elif term.kind == Kind.PART and (others := _stop_word_languages(key) - {term.lang}):
            # Part words apply beside any species name, whatever the listing's language: English
            # "fur" would read German "für" in every German sentence that names an animal.
            error(f"reads {key!r} once folded, a stop word in {', '.join(sorted(others))}")
        elif term.kind not in (Kind.BENIGN, Kind.PART) and key in _too_general().get(
            term.lang, ()
        ):
            error("too general on its own (a bare colour or material); use a phrase")
    return issues


def _species_issues(lexicon: Lexicon) -> list[Issue]:
    issues = []
    for item in lexicon.species.values():
        name = f"species {item.scientific_name!r}"
        if item.cites_appendix not in CITES_APPENDICES:
            issues.append(Issue("error", name, f"CITES appendix {item.cites_appendix!r}"))
        if item.category not in CATEGORIES:
            issues.append(Issue("error", name, f"unknown category {item.category!r}"))
        if item.group not in SPECIES_GROUPS:
            issues.append(Issue("error", name, f"unknown group {item.group!r}"))
        if not item.source:
            issues.append(Issue("error", name, "missing source"))
    return issues


def validate(lexicon: Lexicon) -> list[Issue]:
    """Every error and warning in ``lexicon``, errors first."""
    issues = _species_issues(lexicon)
    seen: dict[tuple[str, str], Term] = {}
    benign: dict[str, list[str]] = {}
    for term in lexicon.terms:
        issues.extend(_term_issues(term, lexicon))
        key = term_key(term)
        if key in seen:
            issues.append(Issue(
                "error", _name(term),
                f"duplicate of {_name(seen[key])} after folding (both read {key[1]!r})",
            ))
        else:
            seen[key] = term
        if term.kind == Kind.BENIGN and term.is_matchable:
            benign.setdefault(term.lang, []).append(key[1])
    for term in lexicon.terms:
        if term.kind not in ITEM_KINDS or not term.is_matchable:
            continue
        _, key = term_key(term)
        padded = f" {key} "
        for phrase in benign.get(term.lang, ()):
            inside = phrase in key if _is_unspaced(phrase) else f" {phrase} " in padded
            if inside:
                issues.append(Issue(
                    "warning", _name(term), f"contains the benign phrase {phrase!r}: it will "
                    "excuse itself",
                ))
    issues.sort(key=lambda i: i.level != "error")
    return issues
