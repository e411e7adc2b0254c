"""The 12-language acceptance cases: positives caught, hard negatives left alone.

Cases live in ``tests/data/scan_cases/<lang>.jsonl``; each says what it expects, which
category it is about and which obfuscation family (if any) it uses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keepwild import Scanner
from keepwild.text.langid import SUPPORTED_LANGUAGES

CASES_DIR = Path(__file__).parents[1] / "data" / "scan_cases"
OBFUSCATIONS = {"leet", "spaced", "homoglyph", "zero_width", "emoji", "repeat", "codeword",
                "diacritics", "traditional", "script"}


def load_cases() -> list[dict]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                case = json.loads(line)
                case["_where"] = f"{path.name}:{number}"
                cases.append(case)
    return cases


CASES = load_cases()


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


def test_every_language_has_positives_and_hard_negatives() -> None:
    for lang in SUPPORTED_LANGUAGES:
        mine = [c for c in CASES if c["lang"] == lang]
        assert sum(c["expect"] == "flag" for c in mine) >= 15, lang
        assert sum(c["expect"] == "allow" for c in mine) >= 15, lang


def test_every_obfuscation_family_is_covered() -> None:
    used = {c["obfuscation"] for c in CASES if c.get("obfuscation")}
    assert used >= OBFUSCATIONS - {"diacritics", "script"}, OBFUSCATIONS - used


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(scanner: Scanner, case: dict) -> None:
    listing = {"id": case["id"], "title": case["title"], "description": case["description"]}
    result = scanner.scan(listing)
    if case["expect"] == "flag":
        assert result.verdict in ("block", "review"), (case["_where"], result.reasons)
        assert case["category"] in result.categories, (case["_where"], result.categories)
    else:
        assert result.verdict == "allow", (case["_where"], result.reasons)
    for match in result.matches:
        assert listing[match.field][match.start:match.end] == match.text, case["_where"]


# Romanised listings (pinyin, unaccented Vietnamese) are written in Latin letters on purpose.
NATIVE_SCRIPT_POSITIVES = [
    c for c in CASES if c["expect"] == "flag" and c.get("obfuscation") not in ("script",)
]


@pytest.mark.parametrize("case", NATIVE_SCRIPT_POSITIVES, ids=[c["id"] for c in NATIVE_SCRIPT_POSITIVES])
def test_language_identified(scanner: Scanner, case: dict) -> None:
    result = scanner.scan({"id": case["id"], "title": case["title"],
                           "description": case["description"]})
    assert result.language == case["lang"], case["_where"]
