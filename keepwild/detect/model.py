"""The learned listing model: character n-grams of folded text plus the rules' evidence.

The model adds to the rules what keywords miss (paraphrases, context, style) and weighs their
evidence with what labelled listings taught it. It is a logistic regression (trained with
scikit-learn, see :mod:`keepwild.training.classifier`) over hashed character n-grams
(:mod:`keepwild.text.ngrams`: stateless, so no vocabulary to ship) and a few rule features,
followed by Platt calibration fitted on held-out data, so that a score of 0.8 means about 80 %
of such listings were positives.

The model file is plain JSON (weights kept as index/value pairs): readable, versioned and safe
to load from a partner, unlike a pickle.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from math import exp, sqrt
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from keepwild.detect.rules import Assessment
from keepwild.errors import KeepwildError
from keepwild.lexicon.schema import CATEGORIES
from keepwild.text.ngrams import WORD_HASH, hashed_dot, ngram_indices, word_indices, word_spans

__all__ = ["ListingModel", "RULE_FEATURES", "rule_features", "text_features",
           "default_model_path", "FORMAT"]

FORMAT = "keepwild-listing-model/1"
RULE_FEATURES = ("rule_score", "intent", "benign", "obfuscated", "candidate_only",
                 "species", "product", "codeword", "weak_species_only",
                 *(f"category:{c}" for c in CATEGORIES))
#: Below this weight a species name is a generic animal word ("monkey", "parrot", "tiger");
#: names of particular taxa ("vervet monkey", "食蟹猴", "gelatik jawa") weigh 0.4 or more.
WEAK_SPECIES = 0.4


def default_model_path() -> Path:
    return Path(str(files("keepwild.detect").joinpath("models/listing-model.json")))


def rule_features(assessment: Assessment, *, obfuscated: bool) -> np.ndarray:
    """The rules' view of a listing, as the numbers the model weighs: their score, the sale
    intent, excuses, disguise, the strongest evidence of each kind, whether it is only weak
    species names, and the categories."""
    strongest = assessment.strongest
    species, product, codeword = (strongest.get("species", 0.0), strongest.get("product", 0.0),
                                  strongest.get("codeword", 0.0))
    categories = assessment.evidence_categories
    # One list, one array: this runs for every listing with wildlife evidence.
    return np.array([
        assessment.score, assessment.intent, min(assessment.excused, 3) / 3,
        float(obfuscated), float(assessment.cap == "review"),
        species, product, codeword,
        # Only generic animal names, no product or code word: toys, prints, decor and pets.
        float(0 < species < WEAK_SPECIES and not (product or codeword)),
        *[1.0 if c in categories else 0.0 for c in CATEGORIES],
    ], dtype=np.float64)


def _row(text: str, n_features: int, ngram_min: int, ngram_max: int, word_ngrams: int,
         word_weight: float) -> tuple[np.ndarray, np.ndarray]:
    """One text's feature buckets and values: character n-gram counts over sqrt(their number),
    plus word n-gram counts over sqrt(theirs) times ``word_weight``."""
    chars = ngram_indices(text, ngram_min, ngram_max, n_features)
    words = word_indices(text, word_ngrams, n_features)
    values = np.full(len(chars), 1 / sqrt(max(len(chars), 1)))
    if len(words):
        values = np.concatenate([values, np.full(len(words), word_weight / sqrt(len(words)))])
    return np.concatenate([chars, words]).astype(np.int64), values


def text_features(folded_texts: list[str], n_features: int, ngram_min: int, ngram_max: int,
                  word_ngrams: int = 0, word_weight: float = 1.0) -> sparse.csr_matrix:
    """Hashed n-gram counts (see :func:`_row`), one row per text."""
    pairs = [_row(text, n_features, ngram_min, ngram_max, word_ngrams, word_weight)
             for text in folded_texts]
    rows = [i for i, _ in pairs]
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, np.int64)
    data = np.concatenate([v for _, v in pairs]) if rows else np.zeros(0)
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(len(rows), n_features))
    matrix.sum_duplicates()
    return matrix


def _inside(spans: list[tuple[int, int]], starts: list[int], first: int, last: int) -> bool:
    """Whether folded characters ``first..last`` lie within one word of ``spans``."""
    index = bisect_right(starts, first) - 1
    return index >= 0 and last < spans[index][1]


@dataclass
class ListingModel:
    """Fitted weights and their calibration; ``probability`` scores one listing."""

    version: str
    n_features: int
    ngram_min: int
    ngram_max: int
    coef_text: np.ndarray  # dense, n_features
    coef_rules: np.ndarray  # len(RULE_FEATURES)
    intercept: float
    calibration: tuple[float, float]  # Platt a, b: p = 1 / (1 + exp(a * margin + b))
    metadata: dict[str, Any] = field(default_factory=dict)
    word_ngrams: int = 0  # word 1..n-grams hashed alongside the character n-grams (0: none)
    word_weight: float = 1.0

    def __post_init__(self) -> None:
        # hashed_dot reads the weights in place: one contiguous float64 array.
        self.coef_text = np.ascontiguousarray(self.coef_text, dtype=np.float64)

    def margins(self, folded_texts: list[str], rules: np.ndarray) -> np.ndarray:
        text = text_features(folded_texts, self.n_features, self.ngram_min, self.ngram_max,
                             self.word_ngrams, self.word_weight)
        return np.asarray(text @ self.coef_text).ravel() + rules @ self.coef_rules + self.intercept

    def calibrate(self, margins: np.ndarray) -> np.ndarray:
        a, b = self.calibration
        return 1.0 / (1.0 + np.exp(np.clip(a * margins + b, -50, 50)))

    def probability(self, folded: str, rules: np.ndarray) -> float:
        """One listing's calibrated probability: the matrix path's (``margins``, ``calibrate``)
        for one text, without building any array. The n-gram weights are summed by
        :func:`hashed_dot` (a C kernel), a few microseconds, so every listing can be scored."""
        return self.text_probability(folded, self.rules_margin(rules))

    def rules_margin(self, rules: np.ndarray) -> float:
        """The margin the rule features and the intercept add: fixed for every listing
        without lexicon terms, so the scanner works it out once."""
        # ndarray.dot: np.dot's product without its dispatch (a third of a microsecond).
        return float(rules.dot(self.coef_rules)) + self.intercept

    def text_probability(self, folded: str, rules_margin: float) -> float:
        """The calibrated probability of ``folded`` given the rules' part of the margin."""
        chars, n_chars, words, n_words = hashed_dot(
            folded, self.ngram_min, self.ngram_max, self.word_ngrams, self.n_features,
            self.coef_text)
        margin = chars / sqrt(n_chars or 1) + rules_margin
        if n_words:
            margin += self.word_weight * words / sqrt(n_words)
        a, b = self.calibration
        return 1.0 / (1.0 + exp(max(-50.0, min(50.0, a * margin + b))))

    def weightiest_words(self, folded: str, count: int = 3) -> list[str]:
        """The words of ``folded`` that raised its margin most, strongest first: each word's
        own weight plus those of the character n-grams inside it. It tells a moderator why a
        listing without lexicon terms was flagged, and a curator which words may be code words.
        Only flagged listings need it, so it may build arrays."""
        spans = word_spans(folded)
        if not spans:
            return []
        starts = [start for start, _ in spans]
        padded_length = len(folded) + 2
        char_weights = self.coef_text[ngram_indices(folded, self.ngram_min, self.ngram_max,
                                                    self.n_features)]
        scale = 1 / sqrt(len(char_weights) or 1)
        # ngram_indices yields, for each start in the padded text, n = n_min..n_max in turn;
        # an n-gram at padded start p covers folded[p - 1 : p - 1 + n].
        per_char = np.zeros(len(folded) + 1)  # weight of n-grams by their last folded char
        at = 0
        for start in range(padded_length):
            for n in range(self.ngram_min, self.ngram_max + 1):
                if start + n > padded_length:
                    break
                first, last = start - 1, start - 1 + n - 1
                if 0 <= first and last < len(folded) and _inside(spans, starts, first, last):
                    per_char[last] += char_weights[at] * scale
                at += 1
        words = word_indices(folded, 1, self.n_features) if self.word_ngrams else None
        word_scale = self.word_weight / sqrt(len(spans))
        totals: dict[str, float] = {}
        for index, (start, end) in enumerate(spans):
            weight = float(per_char[start:end].sum())
            if words is not None:
                weight += float(self.coef_text[words[index]]) * word_scale
            word = folded[start:end]
            totals[word] = max(totals.get(word, weight), weight)
        ranked = sorted((w for w in totals.items() if w[1] > 0), key=lambda w: -w[1])
        return [word for word, _ in ranked[:count]]

    def save(self, path: Path) -> None:
        nonzero = np.flatnonzero(self.coef_text)
        document = {
            "format": FORMAT,
            "version": self.version,
            "hashing": {"n_features": self.n_features, "ngram_min": self.ngram_min,
                        "ngram_max": self.ngram_max, "hash": "fnv1a32-codepoints",
                        "padding": "one space each end", "scaling": "count/sqrt(ngrams)",
                        "word_ngrams": self.word_ngrams, "word_weight": self.word_weight,
                        "word_hash": WORD_HASH},
            "rule_features": list(RULE_FEATURES),
            "coef_rules": [round(float(v), 6) for v in self.coef_rules],
            "intercept": float(self.intercept),
            "calibration": list(self.calibration),
            "coef_text": {"index": nonzero.tolist(),
                          "value": [round(float(v), 6) for v in self.coef_text[nonzero]]},
            "metadata": self.metadata,
        }
        path.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n",
                        encoding="utf-8")

    @classmethod
    def load(cls, path: Path | None = None) -> ListingModel:
        path = path or default_model_path()
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise KeepwildError(f"cannot read model {path}: {exc}") from exc
        if document.get("format") != FORMAT:
            raise KeepwildError(f"{path}: not a {FORMAT} file")
        if tuple(document["rule_features"]) != RULE_FEATURES:
            raise KeepwildError(f"{path}: trained for other rule features; retrain it")
        hashing = document["hashing"]
        if int(hashing.get("word_ngrams", 0)) > 0 and hashing.get("word_hash") != WORD_HASH:
            raise KeepwildError(f"{path}: word n-grams trained with another word hash; retrain "
                                f"it (file: {hashing.get('word_hash')!r}, keepwild: {WORD_HASH!r})")
        coef = np.zeros(hashing["n_features"], dtype=np.float64)
        coef[np.asarray(document["coef_text"]["index"], dtype=np.int64)] = (
            document["coef_text"]["value"]
        )
        return cls(
            version=document["version"],
            n_features=hashing["n_features"],
            ngram_min=hashing["ngram_min"],
            ngram_max=hashing["ngram_max"],
            coef_text=coef,
            coef_rules=np.asarray(document["coef_rules"], dtype=np.float64),
            intercept=float(document["intercept"]),
            calibration=(float(document["calibration"][0]), float(document["calibration"][1])),
            metadata=document.get("metadata", {}),
            word_ngrams=int(hashing.get("word_ngrams", 0)),
            word_weight=float(hashing.get("word_weight", 1.0)),
        )


def stack(text: sparse.spmatrix, rules: np.ndarray) -> sparse.csr_matrix:
    """Text and rule features side by side, as the classifier sees them."""
    return sparse.hstack([text, sparse.csr_matrix(rules)], format="csr")
