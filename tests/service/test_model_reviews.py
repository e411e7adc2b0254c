"""A listing without lexicon terms that the learned model finds likely reaches the review
queue through the running service, with the model's reason and its weightiest words."""

from __future__ import annotations

from pathlib import Path

import httpx
import numpy as np

from keepwild.detect.model import RULE_FEATURES, ListingModel
from keepwild.service.app import create_app
from keepwild.service.settings import utcnow
from keepwild.text.ngrams import ngram_indices

from .conftest import Server, add_user, service_settings

CODE_WORD = "qzxwv"  # a made-up code word no lexicon lists


def code_word_model(path: Path) -> Path:
    """A model file giving listings with the code word a probability near 1."""
    coef = np.zeros(2**12)
    coef[ngram_indices(CODE_WORD, 4, 4, 2**12)] = 40.0
    ListingModel(version="test", n_features=2**12, ngram_min=4, ngram_max=4, coef_text=coef,
                 coef_rules=np.zeros(len(RULE_FEATURES)), intercept=-6.0,
                 calibration=(-1.0, 0.0)).save(path)
    return path


def test_a_model_only_flag_is_queued_for_review_with_its_reason(database_url: str,
                                                                tmp_path: Path) -> None:
    model = code_word_model(tmp_path / "model.json")
    app = create_app(service_settings(database_url, utcnow, model=str(model)))
    with Server(app) as server:
        db = app.state.runtime.db
        keys = {role: add_user(db, role, role)[1] for role in ("admin", "moderator")}
        clients = {role: httpx.Client(base_url=server.url, timeout=30, verify=False,
                                      headers={"Authorization": f"Bearer {key}"})
                   for role, key in keys.items()}
        try:
            listings = [
                {"id": "coded", "title": f"Fresh {CODE_WORD} from the coast",
                 "description": "2 kg, serious buyers only"},
                {"id": "chair", "title": "Oak chair", "description": "solid wood, collect"},
            ]
            scanned = clients["admin"].post("/v1/scan", json=listings[0])
            assert scanned.status_code == 200, scanned.text
            assert scanned.json()["verdict"] == "review"
            ingested = clients["admin"].post("/v1/listings", json={"listings": listings})
            assert ingested.status_code == 200, ingested.text
            claimed = clients["moderator"].post("/v1/queue/claim", json={"limit": 5})
            assert claimed.status_code == 200, claimed.text
            items = claimed.json()["items"]
            assert [item["listing"]["id"] for item in items] == ["coded"]
            scan = items[0]["scan"]
            assert scan["verdict"] == "review" and scan["matches"] == []
            assert scan["score"] > 0.99
            (reason,) = scan["reasons"]
            assert reason["rule"] == "model" and "no lexicon term" in reason["detail"]
            assert f"'{CODE_WORD}'" in reason["detail"]
        finally:
            for client in clients.values():
                client.close()
