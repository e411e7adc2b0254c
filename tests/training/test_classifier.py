"""The learned model: estimator contract, reproducibility, a safe file format, the scanner."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from keepwild import Scanner
from keepwild.cli.training import load_labeled
from keepwild.detect.model import ListingModel
from keepwild.errors import KeepwildError
from keepwild.training.classifier import ListingClassifier


@pytest.fixture(scope="module")
def split(labeled_file: Path) -> dict[str, list]:
    items = load_labeled(labeled_file)
    return {name: [i for i in items if i.split == name] for name in ("train", "dev", "test")}


@pytest.fixture(scope="module")
def fitted(split: dict[str, list]) -> ListingClassifier:
    train, dev = split["train"], split["dev"]
    model = ListingClassifier(n_features=2**16).fit([i.listing for i in train],
                                                    [i.label for i in train])
    return model.calibrate([i.listing for i in dev], [i.label for i in dev])


def test_init_stores_params_only_and_clones() -> None:
    model = ListingClassifier(C=2.0, ngram_max=4)
    assert model.get_params()["C"] == 2.0
    assert not hasattr(model, "estimator_")
    assert clone(model).get_params() == model.get_params()


def test_learns_the_task(fitted: ListingClassifier, split: dict[str, list]) -> None:
    test = split["test"]
    predicted = fitted.predict([i.listing for i in test])
    accuracy = float(np.mean(predicted == np.asarray([i.label for i in test])))
    assert accuracy >= 0.8
    probabilities = fitted.predict_proba([i.listing for i in test])
    assert probabilities.shape == (len(test), 2)
    assert np.allclose(probabilities.sum(axis=1), 1.0)


def test_same_data_and_seed_give_the_same_model(split: dict[str, list], tmp_path: Path) -> None:
    train = split["train"]
    paths = []
    for run in range(2):
        model = ListingClassifier(n_features=2**16, random_state=3).fit(
            [i.listing for i in train], [i.label for i in train])
        path = tmp_path / f"model{run}.json"
        model.to_model().save(path)
        paths.append(path)
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_model_file_round_trips(fitted: ListingClassifier, split: dict[str, list],
                                tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    fitted.to_model().save(path)
    loaded = ListingModel.load(path)
    scanner = Scanner(detect_language=False, model=None)
    listings = [i.listing for i in split["test"]]
    folded, vectors = zip(*((f, v) for f, v, _ in map(scanner.features, listings)))
    from_file = loaded.calibrate(loaded.margins(list(folded), np.vstack(vectors)))
    assert np.allclose(from_file, fitted.predict_proba(listings)[:, 1], atol=1e-4)


def test_bad_model_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text('{"format": "something-else"}', encoding="utf-8")
    with pytest.raises(KeepwildError, match="not a keepwild-listing-model"):
        ListingModel.load(path)


def test_scanner_uses_the_model_within_policy_bounds(fitted: ListingClassifier) -> None:
    scanner = Scanner(detect_language=False, model=fitted.to_model())
    result = scanner.scan({"id": "1", "title": "Ivory bangle for sale", "description": "DM me"})
    assert result.verdict in ("block", "review")
    assert any(r.rule == "model" for r in result.reasons)
    clean = scanner.scan({"id": "2", "title": "Oak chair", "description": "solid wood"})
    assert clean.verdict == "allow" and not clean.reasons
    assert 0 < clean.score < scanner.policy.review_without_terms  # the model read it


def test_fit_calibrates_by_cross_validation(split: dict[str, list]) -> None:
    """Without a held-out set, probabilities are calibrated on cross-validated margins:
    the mean probability on unseen listings is near their share of positives."""
    train, test = split["train"] + split["dev"], split["test"]
    model = ListingClassifier(n_features=2**16).fit([i.listing for i in train],
                                                    [i.label for i in train])
    a, b = model.calibration_
    assert a < 0  # a higher margin, a higher probability
    probabilities = model.predict_proba([i.listing for i in test])[:, 1]
    share = float(np.mean([i.label for i in test]))
    assert abs(float(probabilities.mean()) - share) < 0.15
