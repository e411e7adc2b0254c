"""The compiled matcher: every lexicon term in two literal indexes.

Scanning is linear in the text whatever the lexicon holds: terms are literal byte strings
compiled into a Hyperscan database (or an Aho-Corasick automaton where Hyperscan has no wheel),
never regular expressions, so no curator or partner can ship a pattern that makes scanning slow.

* The *plain* index runs over the *bounded view* of the folded text: its UTF-8 bytes with ASCII
  punctuation read as spaces and a space added at each end. Word-boundary terms are compiled
  with their boundaries included (``" ivory "``), prefix terms with the left one (``" elfenbein"``),
  Arabic terms once per clitic (``" al" + term``), Chinese and Thai terms bare; so a raw hit is
  already a real match, and common short words inside longer ones cost nothing.
* The *robust* index holds the item terms (species, products, code words) in their robust form
  (:mod:`keepwild.text.robust`) and runs over the robust view, which undoes separators,
  leetspeak and stretched letters. A robust hit that the plain pass did not explain is mapped
  back and accepted only if it really is one disguised term (:func:`keepwild.text.robust.reads_as`).
  Each term is indexed in a few robust forms, so that one view serves every reading: with its
  doubled letters also written once (a stretched run ``aaaa`` reads as ``a`` or ``aa``) and,
  for Thai, with any one vowel or tone mark left out (a Latin digit or symbol stood for it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import product
from typing import NamedTuple

from keepwild.detect.literals import LiteralIndex, build_index
from keepwild.lexicon.model import Lexicon
from keepwild.lexicon.schema import ITEM_KINDS, Boundary, Term
from keepwild.text.fold import fold
from keepwild.text.robust import (
    THAI_MARKS,
    is_separator,
    letters,
    reads_as,
    robust,
    robust_spans,
    tokens,
)

__all__ = ["CompiledTerm", "Hit", "Matcher", "default_boundary"]

# Arabic clitics (folded) that may stand before a word: the article, conjunctions, prepositions.
_ARABIC_CLITICS = ("", "وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف", "ك")
# Robust keys shorter than this (in letters of spaced scripts) would match by accident.
_MIN_ROBUST_LATIN = 4
_MIN_ROBUST_ARABIC = 3  # short vowels unwritten: عاج (ivory) is a whole word in three letters
_MIN_ROBUST_OTHER = 2
# Doubled letters of a term that its robust forms may each write once (2**n forms); past this,
# only all of them at once or one at a time.
_MAX_FREE_DOUBLES = 4
# Scripts written without spaces between words: a neighbour from one never extends a word.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# ASCII punctuation and controls read as spaces in the bounded view; bytes >= 128 unchanged.
_BOUNDED = bytes(
    c if c >= 128 or chr(c).isalnum() else 0x20 for c in range(256)
)


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
    words: tuple[str, ...]  # letters of each word (robust.letters), to check disguised hits
    is_item: bool  # species, product or code word: evidence about the item itself


class Hit(NamedTuple):
    """A term found in folded text ``[start, end)``; ``via`` says which pass found it."""

    term: CompiledTerm
    start: int
    end: int
    via: str  # "plain" or "robust"
    spaced: bool = False  # letters spread out with separators (r.h.i.n.o)


@dataclass(frozen=True, slots=True)
class _Variant:
    """One compiled pattern: the terms it stands for and how much of it is boundary."""

    entries: tuple[CompiledTerm, ...]
    lead: int  # bytes of boundary or clitic before the term
    trail: int  # bytes of boundary after the term
    has_item: bool  # whether any of the terms is an item term


def _plain_patterns(compiled: CompiledTerm) -> list[tuple[bytes, int, int]]:
    """The bounded-view patterns of a term (its punctuation read as spaces, like the text's)."""
    key = compiled.key.encode("utf-8").translate(_BOUNDED)
    if compiled.boundary is Boundary.WORD:
        return [(b" " + key + b" ", 1, 1)]
    if compiled.boundary is Boundary.PREFIX:
        return [(b" " + key, 1, 0)]
    if compiled.boundary is Boundary.CLITIC:
        return [
            (b" " + clitic.encode("utf-8") + key, 1 + len(clitic.encode("utf-8")), 0)
            for clitic in _ARABIC_CLITICS
        ]
    return [(key, 0, 0)]


class _ByteToChar:
    """Converts byte offsets of UTF-8 text to character offsets, lazily."""

    def __init__(self, data: bytes, is_ascii: bool) -> None:
        self._data = data
        self._ascii = is_ascii

    def __call__(self, offset: int) -> int:
        if self._ascii:
            return offset
        return len(self._data[:offset].decode("utf-8"))


class Matcher:
    """Both indexes for one lexicon. Build once per process; reuse for every listing."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.terms: list[CompiledTerm] = []
        plain: dict[bytes, tuple[list[CompiledTerm], int, int]] = {}
        robust_keys: dict[bytes, list[CompiledTerm]] = {}
        for term in lexicon.matchable():
            key = " ".join(fold(term.term).split())
            if not key:
                continue
            boundary = Boundary(term.boundary) if term.boundary else default_boundary(key)
            words = tuple(letters(w) for w in key.split(" "))
            compiled = CompiledTerm(
                len(self.terms), term, key, boundary, words, term.kind in ITEM_KINDS
            )
            self.terms.append(compiled)
            for pattern, lead, trail in _plain_patterns(compiled):
                plain.setdefault(pattern, ([], lead, trail))[0].append(compiled)
            if compiled.is_item:
                robust_key = "".join(robust(w) for w in key.split(" "))
                minimum = (
                    _MIN_ROBUST_OTHER if boundary is Boundary.NONE
                    else _MIN_ROBUST_ARABIC if _script_of(key) == "arabic"
                    else _MIN_ROBUST_LATIN
                )
                if len(robust_key) >= minimum:
                    for form in _robust_forms(robust_key):  # distinct forms
                        if len(form) >= minimum:
                            robust_keys.setdefault(form.encode("utf-8"), []).append(compiled)
        # Item patterns and context patterns (sale, contact, benign, negation) live in separate
        # indexes: a clean listing needs only the first, and context words are common.
        self._item_variants: list[_Variant] = []
        self._context_variants: list[_Variant] = []
        item_patterns: list[bytes] = []
        context_patterns: list[bytes] = []
        for pattern, (entries, lead, trail) in plain.items():
            variant = _Variant(tuple(entries), lead, trail, any(c.is_item for c in entries))
            if variant.has_item:
                self._item_variants.append(variant)
                item_patterns.append(pattern)
            else:
                self._context_variants.append(variant)
                context_patterns.append(pattern)
        self._items: LiteralIndex = build_index(item_patterns)
        self._context: LiteralIndex = build_index(context_patterns)
        self._robust_entries = [tuple(e) for e in robust_keys.values()]
        self._robust: LiteralIndex = build_index(list(robust_keys))

    def find(self, folded: str, robust_view: str | None) -> list[Hit]:
        """Every hit in folded text, plain ones first, disguised ones after.

        Returns nothing at all when no item term (species, product, code word) can be among the
        hits: sale phrases alone say nothing about wildlife, and most listings stop here.
        ``robust_view`` is the robust view from :func:`keepwild.text.views.fold_views`, or
        ``None`` when the text shows no sign of a disguise (no robust pass then).
        """
        data = folded.encode("utf-8")
        bounded = b" " + data.translate(_BOUNDED) + b" "
        raw_items = self._items.find(bounded)
        view = robust_view or ""
        view_bytes = view.encode("utf-8")
        raw_robust = self._robust.find(view_bytes) if view else []
        if not raw_items and not raw_robust:
            return []
        to_char = _ByteToChar(data, folded.isascii())
        hits: list[Hit] = []
        seen: set[str] = set()
        for variants, raw in (
            (self._item_variants, raw_items),
            (self._context_variants, self._context.find(bounded)),
        ):
            for pattern_id, start, end in raw:
                variant = variants[pattern_id]
                first = to_char(start + variant.lead - 1)
                last = to_char(end - variant.trail - 1)
                if " " in variant.entries[0].key and "\n" in folded[first:last]:
                    continue  # a phrase never runs from one field into the next
                if variant.entries[0].boundary is Boundary.CLITIC and not _arabic_right_ok(
                    folded, last
                ):
                    continue
                for entry in variant.entries:
                    hits.append(Hit(entry, first, last, "plain"))
                    seen.add(entry.key)
        if raw_robust:
            pending = self._unexplained(folded, view, view_bytes, raw_robust, seen)
            if pending:
                hits.extend(self._confirm(folded, pending, seen))
        return hits

    def _unexplained(
        self,
        folded: str,
        view: str,
        view_bytes: bytes,
        raw: list[tuple[int, int, int]],
        seen: set[str],
    ) -> list[tuple[int, int, int]]:
        """Robust hits of terms the plain pass did not find, in robust-view characters.

        Hits that can only be the term sitting inside a longer word (``affe`` in
        ``Kaffeemaschine``) are dropped here, before the costlier mapping back.
        """
        counts: dict[int, int] = {}
        for pattern_id, _, _ in raw:
            counts[pattern_id] = counts.get(pattern_id, 0) + 1
        keep = {
            pattern_id for pattern_id, count in counts.items()
            if any(
                entry.key not in seen and count > _inside_words(folded, entry)
                for entry in self._robust_entries[pattern_id]
            )
        }
        if not keep:
            return []
        to_char = _ByteToChar(view_bytes, view.isascii())
        return [(pattern_id, to_char(start), to_char(end)) for pattern_id, start, end in raw
                if pattern_id in keep]

    def _confirm(
        self, folded: str, pending: list[tuple[int, int, int]], seen: set[str]
    ) -> list[Hit]:
        """Keep robust-view hits that are one disguised term in the folded text."""
        _, spans = robust_spans(folded)
        confirmed: list[Hit] = []
        for pattern_id, first, end in pending:
            bounds = _run_cuts(folded, spans[first], spans[end - 1])
            for entry in self._robust_entries[pattern_id]:
                if entry.key in seen:
                    continue
                for start, stop in bounds:
                    verdict = _disguised(folded, start, stop, entry)
                    if verdict is not None:
                        confirmed.append(Hit(entry, start, stop, "robust", spaced=verdict))
                        break
        return confirmed


def _run_cuts(folded: str, first: tuple[int, int], last: tuple[int, int]
              ) -> list[tuple[int, int]]:
    """Folded spans a robust hit may stand for, widest first.

    A run the view collapsed can cross a separator (``tigerrr rug`` reads ``tigerug``): a hit
    ending in it may end at the first word's end, and a hit starting in it may start at the
    last word's start.
    """
    start, stop = first[0], last[1]
    starts, stops = [start], [stop]
    if last[1] - last[0] > 1:
        cut = next((i for i in range(last[0], last[1]) if is_separator(folded[i])), None)
        if cut is not None and cut > start:
            stops.append(cut)
    if first[1] - first[0] > 1:
        cut = next((i for i in range(first[1] - 1, first[0] - 1, -1)
                    if is_separator(folded[i])), None)
        if cut is not None and cut + 1 < stop:
            starts.append(cut + 1)
    return [(a, b) for a in starts for b in stops if a < b]


def _robust_forms(key: str) -> list[str]:
    """The robust forms a term is indexed under (see the module docstring), ``key`` first."""
    thai = not key.isascii() and any(char in THAI_MARKS for char in key)
    if not thai and all(a != b for a, b in zip(key, key[1:])):
        return [key]
    runs: list[list[str]] = []
    for char in key:
        if runs and runs[-1][0] == char:
            runs[-1].append(char)
        else:
            runs.append([char])
    doubles = [i for i, run in enumerate(runs) if len(run) == 2]
    if len(doubles) <= _MAX_FREE_DOUBLES:
        choices = list(product((False, True), repeat=len(doubles)))
    else:
        choices = [tuple(i == j for i in range(len(doubles))) for j in range(len(doubles))]
        choices += [(False,) * len(doubles), (True,) * len(doubles)]
    forms = [key]
    for choice in choices:
        single = {index for index, once in zip(doubles, choice) if once}
        forms.append("".join(
            run[0] if i in single else "".join(run) for i, run in enumerate(runs)
        ))
    if thai:
        forms += [form[:i] + form[i + 1:] for form in list(forms)
                  for i, char in enumerate(form) if char in THAI_MARKS]
    return list(dict.fromkeys(forms))


def _inside_words(folded: str, entry: CompiledTerm) -> int:
    """How often ``entry`` occurs literally right after a letter, where no reading can match."""
    if entry.boundary is Boundary.NONE:
        return 0
    count = 0
    position = folded.find(entry.key, 1)
    while position != -1:
        before = folded[position - 1]
        # A letter before the term that is its own first letter may be stretching (iiivory).
        if _continues_word(before) and before != entry.key[0]:
            count += 1
        position = folded.find(entry.key, position + 1)
    return count


# Arabic suffixes (folded) a word may carry: pronouns, plurals, the adjectival -i.
_ARABIC_SUFFIXES = ("ه", "ها", "هم", "هما", "هن", "ك", "كم", "كن", "نا", "ي", "يه", "ات", "ين",
                    "ون", "ان", "يين", "يات")


def _arabic_right_ok(text: str, end: int) -> bool:
    """A clitic-boundary term may end its word, or carry one suffix that ends it."""
    if end >= len(text) or not text[end].isalnum():
        return True
    return any(
        text.startswith(suffix, end)
        and (end + len(suffix) >= len(text) or not text[end + len(suffix)].isalnum())
        for suffix in _ARABIC_SUFFIXES
    )


def _continues_word(char: str) -> bool:
    """Whether ``char`` next to a word of a spaced script makes it part of a longer word.

    Chinese, Japanese and Thai characters do not: sellers write ``m@c@w幼鸟`` or ``bekko发簪``
    with no space between the scripts.
    """
    return char.isalnum() and not _UNSPACED.match(char)


def _left_ok(text: str, start: int, boundary: Boundary) -> bool:
    if boundary is Boundary.NONE or start == 0 or not _continues_word(text[start - 1]):
        return True
    if boundary is Boundary.CLITIC:
        for clitic in _ARABIC_CLITICS[1:]:
            begin = start - len(clitic)
            if begin >= 0 and text[begin:start] == clitic and (
                begin == 0 or not text[begin - 1].isalnum()
            ):
                return True
    return False


def _right_ok(text: str, end: int, boundary: Boundary) -> bool:
    if boundary is Boundary.CLITIC:
        return _arabic_right_ok(text, end)
    if boundary is not Boundary.WORD or end >= len(text):
        return True
    return not _continues_word(text[end])


def _disguised(folded: str, start: int, stop: int, entry: CompiledTerm) -> bool | None:
    """None if ``folded[start:stop]`` is not a disguised ``entry``; else whether it is spaced."""
    chunk = folded[start:stop]
    if "\n" in chunk:
        return None  # never join the end of one field to the start of the next
    if not (_left_ok(folded, start, entry.boundary) and _right_ok(folded, stop, entry.boundary)):
        return None
    words_and_letters = tokens(chunk)
    if entry.boundary is Boundary.NONE:
        if not reads_as(letters(chunk), "".join(entry.words)):
            return None
        return len(words_and_letters) > 1
    if not all(any(c.isalpha() for c in token) or len(token) == 1
               for token in words_and_letters):
        return None  # digits are read as letters only inside words
    if _words_read_as(words_and_letters, entry.words):
        return False  # word for word (rùa s@o ấn độ): short words are not spelt-out letters
    words, spaced = _join_spaced_letters(words_and_letters)
    if spaced and _words_read_as(words, entry.words):
        return True
    if spaced and reads_as(letters("".join(words)), "".join(entry.words)):
        return True  # letters spread out over a phrase, its spaces lost among them (v.e.t x.a.m)
    return None


def _words_read_as(words: list[str], expected: tuple[str, ...]) -> bool:
    return len(words) == len(expected) and all(
        reads_as(letters(word), word_letters) for word, word_letters in zip(words, expected)
    )


def _join_spaced_letters(parts: list[str]) -> tuple[list[str], bool]:
    """Join runs of one- and two-letter tokens (``r.h.i.n.o``, ``rh in o``) into words."""
    words: list[str] = []
    run: list[str] = []
    spaced = False
    for token in [*parts, ""]:
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
