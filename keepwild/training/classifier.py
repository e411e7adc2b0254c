"""Training the listing model, as a scikit-learn estimator.

``ListingClassifier`` follows the estimator contract: ``__init__`` only stores settings,
``fit`` learns (and returns ``self``), fitted state ends in ``_``, so ``clone``, grid search
and pipelines work. Its input is listings (mappings or :class:`~keepwild.Listing`), turned into
features by the same scanner code that serves them, so training and serving cannot drift.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from keepwild.detect.model import ListingModel, stack, text_features
from keepwild.detect.scanner import ListingLike, Scanner

__all__ = ["ListingClassifier", "platt"]


def platt(margins: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Platt scaling ``p = 1 / (1 + exp(a * margin + b))`` fitted on held-out margins."""
    if len(set(labels.tolist())) < 2:
        return -1.0, 0.0  # nothing to calibrate against: keep the logistic link
    fit = LogisticRegression(C=1e6, solver="lbfgs").fit(margins.reshape(-1, 1), labels)
    return -float(fit.coef_[0, 0]), -float(fit.intercept_[0])


class ListingClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression over hashed character n-grams plus the rules' evidence.

    >>> model = ListingClassifier().fit(listings, labels)          # doctest: +SKIP
    >>> model.calibrate(dev_listings, dev_labels).to_model().save(path)  # doctest: +SKIP
    """

    def __init__(self, *, C: float = 64.0, n_features: int = 2**18, ngram_min: int = 2,
                 ngram_max: int = 5, word_ngrams: int = 0, word_weight: float = 1.0,
                 random_state: int = 0, policy: str = "coalition") -> None:
        self.C = C
        self.n_features = n_features
        self.ngram_min = ngram_min
        self.ngram_max = ngram_max
        self.word_ngrams = word_ngrams
        self.word_weight = word_weight
        self.random_state = random_state
        self.policy = policy

    def _scanner(self) -> Scanner:
        if not hasattr(self, "scanner_"):
            self.scanner_ = Scanner(policy=self.policy, detect_language=False, model=None)
        return self.scanner_

    def _features(self, listings: Sequence[ListingLike]) -> tuple[sparse.csr_matrix, np.ndarray]:
        scanner = self._scanner()
        folded, rules, gated = zip(*(scanner.features(item) for item in listings))
        text = text_features(list(folded), self.n_features, self.ngram_min, self.ngram_max,
                             self.word_ngrams, self.word_weight)
        return stack(text, np.vstack(rules)), np.asarray(gated, dtype=bool)

    def fit(self, X: Sequence[ListingLike], y: Sequence[int]) -> ListingClassifier:
        features, _ = self._features(X)
        labels = np.asarray(y, dtype=np.int64)
        self.estimator_ = LogisticRegression(
            C=self.C, class_weight="balanced", solver="liblinear",
            random_state=self.random_state, max_iter=1000,
        ).fit(features, labels)
        self.classes_ = self.estimator_.classes_
        self.calibration_ = (-1.0, 0.0)
        return self

    def decision_function(self, X: Sequence[ListingLike]) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        features, _ = self._features(X)
        return self.estimator_.decision_function(features)

    def calibrate(self, X: Sequence[ListingLike], y: Sequence[int]) -> ListingClassifier:
        """Fit Platt scaling on held-out listings the scanner would send to the model."""
        check_is_fitted(self, "estimator_")
        features, gated = self._features(X)
        margins = self.estimator_.decision_function(features)
        labels = np.asarray(y, dtype=np.int64)
        self.calibration_ = platt(margins[gated], labels[gated])
        return self

    def predict_proba(self, X: Sequence[ListingLike]) -> np.ndarray:
        margins = self.decision_function(X)
        a, b = self.calibration_
        positive = 1.0 / (1.0 + np.exp(np.clip(a * margins + b, -50, 50)))
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X: Sequence[ListingLike]) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(np.int64)

    def to_model(self, metadata: dict[str, Any] | None = None) -> ListingModel:
        """The fitted weights as the scanner's model file."""
        check_is_fitted(self, "estimator_")
        coef = self.estimator_.coef_.ravel()
        return ListingModel(
            version=f"{date.today():%Y.%m.%d}",
            n_features=self.n_features,
            ngram_min=self.ngram_min,
            ngram_max=self.ngram_max,
            coef_text=coef[: self.n_features].copy(),
            coef_rules=coef[self.n_features:].copy(),
            intercept=float(self.estimator_.intercept_[0]),
            calibration=self.calibration_,
            metadata={"params": self.get_params(), **(metadata or {})},
            word_ngrams=self.word_ngrams,
            word_weight=self.word_weight,
        )
