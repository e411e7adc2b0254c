"""Honest evaluation on labeled listings: rules alone, model alone, and the combined scanner.

A prediction counts as positive when the verdict is ``block`` or ``review`` (rules, combined),
or when the model's probability is at least 0.5 (model alone, run on every listing).
Figures come overall, per language, per category (recall of that category's positives, and
precision of the scanner's flags naming it) and for the slices the coalition cares about:
obfuscated positives and hard negatives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
from sklearn.metrics import matthews_corrcoef

from keepwild.detect.model import ListingModel, default_model_path
from keepwild.detect.result import ScanResult
from keepwild.detect.scanner import Scanner
from keepwild.training.corpus import Labeled

__all__ = ["Scores", "SystemReport", "Evaluation", "evaluate", "scores", "calibration_table"]

SYSTEMS = ("rules", "model", "combined")


@dataclass(frozen=True)
class Scores:
    n: int
    tp: int
    fp: int
    fn: int
    tn: int
    precision: float
    recall: float
    f1: float
    mcc: float | None  # None where it means nothing (category slices hold no true negatives)


def scores(gold: Sequence[int], predicted: Sequence[int]) -> Scores:
    g = np.asarray(gold, dtype=bool)
    p = np.asarray(predicted, dtype=bool)
    tp, fp = int((g & p).sum()), int((~g & p).sum())
    fn, tn = int((g & ~p).sum()), int((~g & ~p).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    mcc = float(matthews_corrcoef(g, p)) if len(set(g.tolist())) > 1 or len(set(p.tolist())) > 1 \
        else 0.0
    return Scores(len(g), tp, fp, fn, tn, precision, recall, f1, mcc)


@dataclass
class SystemReport:
    overall: Scores
    by_language: dict[str, Scores]
    by_category: dict[str, Scores]  # gold positives of the category + negatives flagged with it
    obfuscated_recall: float
    hard_negative_flag_rate: float


@dataclass
class Evaluation:
    systems: dict[str, SystemReport]
    calibration: list[dict[str, float]]
    errors: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _report(items: Sequence[Labeled], predicted: np.ndarray,
            flagged_categories: list[tuple[str, ...]] | None) -> SystemReport:
    gold = np.asarray([item.label for item in items])
    languages = sorted({item.lang or "und" for item in items})
    by_language = {
        lang: scores(gold[mask], predicted[mask])
        for lang in languages
        if (mask := np.asarray([(item.lang or "und") == lang for item in items])).any()
    }
    by_category: dict[str, Scores] = {}
    for category in sorted({item.category for item in items if item.category}):
        positives = np.asarray([item.category == category for item in items])
        if flagged_categories is None:
            mask = positives  # the model names no category: recall only
        else:
            named = np.asarray([category in cats for cats in flagged_categories])
            mask = positives | ((gold == 0) & named)
        # Only negatives flagged with the category join its slice, so it has no true negatives
        # and MCC would only measure that construction.
        by_category[category] = replace(scores(gold[mask], predicted[mask]), mcc=None)
    obfuscated = np.asarray([item.label == 1 and item.obfuscated for item in items])
    hard = np.asarray([item.label == 0 and item.kind == "hard_negative" for item in items])
    return SystemReport(
        overall=scores(gold, predicted),
        by_language=by_language,
        by_category=by_category,
        obfuscated_recall=float(predicted[obfuscated].mean()) if obfuscated.any() else 0.0,
        hard_negative_flag_rate=float(predicted[hard].mean()) if hard.any() else 0.0,
    )


def calibration_table(probabilities: np.ndarray, gold: np.ndarray, bins: int = 5
                      ) -> list[dict[str, float]]:
    """Mean predicted score against observed positive rate, per score bin."""
    table = []
    edges = np.linspace(0.0, 1.0, bins + 1)
    for low, high in zip(edges[:-1], edges[1:]):
        mask = (probabilities >= low) & ((probabilities < high) | (high == 1.0))
        if mask.any():
            table.append({"from": float(low), "to": float(high), "n": int(mask.sum()),
                          "mean_score": float(probabilities[mask].mean()),
                          "positive_rate": float(gold[mask].mean())})
    return table


def _error(item: Labeled, result: ScanResult, kind: str) -> dict[str, Any]:
    return {
        "kind": kind, "id": item.listing.id, "lang": item.lang, "category": item.category,
        "title": item.listing.title, "description": item.listing.description[:300],
        "verdict": result.verdict, "score": round(result.score, 3),
        "reasons": [r.detail for r in result.reasons],
    }


def evaluate(items: Sequence[Labeled], *, policy: str = "coalition",
             model: ListingModel | None = None, errors: int = 0) -> Evaluation:
    """Evaluate the three systems on ``items``; ``errors`` worst mistakes kept per kind."""
    model = model or (ListingModel.load() if default_model_path().exists() else None)
    rules = Scanner(policy=policy, detect_language=False, model=None)
    results_rules = [rules.scan(item.listing) for item in items]
    gold = np.asarray([item.label for item in items])
    systems = {"rules": _report(
        items, np.asarray([r.flagged for r in results_rules]),
        [r.categories for r in results_rules],
    )}
    calibration: list[dict[str, float]] = []
    chosen = results_rules
    if model is not None:
        combined = Scanner(policy=policy, detect_language=False, model=model)
        results_combined = [combined.scan(item.listing) for item in items]
        folded, vectors = [], []
        for item in items:
            text, vector, _ = rules.features(item.listing)
            folded.append(text)
            vectors.append(vector)
        alone = model.calibrate(model.margins(folded, np.vstack(vectors)))
        systems["model"] = _report(items, alone >= 0.5, None)
        systems["combined"] = _report(
            items, np.asarray([r.flagged for r in results_combined]),
            [r.categories for r in results_combined],
        )
        calibration = calibration_table(np.asarray([r.score for r in results_combined]), gold)
        chosen = results_combined
    worst: dict[str, list[dict[str, Any]]] = {}
    if errors:
        false_pos = sorted(
            (i for i, r in enumerate(chosen) if r.flagged and gold[i] == 0),
            key=lambda i: -chosen[i].score,
        )[:errors]
        false_neg = sorted(
            (i for i, r in enumerate(chosen) if not r.flagged and gold[i] == 1),
            key=lambda i: chosen[i].score,
        )[:errors]
        worst = {
            "false_positives": [_error(items[i], chosen[i], "false positive") for i in false_pos],
            "false_negatives": [_error(items[i], chosen[i], "false negative") for i in false_neg],
        }
    return Evaluation(systems, calibration, worst)
