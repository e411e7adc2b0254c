"""Labeled listings: reading them, and fixed train/dev/test splits without leakage.

A labeled record is a listing plus ``label`` (1: an offer to sell, buy or trade prohibited
wildlife or its parts; 0: anything else) and optionally ``category``, ``lang``, ``kind`` and
``obfuscated``. Splits are assigned once and stored in the corpus files: near-duplicate
listings (cosine similarity of character n-grams ≥ 0.8) always land in the same split, so a
test listing never has a twin in training.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import orjson
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer

from keepwild.detect.listing import Listing
from keepwild.errors import InputError
from keepwild.lexicon.schema import CATEGORIES
from keepwild.records import BadRecord
from keepwild.text.fold import fold

__all__ = ["Labeled", "read_labeled", "shipped_corpus", "assign_splits", "near_duplicates",
           "Addition", "plan_addition", "SPLITS", "NEAR_DUPLICATE", "KINDS"]

SPLITS = ("train", "dev", "test")
SPLIT_SHARES = (0.7, 0.15, 0.15)
NEAR_DUPLICATE = 0.8
#: What a listing is, for slicing evaluation: offers (label 1) and four kinds of label 0.
KINDS = ("positive", "hard_negative", "legal_animal", "news", "unrelated")


@dataclass(frozen=True, slots=True)
class Labeled:
    """A listing with its gold label and the facts evaluation slices by."""

    listing: Listing
    label: int
    lang: str | None = None
    category: str | None = None
    kind: str | None = None
    obfuscated: bool = False
    split: str | None = None
    record: dict[str, Any] | None = None  # the record as read, to write back unchanged


def _labeled(record: Any) -> Labeled:
    listing = Listing.from_mapping(record)
    label = record.get("label")
    if label not in (0, 1) or isinstance(label, bool):
        raise InputError("field 'label' must be 0 or 1")
    category = record.get("category")
    if category is not None and category not in CATEGORIES:
        raise InputError(f"unknown category {category!r}")
    split = record.get("split")
    if split is not None and split not in SPLITS:
        raise InputError(f"field 'split' must be one of {', '.join(SPLITS)}")
    return Labeled(listing, label, record.get("lang"), category, record.get("kind"),
                   bool(record.get("obfuscated")), split, dict(record))


def read_labeled(handle: TextIO, defaults: dict[str, Any] | None = None
                 ) -> Iterator[tuple[int, Labeled | BadRecord]]:
    """Yield ``(line, Labeled or BadRecord)`` for every JSON line of labeled data; fields a
    record leaves out take their value from ``defaults``."""
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
            if not isinstance(record, dict):
                raise InputError("a record must be an object")
            if defaults:
                record = {**defaults, **record}
            yield number, _labeled(record)
        except orjson.JSONDecodeError as exc:
            yield number, BadRecord(number, f"invalid JSON: {exc}")
        except InputError as exc:
            yield number, BadRecord(number, str(exc))


def corpus_dir() -> Path:
    return Path(str(files("keepwild").joinpath("data/corpus")))


def shipped_corpus(split: str | None = None) -> list[Labeled]:
    """The shipped multilingual corpus (all languages), optionally one split of it."""
    records: list[Labeled] = []
    for path in sorted(corpus_dir().glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line, item in read_labeled(handle):
                if isinstance(item, BadRecord):
                    raise InputError(f"{path.name}:{line}: {item.reason}")
                if split is None or item.split == split:
                    records.append(item)
    return records


def _texts(items: Iterable[Labeled]) -> list[str]:
    return [fold(item.listing.joined_text()) for item in items]


def near_duplicates(left: list[str], right: list[str], threshold: float = NEAR_DUPLICATE
                    ) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, similarity)`` with ``left[i]`` and ``right[j]`` at least ``threshold``
    alike (cosine of TF-IDF character 3-5-grams)."""
    if not left or not right:
        return []
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=1)
    vectorizer.fit(left + right)
    similarity = (vectorizer.transform(left) @ vectorizer.transform(right).T).tocoo()
    return [(int(i), int(j), float(v)) for i, j, v in
            zip(similarity.row, similarity.col, similarity.data) if v >= threshold]


