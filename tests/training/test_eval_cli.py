"""``keepwild train``, ``eval`` and ``lexicon suggest`` as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path


def keepwild(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "keepwild", *args], capture_output=True,
                          text=True, timeout=600)


def test_train_then_eval_json(labeled_file: Path, tmp_path: Path) -> None:
    model = tmp_path / "model.json"
    done = keepwild("train", str(labeled_file), "--out", str(model))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in labeled_file.read_text(encoding="utf-8").splitlines()]
    metadata = json.loads(model.read_text(encoding="utf-8"))["metadata"]
    assert metadata["train"] == sum(row["split"] != "test" for row in rows) < len(rows)
    assert metadata["calibration"] == "cross-validated"
    done = keepwild("eval", str(labeled_file), "--model", str(model), "--json", "--errors", "3")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report["systems"]) == {"rules", "model", "combined"}
    overall = report["systems"]["combined"]["overall"]
    assert overall["n"] == overall["tp"] + overall["fp"] + overall["fn"] + overall["tn"]
    assert 0 <= overall["mcc"] <= 1 and overall["f1"] > 0.5
    assert set(report["systems"]["rules"]["by_language"]) >= {"en", "zh", "ar", "th"}
    by_category = report["systems"]["combined"]["by_category"]
    assert by_category and all(row["tn"] == 0 and row["mcc"] is None
                               for row in by_category.values())
    assert report["calibration"] and all(0 <= row["positive_rate"] <= 1
                                         for row in report["calibration"])


def test_train_calibrates_on_held_out_data_when_given(labeled_file: Path,
                                                      tmp_path: Path) -> None:
    rows = [json.loads(line) for line in labeled_file.read_text(encoding="utf-8").splitlines()]
    held_out = tmp_path / "held-out.jsonl"
    held_out.write_text("".join(json.dumps(row) + "\n" for row in rows
                                if row["split"] == "test"), encoding="utf-8")
    model = tmp_path / "model.json"
    done = keepwild("train", str(labeled_file), "--dev", str(held_out), "--out", str(model))
    assert done.returncode == 0, done.stderr
    document = json.loads(model.read_text(encoding="utf-8"))
    assert document["metadata"]["calibration"] == sum(row["split"] == "test" for row in rows)
    assert "calibrated on" in done.stdout


def test_eval_tables_for_people(labeled_file: Path) -> None:
    done = keepwild("eval", str(labeled_file), "--errors", "2")
    assert done.returncode == 0, done.stderr
    assert "rules: per language" in done.stdout and "rules: per category" in done.stdout
    assert "recall on obfuscated positives" in done.stdout


def test_eval_reports_malformed_lines(tmp_path: Path) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text('{"id": "1", "title": "x", "label": 1}\n{"id": "2", "title": "y"}\n{oops\n',
                    encoding="utf-8")
    done = keepwild("eval", str(data))
    assert done.returncode == 1
    assert "bad.jsonl:2: skipped: field 'label' must be 0 or 1" in done.stderr
    assert "bad.jsonl:3: skipped: invalid JSON" in done.stderr


def test_suggest_mines_candidates_only(tmp_path: Path) -> None:
    rows = []
    for index in range(12):
        rows.append({"id": f"p{index}", "lang": "en", "label": 1, "category": "ivory",
                     "title": f"zorblat figurine no {index}", "description": "ready stock"})
        rows.append({"id": f"n{index}", "lang": "en", "label": 0,
                     "title": f"wooden chair no {index}", "description": "good condition"})
    data = tmp_path / "labeled.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    done = keepwild("lexicon", "suggest", str(data), "--top", "10")
    assert done.returncode == 0, done.stderr
    suggestions = list(csv.DictReader(io.StringIO(done.stdout)))
    terms = {s["term"] for s in suggestions}
    assert "zorblat" in terms
    assert not terms & {"wooden", "chair", "condition"}  # negative-side words never suggested
    assert {s["status"] for s in suggestions} == {"candidate"}
    assert all(s["category"] == "ivory" for s in suggestions)
