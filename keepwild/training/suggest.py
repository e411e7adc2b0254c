"""Mining candidate terms from labeled listings, for curators to review.

Words and two-word phrases (character bigrams and trigrams in Chinese and Thai) that are far
more frequent in positives than in negatives of the same language are ranked by the weighted
log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008), which does
not overrate rare words. Suggestions are always ``candidate`` terms: a curator decides.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from datetime import date

from keepwild.lexicon.model import Lexicon, term_key
from keepwild.lexicon.schema import Kind, Status, Term
from keepwild.lexicon.validate import validate
from keepwild.text.fold import fold
from keepwild.training.corpus import Labeled

__all__ = ["suggest_terms"]

_WORD = re.compile(r"\w+")
_UNSPACED = {"zh", "th"}


def _phrases(text: str, lang: str) -> set[str]:
    folded = fold(text)
    if lang in _UNSPACED:
        chars = [c for c in folded if c.isalnum()]
        return {"".join(chars[i:i + n]) for n in (2, 3) for i in range(len(chars) - n + 1)}
    words = _WORD.findall(folded)
    return set(words) | {f"{a} {b}" for a, b in zip(words, words[1:])}


def _log_odds(pos: Counter[str], neg: Counter[str], n_pos: int, n_neg: int,
              prior: float = 0.5) -> dict[str, float]:
    scores = {}
    for phrase, in_pos in pos.items():
        in_neg = neg.get(phrase, 0)
        a = math.log((in_pos + prior) / (n_pos - in_pos + prior))
        b = math.log((in_neg + prior) / (n_neg - in_neg + prior))
        variance = 1 / (in_pos + prior) + 1 / (in_neg + prior)
        scores[phrase] = (a - b) / math.sqrt(variance)
    return scores


def suggest_terms(items: Sequence[Labeled], lexicon: Lexicon, *, top: int = 25,
                  min_count: int = 3, source: str = "labeled data") -> list[Term]:
    """Up to ``top`` candidate terms per language, strongest first, none already known."""
    known = {term_key(t) for t in lexicon.terms}
    suggestions: list[Term] = []
    for lang in sorted({item.lang for item in items if item.lang}):
        mine = [item for item in items if item.lang == lang]
        pos: Counter[str] = Counter()
        neg: Counter[str] = Counter()
        categories: dict[str, Counter[str]] = {}
        for item in mine:
            phrases = _phrases(item.listing.joined_text(), lang)
            (pos if item.label == 1 else neg).update(phrases)
            if item.label == 1 and item.category:
                for phrase in phrases:
                    categories.setdefault(phrase, Counter())[item.category] += 1
        n_pos = sum(item.label == 1 for item in mine)
        n_neg = len(mine) - n_pos
        if not n_pos or not n_neg:
            continue
        ranked = sorted(_log_odds(pos, neg, n_pos, n_neg).items(), key=lambda kv: -kv[1])
        chosen = 0
        for phrase, score in ranked:
            if chosen >= top or score <= 2.0:
                break
            if pos[phrase] < min_count or (lang, phrase) in known:
                continue
            category = categories.get(phrase, Counter({"other": 1})).most_common(1)[0][0]
            candidate = Term(
                term=phrase, lang=lang, kind=Kind.CODEWORD.value, category=category, weight=0.5,
                status=Status.CANDIDATE.value, source=f"mined from {source}",
                added=f"{date.today():%Y-%m-%d}",
                note=f"in {pos[phrase]} of {n_pos} positives, {neg.get(phrase, 0)} of {n_neg} "
                     f"negatives; log-odds z {score:.1f}",
            )
            if any(i.level == "error" for i in validate(Lexicon("check", terms=(candidate,)))
                   if "species" not in i.message):
                continue  # stop words, too short, too general: not worth a curator's time
            suggestions.append(candidate)
            chosen += 1
    return suggestions
