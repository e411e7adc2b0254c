"""Adding newly written listings to the corpus: new ids, twins set aside, bad lines named."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from keepwild import Listing
from keepwild.training.corpus import Labeled, plan_addition

EXISTING = [
    Labeled(Listing(id="sw-0007", title="Pembe za ndovu kilo 3",
                    description="Pembe safi za ndovu, kilo tatu, bei inbox, tupo Mombasa."),
            label=1, lang="sw", category="ivory", kind="positive"),
    Labeled(Listing(id="sw-0012", title="Kiti cha mninga", description="Kiti kizuri cha mbao."),
            label=0, lang="sw", kind="unrelated"),
]


def new(line: int, title: str, description: str, **fields: object) -> tuple[int, Labeled]:
    record = {"lang": "sw", "title": title, "description": description, "label": 0,
              "category": None, "kind": "unrelated", "obfuscated": False,
              "obfuscation": None, **fields}
    listing = Listing(id="new", title=title, description=description)
    return line, Labeled(listing, int(record["label"]), "sw", record["category"],
                         record["kind"], bool(record["obfuscated"]), None, record)


def test_new_listings_get_the_next_ids_and_twins_are_set_aside() -> None:
    plan = plan_addition("sw", [
        new(1, "Meza ya jikoni", "Meza ya mbao ngumu, urefu mita moja, bei nafuu sana."),
        new(2, "Pembe za ndovu kilo tatu",
            "Pembe safi za ndovu, kilo tatu, bei inbox, tupo Mombasa!", label=1,
            category="ivory", kind="positive"),
        new(3, "Baiskeli ya watoto", "Baiskeli ndogo ya mtoto wa miaka mitano, rangi nyekundu."),
        new(4, "Kiti cha mninga", "Kiti cha mninga chenye mto, kimetumika miaka miwili tu."),
    ], EXISTING)
    assert plan.problems == []
    assert [r["id"] for r in plan.accepted] == ["sw-0013", "sw-0014"]
    assert [r["title"] for r in plan.accepted] == ["Meza ya jikoni", "Baiskeli ya watoto"]
    assert [(line, twin) for line, twin, _ in plan.near_twins] == [(2, "sw-0007"), (4, "sw-0012")]


def test_unfit_lines_refuse_the_whole_batch() -> None:
    plan = plan_addition("sw", [
        new(1, "Meza ya jikoni", "Meza ya mbao."),
        new(2, "Kobe hai", "Kobe wa nyota wawili.", label=1, kind="positive"),
        new(3, "Meza ya jikoni", "Meza nyingine."),
        new(4, "Kasuku", "Kasuku wa kijivu.", label=1, category="birds", kind="hard_negative"),
    ], EXISTING)
    assert plan.accepted == []
    reasons = dict(plan.problems)
    assert set(reasons) == {2, 3, 4}
    assert "needs a 'category'" in reasons[2]
    assert "appears twice in the batch" in reasons[3]
    assert "label 1 goes with kind 'positive'" in reasons[4]


def test_cli_names_each_bad_line_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "new.jsonl"
    good = {"title": "Bwawa la samaki la plastiki", "description": "Bwawa dogo la bustani.",
            "label": 0, "category": None, "kind": "unrelated", "obfuscated": False,
            "obfuscation": None}
    source.write_text("\n".join([
        json.dumps(good), "{not json", json.dumps({**good, "title": "Taa", "label": 2}),
    ]) + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "keepwild", "corpus", "add", str(source), "--lang", "sw"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert f"{source}:2: invalid JSON" in result.stderr
    assert f"{source}:3: field 'label' must be 0 or 1" in result.stderr
    assert "nothing added" in result.stderr
