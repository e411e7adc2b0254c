"""The curator workflow: export to a spreadsheet, edit, import, and see exactly the changes."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

from keepwild.lexicon.diff import diff_lexicons
from keepwild.lexicon.files import load_lexicon, read_export


def keepwild(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "keepwild", *args], capture_output=True,
                          text=True, timeout=120)


def test_csv_and_json_exports_round_trip_without_loss(tmp_path: Path, small_lexicon_dir: Path
                                                      ) -> None:
    original = load_lexicon(small_lexicon_dir)
    for fmt in ("csv", "json"):
        out = tmp_path / f"lexicon.{fmt}"
        done = keepwild("lexicon", "export", str(small_lexicon_dir), "--format", fmt,
                        "--out", str(out))
        assert done.returncode == 0, done.stderr
        again = load_lexicon(out) if fmt == "json" else read_export(out, base=original)
        assert again.terms == original.terms
        assert diff_lexicons(original, again).empty


def test_spreadsheet_edit_import_and_diff(tmp_path: Path, small_lexicon_dir: Path) -> None:
    workdir = tmp_path / "lexicon"
    shutil.copytree(small_lexicon_dir, workdir)
    export = tmp_path / "export.csv"
    assert keepwild("lexicon", "export", str(workdir), "--out", str(export)).returncode == 0

    with export.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0].keys())
    for row in rows:
        if row["term"] == "tiger bone":
            row["weight"] = "0.95"
            row["note"] = "raised after review of seized listings"
        if row["term"] == "white gold":
            row["status"] = "retired"
    rows.append({**rows[0], "term": "éléphant d'Afrique", "lang": "fr", "kind": "species",
                 "category": "ivory", "species": "Loxodonta africana", "weight": "0.5",
                 "status": "active", "note": "", "source": "curator test"})
    rows.append({**rows[0], "term": "象牙筷子", "lang": "zh", "kind": "product",
                 "category": "ivory", "species": "", "weight": "0.9", "status": "active",
                 "note": "", "source": "curator test"})
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)

    before = tmp_path / "before"
    shutil.copytree(workdir, before)
    done = keepwild("lexicon", "import", str(export), "--into", str(workdir),
                    "--version", "2026.12.0", "--note", "curator test edits")
    assert done.returncode == 0, done.stderr

    done = keepwild("lexicon", "diff", str(before), str(workdir))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert sorted(l for l in lines if l.startswith("+")) == [
        "+ added    fr species \"éléphant d'Afrique\" (ivory)",
        "+ added    zh product '象牙筷子' (ivory)",
    ]
    changed = [l for l in lines if l.startswith("~")]
    assert len(changed) == 1 and "'tiger bone'" in changed[0] and "0.9 -> 0.95" in changed[0]
    assert [l for l in lines if l.startswith("-")] == ["- retired  en codeword 'white gold'"]
    assert lines[-1] == "2 added, 1 changed, 1 retired, 0 removed"

    imported = load_lexicon(workdir)
    assert imported.version == "2026.12.0"
    assert "## 2026.12.0" in imported.changelog and "curator test edits" in imported.changelog


def test_import_refuses_invalid_edits_and_writes_nothing(tmp_path: Path, small_lexicon_dir: Path
                                                         ) -> None:
    workdir = tmp_path / "lexicon"
    shutil.copytree(small_lexicon_dir, workdir)
    export = tmp_path / "export.json"
    assert keepwild("lexicon", "export", str(workdir), "--format", "json",
                    "--out", str(export)).returncode == 0
    document = json.loads(export.read_text(encoding="utf-8"))
    document["terms"].append({**document["terms"][0], "term": "white", "kind": "codeword"})
    export.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    snapshot = {p.name: p.read_bytes() for p in (workdir / "terms").iterdir()}
    done = keepwild("lexicon", "import", str(export), "--into", str(workdir), "--version", "9")
    assert done.returncode == 3
    assert "too general" in done.stderr
    assert {p.name: p.read_bytes() for p in (workdir / "terms").iterdir()} == snapshot


def test_import_with_changes_needs_a_new_version(tmp_path: Path, small_lexicon_dir: Path) -> None:
    workdir = tmp_path / "lexicon"
    shutil.copytree(small_lexicon_dir, workdir)
    export = tmp_path / "export.csv"
    assert keepwild("lexicon", "export", str(workdir), "--out", str(export)).returncode == 0
    text = export.read_text(encoding="utf-8").replace("tiger bone,", "tiger bones,")
    export.write_text(text, encoding="utf-8")
    done = keepwild("lexicon", "import", str(export), "--into", str(workdir))
    assert done.returncode == 2
    assert "give a new --version" in done.stderr
