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
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC
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
    """A linear SVM over hashed character and word n-grams plus the rules' evidence, with
    Platt scaling fitted on cross-validated margins of the training data itself.

    Chosen by 5-fold cross-validation on the corpus's train and dev splits (docs/model.md):
    a nearly unregularised linear SVM over character 1- to 4-grams and word unigrams beat
    logistic regression over character 2- to 5-grams (F1 0.946 against 0.933), and character
    1- to 3-grams score the same as 1- to 4-grams (0.954) with a quarter fewer n-grams to hash
    for every listing the scanner reads. Calibrating on cross-validated margins (scikit-learn's
    ``CalibratedClassifierCV`` with ``ensemble=False``) lets the final model learn from every
    labelled listing; ``calibrate`` refits the scaling on a separate held-out set if there is
    one.

    >>> model = ListingClassifier().fit(listings, labels)          # doctest: +SKIP
    >>> model.to_model().save(path)                                # doctest: +SKIP
    """

    def __init__(self, *, C: float = 4.0, n_features: int = 2**18, ngram_min: int = 1,
                 ngram_max: int = 3, word_ngrams: int = 1, word_weight: float = 1.0,
                 calibration_folds: int = 5, random_state: int = 0,
                 policy: str = "coalition") -> None:
        self.C = C
        self.n_features = n_features
        self.ngram_min = ngram_min
        self.ngram_max = ngram_max
        self.word_ngrams = word_ngrams
        self.word_weight = word_weight
        self.calibration_folds = calibration_folds
        self.random_state = random_state
        self.policy = policy

    def _scanner(self) -> Scanner:
        if not hasattr(self, "scanner_"):
            self.scanner_ = Scanner(policy=self.policy, detect_language=False, model=None)
        return self.scanner_

    def _features(self, listings: Sequence[ListingLike]) -> sparse.csr_matrix:
        scanner = self._scanner()
        folded, rules, _ = zip(*(scanner.features(item) for item in listings))
        text = text_features(list(folded), self.n_features, self.ngram_min, self.ngram_max,
                             self.word_ngrams, self.word_weight)
        return stack(text, np.vstack(rules))

    def fit(self, X: Sequence[ListingLike], y: Sequence[int]) -> ListingClassifier:
        features = self._features(X)
        labels = np.asarray(y, dtype=np.int64)
        svm = LinearSVC(C=self.C, class_weight="balanced", random_state=self.random_state,
                        max_iter=10_000)
        folds = StratifiedKFold(self.calibration_folds, shuffle=True,
                                random_state=self.random_state)
        calibrated = CalibratedClassifierCV(svm, method="sigmoid", cv=folds,
                                            ensemble=False).fit(features, labels)
        fitted = calibrated.calibrated_classifiers_[0]
        self.estimator_ = fitted.estimator
        self.classes_ = self.estimator_.classes_
        sigmoid = fitted.calibrators[0]  # p = 1 / (1 + exp(a * margin + b)), as the model file
        self.calibration_ = (float(sigmoid.a_), float(sigmoid.b_))
        return self

    def decision_function(self, X: Sequence[ListingLike]) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        return self.estimator_.decision_function(self._features(X))

    def calibrate(self, X: Sequence[ListingLike], y: Sequence[int]) -> ListingClassifier:
        """Refit Platt scaling on held-out listings (the scanner consults the model on all)."""
        margins = self.decision_function(X)
        self.calibration_ = platt(margins, np.asarray(y, dtype=np.int64))
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
