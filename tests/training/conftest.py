"""Labeled data for training tests: the 12-language scan cases with a fixed split."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

CASES = Path(__file__).parents[1] / "data" / "scan_cases"


@pytest.fixture(scope="session")
def labeled_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = []
    for path in sorted(CASES.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            rows.append({
                "id": case["id"], "lang": case["lang"], "title": case["title"],
                "description": case["description"], "label": int(case["expect"] == "flag"),
                "category": case["category"], "obfuscated": bool(case.get("obfuscation")),
                "kind": "positive" if case["expect"] == "flag" else "hard_negative",
            })
    random.Random(7).shuffle(rows)
    for index, row in enumerate(rows):
        row["split"] = "train" if index % 5 < 3 else ("dev" if index % 5 == 3 else "test")
    path = tmp_path_factory.mktemp("labeled") / "cases.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path
