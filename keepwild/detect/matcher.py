"""The compiled matcher: every lexicon term in two Aho-Corasick automata.

Scanning is linear in the text whatever the lexicon holds: terms are literal strings compiled
into automata (pyahocorasick), never regular expressions, so no curator or partner can ship a
pattern that makes scanning slow.

* The *plain* automaton holds every matchable term in its folded form and runs over the folded
  text; hits are kept when they sit on the boundaries the term asks for.
* The *robust* automaton holds the item terms (species, products, code words) in their robust
  form (:mod:`keepwild.text.robust`) and runs over the robust view, which undoes separators,
  leetspeak and stretched letters. A robust hit that the plain pass did not explain is mapped
  back and accepted only if it really is one disguised term.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass

import ahocorasick

from keepwild.lexicon.model import Lexicon
from keepwild.lexicon.schema import ITEM_KINDS, Boundary, Term
from keepwild.text.fold import fold
from keepwild.text.robust import is_separator, robust, robust_spans

__all__ = ["CompiledTerm", "Hit", "Matcher", "default_boundary"]

# Arabic clitics (folded) that may stand before a word: the article, conjunctions, prepositions.
_ARABIC_CLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف", "ك")
# Robust keys shorter than this (in letters of spaced scripts) would match by accident.
_MIN_ROBUST_LATIN = 4
_MIN_ROBUST_OTHER = 2


def _script_of(text: str) -> str:
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            if name.startswith("CJK") or name.startswith("THAI"):
                return "unspaced"
            if name.startswith("ARABIC"):
                return "arabic"
            return "spaced"
    return "spaced"


def default_boundary(term_text: str) -> Boundary:
    """The boundary a term gets when the lexicon leaves it empty, from the term's script."""
    script = _script_of(term_text)
    if script == "unspaced":
        return Boundary.NONE
    if script == "arabic":
        return Boundary.CLITIC
    return Boundary.WORD


@dataclass(frozen=True, slots=True)
class CompiledTerm:
    """A term with everything the matcher precomputes for it."""

    index: int
    term: Term
    key: str  # folded, whitespace collapsed
    boundary: Boundary
    words: tuple[str, ...]  # robust form of each word, to check disguised hits


@dataclass(frozen=True, slots=True)
class Hit:
    """A term found in folded text ``[start, end)``; ``via`` says which pass found it."""

    term: CompiledTerm
    start: int
    end: int
    via: str  # "plain" or "robust"
    spaced: bool = False  # letters spread out with separators (r.h.i.n.o)


def _left_ok(text: str, start: int, boundary: Boundary) -> bool:
    if boundary is Boundary.NONE or start == 0 or not text[start - 1].isalnum():
        return True
    if boundary is Boundary.CLITIC:
        for clitic in _ARABIC_CLITICS:
            begin = start - len(clitic)
            if begin >= 0 and text[begin:start] == clitic and (
                begin == 0 or not text[begin - 1].isalnum()
            ):
                return True
    return False


def _right_ok(text: str, end: int, boundary: Boundary) -> bool:
    if boundary is not Boundary.WORD or end >= len(text):
        return True
    return not text[end].isalnum()


