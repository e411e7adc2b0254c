"""The scanner: one listing in, a verdict with its explanation out.

>>> from keepwild import Scanner
>>> result = Scanner().scan({"id": "1", "title": "Carved 1v0ry bangle for sale, DM me"})
>>> result.verdict, result.categories
('block', ('ivory',))

Work is ordered so that clean listings, the vast majority, cost one fold, one or two index
scans and the learned model's hashed dot product; offset maps, price and phone patterns and the
rules run only when an item term matched.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import numpy as np

from keepwild.detect.listing import Listing
from keepwild.detect.matcher import Hit, Matcher
from keepwild.detect.model import WEAK_SPECIES, ListingModel, default_model_path, rule_features
from keepwild.detect.policy import Policy, load_policy
from keepwild.detect.result import Match, Reason, ScanResult
from keepwild.detect.rules import SEVERITY, Assessment, Evidence, Signals, assess
from keepwild.detect.signals import has_phone_number, has_price
from keepwild.lexicon.files import load_lexicon
from keepwild.lexicon.model import Lexicon
from keepwild.lexicon.schema import Kind
from keepwild.text.fold import emoji_words, fold_table
from keepwild.text.langid import UNDETERMINED
from keepwild.text.normalise import Normalised, normalise
from keepwild.text.views import fold_views
from keepwild.text.robust import LEET

__all__ = ["Scanner"]

ListingLike = Listing | Mapping[str, Any]
#: Where a hit is in the original text: (start, end, start of its field, its disguises if
#: already worked out, else None).
Located = tuple[int, int, int, tuple[str, ...] | None]


class Scanner:
    """Scans listings against a lexicon under a policy profile.

    A Scanner compiles its lexicon once; share one per process. ``detect_language=False``
    trusts the listing's ``lang`` (or reports ``"und"``) and skips language identification.
    ``model`` is the learned model that weighs the rules' evidence: ``"default"`` (the shipped
    one, used only with the lexicon release it was trained on, since its features are that
    lexicon's evidence), a :class:`ListingModel`, or ``None`` for rules alone. It weighs the
    evidence of listings with lexicon terms, and reads the others too (unless the policy's
    ``review_without_terms`` is 1), since traders invent code words faster than curators list
    them; on its own it can send a listing to review, never block it.
    """

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        policy: Policy | str = "coalition",
        *,
        detect_language: bool = True,
        model: ListingModel | str | None = "default",
    ) -> None:
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self.policy = policy if isinstance(policy, Policy) else load_policy(policy)
        self.detect_language = detect_language
        self.matcher = Matcher(self.lexicon)
        if model == "default":
            model = ListingModel.load() if default_model_path().exists() else None
            if model is not None and model.metadata.get("lexicon") != self.lexicon.version:
                model = None
        elif isinstance(model, str):
            model = ListingModel.load(Path(model))
        self.model: ListingModel | None = model
        self._reads_unmatched = model is not None and self.policy.review_without_terms < 1
        nothing = Assessment(0.0, "allow", ())
        #: The margin the rule features of a listing without item terms add, by whether a
        #: term of another kind (sale intent, say) was disguised (features() gives training the
        #: same vectors), worked out once: clean listings are the hot path.
        self._unmatched_margin = tuple(
            model.rules_margin(rule_features(nothing, obfuscated=disguised))
            for disguised in (False, True)
        ) if model is not None else (0.0, 0.0)

    def scan(self, listing: ListingLike) -> ScanResult:
        """Scan one listing (a :class:`Listing` or a mapping with its fields)."""
        if not isinstance(listing, Listing):
            listing = Listing.from_mapping(listing)
        original = listing.joined_text()
        folded, robust_view = fold_views(original)
        hits = self.matcher.find(folded, robust_view)
        for hit in hits:
            if hit.term.is_item:
                return self._explain(listing, Normalised(original, folded, robust_view), hits)
        language = listing.lang or (
            (original, ()) if self.detect_language else UNDETERMINED
        )
        if self._reads_unmatched:
            return self._read_unmatched(listing.id, folded, hits, language)
        return ScanResult(listing.id, "allow", 0.0, (), (), language, (), (),
                          self.policy.name, self.lexicon.version)

    def _read_unmatched(self, listing_id: str, folded: str, hits: list[Hit],
                        language: Any) -> ScanResult:
        """The model's reading of a listing no item term matched: review at the policy's
        ``review_without_terms`` probability, otherwise allow with that probability as score."""
        model = self.model
        assert model is not None  # _reads_unmatched says so
        disguised = False
        for hit in hits:
            if hit.via == "robust":
                disguised = True
                break
        probability = model.text_probability(folded, self._unmatched_margin[disguised])
        if probability < self.policy.review_without_terms:
            return ScanResult(listing_id, "allow", probability, (), (), language, (), (),
                              self.policy.name, self.lexicon.version)
        words = ", ".join(f"'{word}'" for word in model.weightiest_words(folded))
        reason = Reason("model", f"learned model {model.version}: probability "
                                 f"{probability:.2f} with no lexicon term; review only, the "
                                 "model alone never blocks"
                                 + (f"; words that weighed most: {words}" if words else ""))
        return ScanResult(listing_id, "review", probability, (), (), language, (), (reason,),
                          self.policy.name, self.lexicon.version)

    def features(self, listing: ListingLike) -> tuple[str, np.ndarray, bool]:
        """What the learned model sees: folded text and rule vector, and whether an item term
        matched (the rules' evidence; without it the model reads the text alone)."""
        if not isinstance(listing, Listing):
            listing = Listing.from_mapping(listing)
        norm = normalise(listing.joined_text())
        hits = self.matcher.find(norm.text, norm.robust)
        if not any(hit.term.is_item for hit in hits):
            empty = Assessment(0.0, "allow", ())
            return norm.text, self.rule_vector(hits, empty), False
        _, _, _, assessment = self._assess(listing, norm, hits)
        return norm.text, self.rule_vector(hits, assessment), True

    def scan_many(self, listings: Iterable[ListingLike]) -> Iterator[ScanResult]:
        """Scan listings lazily, in order."""
        for listing in listings:
            yield self.scan(listing)

    def _assess(
        self, listing: Listing, norm: Normalised, hits: list[Hit]
    ) -> tuple[set[str], list[Evidence], list[Located], Assessment]:
        """The rules' judgement of a listing with item hits, and what it was built from."""
        languages = _evidence_languages(hits)
        evidence, located, signals = self._evidence(listing, norm, _one_per_place(hits, languages))
        return languages, evidence, located, assess(evidence, signals, self.policy)

    def _explain(self, listing: Listing, norm: Normalised, hits: list[Hit]) -> ScanResult:
        languages, evidence, located, assessment = self._assess(listing, norm, hits)
        verdict, score, categories, reasons = (
            assessment.verdict, assessment.score, assessment.categories, assessment.reasons
        )
        if self.model is not None:
            verdict, score, categories, reasons = self._weigh(
                self.model, norm.text, hits, assessment
            )
        language = listing.lang or (
            (norm.original, languages) if self.detect_language else UNDETERMINED
        )
        matches, species = _matches_and_species(evidence, located, norm.original, norm.text)
        return ScanResult(
            listing.id, verdict, score, categories, species, language, matches, reasons,
            self.policy.name, self.lexicon.version,
        )

    def _evidence(
        self, listing: Listing, norm: Normalised, hits: list[Hit]
    ) -> tuple[list[Evidence], list[Located], Signals]:
        """Each hit with its field, where it is in the original (see :data:`Located`), and the
        listing's pattern signals."""
        bases, names = _field_bases(listing)
        original, folded = norm.original, norm.text
        evidence = []
        located = []
        for hit in hits:
            start, end = norm.to_original(hit.start, hit.end)
            field = bisect_right(bases, start) - 1
            item = Evidence(hit, names[field])
            obfuscation = None
            if hit.via == "robust" and hit.term.is_item:
                # Kept for the match built from it later: working it out is the costly part.
                obfuscation = _obfuscation(hit, original[start:end], folded[hit.start:hit.end])
                item.disguised = not _DISGUISES.isdisjoint(obfuscation)
            evidence.append(item)
            located.append((start, end, bases[field], obfuscation))
        signals = Signals(
            price_field=listing.price is not None,
            price_in_text=has_price(folded),
            phone_number=has_phone_number(folded),
        )
        return evidence, located, signals

    def rule_vector(self, hits: list[Hit], assessment: Assessment) -> np.ndarray:
        """The rules' evidence as the learned model's input features."""
        return rule_features(assessment, obfuscated=any(hit.via == "robust" for hit in hits))

    def _weigh(
        self, model: ListingModel, folded: str, hits: list[Hit], assessment: Assessment
    ) -> tuple[str, float, tuple[str, ...], tuple[Reason, ...]]:
        """Combine rules and model: the model's calibrated probability within policy bounds."""
        probability = model.probability(folded, self.rule_vector(hits, assessment))
        verdict = self.policy.verdict_for_probability(probability)
        bounds = []
        if (SEVERITY[verdict] < SEVERITY[assessment.floor]
                and probability >= self.policy.floor_min_probability):
            verdict = assessment.floor
            bounds.append(f"raised to {verdict} by the policy floor")
        if SEVERITY[verdict] > SEVERITY[assessment.cap]:
            verdict = assessment.cap
            bounds.append(f"capped at {verdict}: candidate terms only")
        strongest = assessment.strongest
        if (verdict == "review" and not self.policy.review_generic_animals
                and 0 < strongest.get("species", 0.0) < WEAK_SPECIES
                and not strongest.get("product") and not strongest.get("codeword")):
            verdict = "allow"
            bounds.append("kept at allow: only generic animal names, below the block threshold")
        if assessment.excused == assessment.items and SEVERITY[verdict] > SEVERITY[
            assessment.verdict
        ]:
            verdict = assessment.verdict
            bounds.append("kept at the rules' verdict: every mention has an innocent context")
        categories = assessment.categories or (
            assessment.evidence_categories[:1] if verdict != "allow" else ()
        )
        detail = (f"learned model {model.version}: probability {probability:.2f} "
                  f"(rules alone {assessment.score:.2f})")
        if bounds:
            detail += "; " + "; ".join(bounds)
        reasons = (*assessment.reasons, Reason("model", detail))
        return verdict, probability, categories if verdict != "allow" else (), reasons


_SPECIES, _NEGATION, _CODEWORD = Kind.SPECIES, Kind.NEGATION, Kind.CODEWORD
#: A Match from all twelve of its fields in order, built by tuple.__new__ directly: the named
#: tuple's generated __new__ (keywords or not) adds a Python call per match.
_new_match = partial(tuple.__new__, Match)

#: Disguises only a seller hiding a word uses (unlike accents or traditional characters).
_DISGUISES = frozenset({"leet", "homoglyph", "zero_width", "spaced", "separators", "repeat"})


def _one_per_place(hits: list[Hit], languages: set[str]) -> list[Hit]:
    """One hit per place and wording: a word shared by several languages' lists ("WhatsApp")
    is reported once, as the term of ``languages``, those most of the evidence is in."""
    best: dict[tuple[int, int, str], Hit] = {}
    for hit in hits:
        place = (hit.start, hit.end, hit.term.key)
        current = best.get(place)
        if current is None:
            best[place] = hit
        elif current.term.term.lang not in languages and hit.term.term.lang in languages:
            best[place] = hit
    if len(best) == len(hits):
        return hits  # nothing shared (the usual case): the same hits, in the same order
    return list(best.values())


def _evidence_languages(hits: list[Hit]) -> set[str]:
    """The language(s) most of the matched terms belong to."""
    counts: dict[str, int] = {}
    for hit in hits:
        lang = hit.term.term.lang
        counts[lang] = counts.get(lang, 0) + 1
    top = max(counts.values())
    return {lang for lang, count in counts.items() if count == top}


def _field_bases(listing: Listing) -> tuple[list[int], list[str]]:
    """Where each scanned field starts in the joined text, and its name (for bisection)."""
    bases: list[int] = []
    names: list[str] = []
    offset = 0
    for name, text in listing.texts():
        bases.append(offset)
        names.append(name)
        offset += len(text) + 1
    return bases, names


def _matches_and_species(
    evidence: list[Evidence], located: list[Located], original: str, folded: str
) -> tuple[tuple[Match, ...], tuple[str, ...]]:
    """The result's matches (every hit but negations, in the seller's own text and offsets)
    and the species named with some weight left, in one pass over the evidence."""
    matches = []
    species: dict[str, None] = {}
    for item, (start, end, base, obfuscation) in zip(evidence, located):
        hit = item.hit
        term = hit.term.term
        weight = item.weight
        if term.kind == _SPECIES and term.species and weight > 0.05:
            species[term.species] = None
        if item.kind == _NEGATION:
            continue
        text = original[start:end]
        if obfuscation is None:
            obfuscation = _obfuscation(hit, text, folded[hit.start:hit.end])
        matches.append(_new_match((term.term, term.kind, term.category, term.lang, item.field,
                                   start - base, end - base, text, round(weight, 4),
                                   term.status, obfuscation, item.excused_by)))
    return tuple(matches), tuple(species)


@lru_cache(maxsize=8192)
def _char_disguise(char: str) -> str | None:
    """The disguise a single character of a match stands for, if any (cached: the same few
    characters recur, and Unicode name lookups are slow)."""
    if char.isascii():
        return None
    category = unicodedata.category(char)
    piece = fold_table()[ord(char)]
    name = unicodedata.name(char, "")
    if char in emoji_words():
        return "emoji"
    if category == "Cf" or (piece == "" and category != "Mn"):
        return "zero_width"
    if category.startswith("L") and piece.isascii() and piece.isalpha() and (
        name.split(" ")[0] in ("CYRILLIC", "GREEK", "ARMENIAN")
    ):
        return "homoglyph"
    if "CJK" in name and piece != char and len(piece) == 1:
        return "traditional"
    if name.startswith("FULLWIDTH"):
        return "fullwidth"
    return None


def _obfuscation(hit: Hit, original: str, folded: str) -> tuple[str, ...]:
    """Which disguises the seller used in this match, for the moderator and for metrics."""
    codeword = hit.term.term.kind == _CODEWORD
    if hit.via == "plain":
        if original.isascii() and not codeword:
            return ()  # plain ASCII text matched as written: nothing disguised
        return _plain_obfuscation(original, codeword)
    found = list(_character_disguises(original, codeword=False))
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
    if codeword:
        found.append("codeword")
    return tuple(dict.fromkeys(found))


def _plain_obfuscation(original: str, codeword: bool) -> tuple[str, ...]:
    """The disguises of a match the plain pass found: only what its characters stand for."""
    if len(original) <= _CACHED_MATCH_CHARS:
        return _cached_plain_obfuscation(original, codeword)
    return _character_disguises(original, codeword)


#: Matched texts up to this long have their disguises cached (a span stuffed with invisible
#: characters can be much longer: it is not kept).
_CACHED_MATCH_CHARS = 64


def _character_disguises(original: str, codeword: bool) -> tuple[str, ...]:
    """What the characters of ``original`` stand for, and ``codeword`` if the term is one."""
    found = [family for family in map(_char_disguise, original) if family]
    if codeword:
        found.append("codeword")
    return tuple(dict.fromkeys(found))


#: Cached and bounded: the same matched words recur from listing to listing, and working out
#: their disguises looks at each of their characters.
_cached_plain_obfuscation = lru_cache(maxsize=4096)(_character_disguises)
