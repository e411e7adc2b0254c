"""The scanner: one listing in, a verdict with its explanation out.

>>> from keepwild import Scanner
>>> result = Scanner().scan({"id": "1", "title": "Carved 1v0ry bangle for sale, DM me"})
>>> result.verdict, result.categories
('block', ('ivory',))

Work is ordered so that clean listings, the vast majority, cost one fold and two automaton
passes; offset maps, price and phone patterns and the rules run only when an item term matched.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from keepwild.detect.listing import Listing
from keepwild.detect.matcher import Hit, Matcher
from keepwild.detect.policy import Policy, load_policy
from keepwild.detect.result import Match, ScanResult
from keepwild.detect.rules import Evidence, Signals, assess
from keepwild.detect.signals import has_phone_number, has_price
from keepwild.lexicon.files import load_lexicon
from keepwild.lexicon.model import Lexicon
from keepwild.lexicon.schema import Kind
from keepwild.text.fold import emoji_words, fold_table
from keepwild.text.langid import UNDETERMINED, detect_language
from keepwild.text.normalise import Normalised, normalise
from keepwild.text.robust import LEET

__all__ = ["Scanner"]

ListingLike = Listing | Mapping[str, Any]


class Scanner:
    """Scans listings against a lexicon under a policy profile.

    A Scanner compiles its lexicon once; share one per process. ``detect_language=False``
    trusts the listing's ``lang`` (or reports ``"und"``) and skips language identification.
    """

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        policy: Policy | str = "coalition",
        *,
        detect_language: bool = True,
    ) -> None:
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self.policy = policy if isinstance(policy, Policy) else load_policy(policy)
        self.detect_language = detect_language
        self.matcher = Matcher(self.lexicon)

    def scan(self, listing: ListingLike) -> ScanResult:
        """Scan one listing (a :class:`Listing` or a mapping with its fields)."""
        if not isinstance(listing, Listing):
            listing = Listing.from_mapping(listing)
        original = listing.joined_text()
        norm = normalise(original)
        hits = self.matcher.find(norm.text, norm.robust)
        language = listing.lang or (
            detect_language(original) if self.detect_language else UNDETERMINED
        )
        for hit in hits:
            if hit.term.is_item:
                return self._explain(listing, norm, hits, language)
        return ScanResult(listing.id, "allow", 0.0, (), (), language, (), (),
                          self.policy.name, self.lexicon.version)

    def scan_many(self, listings: Iterable[ListingLike]) -> Iterator[ScanResult]:
        """Scan listings lazily, in order."""
        for listing in listings:
            yield self.scan(listing)

    def _explain(
        self, listing: Listing, norm: Normalised, hits: list[Hit], language: str
    ) -> ScanResult:
        hits = _one_per_place(hits)
        field_starts: list[tuple[int, str]] = []
        offset = 0
        for name, text in listing.texts():
            field_starts.append((offset, name))
            offset += len(text) + 1
        evidence: list[Evidence] = []
        located: list[tuple[Evidence, int, int, int]] = []
        for hit in hits:
            start, end = norm.to_original(hit.start, hit.end)
            base, name = next((b, n) for b, n in reversed(field_starts) if b <= start)
            item = Evidence(hit, name)
            evidence.append(item)
            located.append((item, start, end, base))
        signals = Signals(
            price_field=listing.price is not None,
            price_in_text=has_price(norm.text),
            phone_number=has_phone_number(norm.text),
        )
        assessment = assess(evidence, signals, self.policy)
        if self.detect_language and not listing.lang:
            language = detect_language(norm.original, _evidence_languages(hits))
        matches = tuple(
            _match(item, start - base, end - base, norm.original[start:end],
                   norm.text[item.hit.start:item.hit.end])
            for item, start, end, base in located
            if item.kind != Kind.NEGATION
        )
        species = tuple(dict.fromkeys(
            item.hit.term.term.species for item in evidence
            if item.kind == Kind.SPECIES and item.hit.term.term.species and item.weight > 0.05
        ))
        return ScanResult(
            listing.id, assessment.verdict, assessment.score, assessment.categories, species,
            language, matches, assessment.reasons, self.policy.name, self.lexicon.version,
        )


def _one_per_place(hits: list[Hit]) -> list[Hit]:
    """One hit per place and wording: a word shared by several languages' lists ("WhatsApp")
    is reported once, as the term of the language most of the evidence is in."""
    languages = _evidence_languages(hits)
    best: dict[tuple[int, int, str], Hit] = {}
    for hit in hits:
        place = (hit.start, hit.end, hit.term.key)
        current = best.get(place)
        if current is None or (
            current.term.term.lang not in languages and hit.term.term.lang in languages
        ):
            best[place] = hit
    return list(best.values())


def _evidence_languages(hits: list[Hit]) -> set[str]:
    """The language(s) most of the matched terms belong to."""
    counts = Counter(hit.term.term.lang for hit in hits)
    top = max(counts.values())
    return {lang for lang, count in counts.items() if count == top}


def _match(item: Evidence, start: int, end: int, original: str, folded: str) -> Match:
    term = item.hit.term.term
    return Match(
        term=term.term,
        kind=term.kind,
        category=term.category,
        lang=term.lang,
        field=item.field,
        start=start,
        end=end,
        text=original,
        weight=round(item.weight, 4),
        status=term.status,
        obfuscation=_obfuscation(item.hit, original, folded),
        excused_by=item.excused_by,
    )


def _obfuscation(hit: Hit, original: str, folded: str) -> tuple[str, ...]:
    """Which disguises the seller used in this match, for the moderator and for metrics."""
    found: list[str] = []
    table = fold_table()
    emoji = emoji_words()
    for char in original:
        if char.isascii():
            continue
        category = unicodedata.category(char)
        piece = table[ord(char)]
        if char in emoji:
            found.append("emoji")
        elif category == "Cf" or (piece == "" and category != "Mn"):
            found.append("zero_width")
        elif category.startswith("L") and piece.isascii() and piece.isalpha() and (
            unicodedata.name(char, "").split(" ")[0] in ("CYRILLIC", "GREEK", "ARMENIAN")
        ):
            found.append("homoglyph")
        elif "CJK" in unicodedata.name(char, "") and piece != char and len(piece) == 1:
            found.append("traditional")
        elif unicodedata.name(char, "").startswith("FULLWIDTH"):
            found.append("fullwidth")
    if hit.via == "robust":
        if hit.spaced:
            found.append("spaced")
        if any(c in LEET and c != "l" and not c.isalpha() for c in folded):
            found.append("leet")
        letters = [c for c in folded if c.isalnum()]
        if any(a == b for a, b in zip(letters, letters[1:])) and len(letters) > len(
            hit.term.key.replace(" ", "")
        ):
            found.append("repeat")
        if not hit.spaced and any(not c.isalnum() and c != " " for c in folded):
            found.append("separators")
    if hit.term.term.kind == Kind.CODEWORD:
        found.append("codeword")
    return tuple(dict.fromkeys(found))