class Matcher:
    """Both automata for one lexicon. Build once, share between threads (read-only)."""

    def __init__(self, lexicon: Lexicon) -> None:
        started = time.perf_counter()
        self.lexicon = lexicon
        self.terms: list[CompiledTerm] = []
        plain: dict[str, list[CompiledTerm]] = {}
        robust_keys: dict[str, list[CompiledTerm]] = {}
        for term in lexicon.matchable():
            key = " ".join(fold(term.term).split())
            if not key:
                continue
            boundary = Boundary(term.boundary) if term.boundary else default_boundary(key)
            words = tuple(robust(w) for w in key.split(" "))
            compiled = CompiledTerm(len(self.terms), term, key, boundary, words)
            self.terms.append(compiled)
            plain.setdefault(key, []).append(compiled)
            if term.kind in ITEM_KINDS:
                robust_key = "".join(words)
                minimum = _MIN_ROBUST_LATIN if boundary is not Boundary.NONE else _MIN_ROBUST_OTHER
                if len(robust_key) >= minimum:
                    robust_keys.setdefault(robust_key, []).append(compiled)
        self._plain = _automaton(plain)
        self._robust = _automaton(robust_keys)
        self.compile_seconds = time.perf_counter() - started

    def find(self, folded: str) -> list[Hit]:
        """Every hit in folded text, plain ones first, disguised ones after."""
        hits: list[Hit] = []
        seen: set[str] = set()
        if self._plain is not None:
            for end, (key, entries) in self._plain.iter(folded):
                start = end + 1 - len(key)
                boundary = entries[0].boundary
                if _left_ok(folded, start, boundary) and _right_ok(folded, end + 1, boundary):
                    for entry in entries:
                        if entry.boundary is boundary or (
                            _left_ok(folded, start, entry.boundary)
                            and _right_ok(folded, end + 1, entry.boundary)
                        ):
                            hits.append(Hit(entry, start, end + 1, "plain"))
                            seen.add(key)
        if self._robust is not None:
            view = robust(folded)
            pending = [
                (end, key, entries)
                for end, (key, entries) in self._robust.iter(view)
                if any(entry.key not in seen for entry in entries)
            ]
            if pending:
                hits.extend(self._confirm(folded, pending, seen))
        return hits

    def _confirm(
        self, folded: str, pending: list[tuple[int, str, list[CompiledTerm]]], seen: set[str]
    ) -> list[Hit]:
        """Keep robust-view hits that are one disguised term in the folded text."""
        _, spans = robust_spans(folded)
        confirmed: list[Hit] = []
        for end, key, entries in pending:
            first = end + 1 - len(key)
            start, stop = spans[first][0], spans[end][1]
            for entry in entries:
                if entry.key in seen:
                    continue
                verdict = _disguised(folded, start, stop, entry)
                if verdict is not None:
                    confirmed.append(Hit(entry, start, stop, "robust", spaced=verdict))
        return confirmed


def _disguised(folded: str, start: int, stop: int, entry: CompiledTerm) -> bool | None:
    """None if ``folded[start:stop]`` is not a disguised ``entry``; else whether it is spaced."""
    chunk = folded[start:stop]
    if "\n" in chunk:
        return None  # never join the end of one field to the start of the next
    if not (_left_ok(folded, start, entry.boundary) and _right_ok(folded, stop, entry.boundary)):
        return None
    tokens: list[str] = []
    current: list[str] = []
    for char in chunk:
        if is_separator(char):
            if current:
                tokens.append("".join(current))
                current = []
        else:
            current.append(char)
    if current:
        tokens.append("".join(current))
    if entry.boundary is Boundary.NONE:
        return len(tokens) > 1
    if not all(any(c.isalpha() for c in token) or len(token) == 1 for token in tokens):
        return None  # digits are read as letters only inside words
    words, spaced = _join_spaced_letters(tokens)
    if len(words) == len(entry.words) and all(
        robust(word) == expected for word, expected in zip(words, entry.words)
    ):
        return spaced
    return None


def _join_spaced_letters(tokens: list[str]) -> tuple[list[str], bool]:
    """Join runs of one- and two-letter tokens (``r.h.i.n.o``, ``rh in o``) into words."""
    words: list[str] = []
    run: list[str] = []
    spaced = False
    for token in [*tokens, ""]:
        if token and len(token) <= 2:
            run.append(token)
            continue
        if len(run) >= 2:
            words.append("".join(run))
            spaced = True
        else:
            words.extend(run)
        run = []
        if token:
            words.append(token)
    return words, spaced


def _automaton(keys: dict[str, list[CompiledTerm]]) -> ahocorasick.Automaton | None:
    if not keys:
        return None
    automaton = ahocorasick.Automaton()
    for key, entries in keys.items():
        automaton.add_word(key, (key, entries))
    automaton.make_automaton()
    return automaton
