"""``keepwild scan`` as a user runs it: a real process, real files, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

KEEPWILD = [sys.executable, "-m", "keepwild"]


def run(*args: str, stdin: str | None = None, lexicon: Path | None = None
        ) -> subprocess.CompletedProcess[str]:
    extra = ["--lexicon", str(lexicon)] if lexicon else []
    return subprocess.run(
        [*KEEPWILD, *args, *extra], input=stdin, capture_output=True, text=True, timeout=120
    )


LISTINGS = [
    {"id": "a", "title": "Ivory bangle", "description": "for sale, DM me", "price": 300},
    {"id": "b", "title": "Oak chair", "description": "solid wood"},
    {"id": "c", "title": "R.H.I.N.O horn", "description": "for sale"},
]


def write_jsonl(path: Path, records: list[object], bad_lines: dict[int, str]) -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    for index, text in sorted(bad_lines.items()):
        lines.insert(index, text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_scan_jsonl_file_in_input_order(tmp_path: Path, small_lexicon_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, LISTINGS, {})
    out = tmp_path / "out.jsonl"
    done = run("scan", str(source), "--out", str(out), lexicon=small_lexicon_dir)
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in results] == ["a", "b", "c"]
    assert [r["verdict"] for r in results] == ["block", "allow", "block"]
    for result in results:
        assert set(result) >= {"id", "verdict", "score", "categories", "species", "language",
                               "matches", "reasons"}
    rhino = results[2]["matches"]
    assert any(m["text"] == "R.H.I.N.O horn" and "spaced" in m["obfuscation"] for m in rhino)


def test_malformed_lines_reported_with_line_numbers_others_scanned(
    tmp_path: Path, small_lexicon_dir: Path
) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, LISTINGS, {1: "{not json", 3: '{"title": "no id"}', 4: "[1, 2]"})
    done = run("scan", str(source), lexicon=small_lexicon_dir)
    assert done.returncode == 1
    assert "line 2: skipped: invalid JSON" in done.stderr
    assert "line 4: skipped: field 'id' is required" in done.stderr
    assert "line 5: skipped: a listing must be an object" in done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in results] == ["a", "b", "c"]


def test_scan_csv_with_bad_row(tmp_path: Path, small_lexicon_dir: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "id,title,description,price\n"
        "1,Ivory bangle,for sale,120\n"
        "2,Chair,nice,not-a-number\n"
        '3,"Tiger bone, old","for sale, multi\nline",10\n',
        encoding="utf-8",
    )
    done = run("scan", str(source), lexicon=small_lexicon_dir)
    assert done.returncode == 1
    assert "line 3: skipped: field 'price' must be a number" in done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["id"], r["verdict"]) for r in results] == [("1", "block"), ("3", "block")]


def test_scan_stdin(small_lexicon_dir: Path) -> None:
    done = run("scan", "-", stdin=json.dumps(LISTINGS[0]) + "\n", lexicon=small_lexicon_dir)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verdict"] == "block"


def test_scan_text_option(small_lexicon_dir: Path) -> None:
    done = run("scan", "--text", "1v0ry bangle for sale", lexicon=small_lexicon_dir)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["verdict"] == "block"
    assert any("leet" in m["obfuscation"] for m in result["matches"])


def test_scan_policy_option_changes_verdict(tmp_path: Path, small_lexicon_dir: Path) -> None:
    text = "Old ivory carving from my grandmother"
    strict = json.loads(run("scan", "--text", text, lexicon=small_lexicon_dir).stdout)
    lenient = json.loads(
        run("scan", "--text", text, "--policy", "lenient", lexicon=small_lexicon_dir).stdout
    )
    assert (strict["verdict"], lenient["verdict"]) == ("review", "allow")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("scan",), "give an INPUT file"),
        (("scan", "missing.jsonl"), "no such file"),
        (("scan", "--text", "x", "--policy", "nope"), "unknown policy 'nope'"),
    ],
)
def test_usage_errors_are_one_clear_line(args: tuple[str, ...], message: str) -> None:
    done = run(*args)
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_non_utf8_input_is_refused(tmp_path: Path, small_lexicon_dir: Path) -> None:
    source = tmp_path / "latin1.jsonl"
    source.write_bytes('{"id": "1", "title": "éléphant"}\n'.encode("latin-1"))
    done = run("scan", str(source), lexicon=small_lexicon_dir)
    assert done.returncode == 2
    assert "not UTF-8" in done.stderr