def _bucket(identifier: str, seed: int) -> str:
    digest = hashlib.sha256(f"{seed}:{identifier}".encode()).digest()
    value = int.from_bytes(digest[:8], "big") / 2**64
    cumulative = 0.0
    for split, share in zip(SPLITS, SPLIT_SHARES):
        cumulative += share
        if value < cumulative:
            return split
    return SPLITS[-1]


def assign_splits(items: list[Labeled], seed: int = 2026) -> list[str]:
    """A split per item: hashed from the id, shared by every member of a near-duplicate group
    (the group follows its smallest id), so no listing has a near twin in another split."""
    texts = _texts(items)
    pairs = near_duplicates(texts, texts)
    rows = [i for i, j, _ in pairs if i != j]
    cols = [j for i, j, _ in pairs if i != j]
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(items), len(items)))
    _, group = connected_components(graph, directed=False)
    leader: dict[int, str] = {}
    for index in sorted(range(len(items)), key=lambda k: items[k].listing.id):
        leader.setdefault(int(group[index]), items[index].listing.id)
    return [_bucket(leader[int(group[index])], seed) for index in range(len(items))]


@dataclass
class Addition:
    """What adding a batch of new listings to one language's corpus file would do."""

    accepted: list[dict[str, Any]]  # records with their new ids, in input order
    near_twins: list[tuple[int, str, float]]  # (input line, id of the existing twin, similarity)
    problems: list[tuple[int, str]]  # (input line, reason): the batch is refused if any


def _check_new(item: Labeled, lang: str) -> str | None:
    """Why a new corpus record is unfit, or None: the corpus needs every slicing field."""
    if item.lang != lang:
        return f"field 'lang' must be {lang!r}, not {item.lang!r}"
    if item.kind not in KINDS:
        return f"field 'kind' must be one of {', '.join(KINDS)}"
    if (item.kind == "positive") != (item.label == 1):
        return "label 1 goes with kind 'positive' and label 0 with the other kinds"
    if (item.category is None) == (item.label == 1):
        return "a positive needs a 'category' and a negative must have none"
    if item.obfuscated != bool((item.record or {}).get("obfuscation")):
        return "'obfuscated' true needs an 'obfuscation' family, and false needs none"
    if not item.listing.title.strip():
        return "field 'title' is empty"
    return None


def plan_addition(lang: str, new: list[tuple[int, Labeled]], existing: list[Labeled]
                  ) -> Addition:
    """Check new listings for one language against the whole corpus, give them the next ids
    (``<lang>-NNNN``), and set aside near twins of listings already in it or earlier in the
    batch, and listings titled like one already in it (a twin would leak across splits or
    count one listing twice)."""
    problems = [(line, reason) for line, item in new if (reason := _check_new(item, lang))]
    batch_titles: set[str] = set()
    for line, item in new:
        title = fold(item.listing.title)
        if title in batch_titles:
            problems.append((line, f"title {item.listing.title!r} appears twice in the batch"))
        batch_titles.add(title)
    if problems:
        return Addition([], [], sorted(problems))
    # A listing titled like one already in the corpus is the same item written again.
    old_titles = {fold(i.listing.title): i.listing.id for i in existing if i.lang == lang}
    twins: dict[int, tuple[str, float]] = {
        index: (old_titles[fold(item.listing.title)], 1.0)
        for index, (_, item) in enumerate(new) if fold(item.listing.title) in old_titles
    }
    old_texts = _texts(existing)
    new_texts = _texts(item for _, item in new)
    for i, j, similarity in near_duplicates(new_texts, old_texts):
        twins.setdefault(i, (existing[j].listing.id, similarity))
    for i, j, similarity in near_duplicates(new_texts, new_texts):
        if j < i and j not in twins:
            twins.setdefault(i, (f"line {new[j][0]}", similarity))
    numbers = [int(i.listing.id.rsplit("-", 1)[1]) for i in existing
               if i.lang == lang and i.listing.id.rsplit("-", 1)[-1].isdigit()]
    next_number = max(numbers, default=0) + 1
    accepted = []
    for index, (_, item) in enumerate(new):
        if index in twins:
            continue
        record = {key: value for key, value in (item.record or {}).items()
                  if key not in ("id", "split")}
        accepted.append({"id": f"{lang}-{next_number:04d}", **record})
        next_number += 1
    near = [(new[i][0], twin, similarity) for i, (twin, similarity) in sorted(twins.items())]
    return Addition(accepted, near, [])
