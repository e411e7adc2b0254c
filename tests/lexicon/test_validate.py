"""The validator names the entry and the problem for every kind of bad entry."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from keepwild.lexicon.files import load_lexicon
from keepwild.lexicon.validate import validate

HEADER = "term,kind,category,species,weight,status,boundary,source,added,note,tp,fp\n"


def lexicon_with(tmp_path: Path, small_lexicon_dir: Path, rows: str, lang: str = "en") -> Path:
    target = tmp_path / "lexicon"
    shutil.copytree(small_lexicon_dir, target)
    with (target / "terms" / f"{lang}.csv").open("a", encoding="utf-8") as handle:
        handle.write(rows)
    return target


def test_small_lexicon_is_valid(small_lexicon_dir: Path) -> None:
    assert [i for i in validate(load_lexicon(small_lexicon_dir)) if i.level == "error"] == []


@pytest.mark.parametrize(
    ("row", "lang", "message"),
    [
        ("ivory,product,ivory,,0.8,active,,test,2026-11-23,,0,0\n", "en",
         "duplicate of en product 'ivory'"),
        ("IVÓRY,product,ivory,,0.8,active,,test,2026-11-23,,0,0\n", "en",
         "duplicate of en product 'ivory' after folding"),
        ("ivory carving,product,ivory,,0.8,active,,test,2026-11-23,,0,0\n", "xx",
         "unknown language 'xx'"),
        ("ivory carving,product,jewels,,0.8,active,,test,2026-11-23,,0,0\n", "en",
         "unknown or missing category 'jewels'"),
        ("ivory carving,weapon,ivory,,0.8,active,,test,2026-11-23,,0,0\n", "en",
         "unknown kind 'weapon'"),
        ("ivory carving,product,ivory,,0.8,maybe,,test,2026-11-23,,0,0\n", "en",
         "unknown status 'maybe'"),
        ("ox,codeword,ivory,,0.8,active,,test,2026-11-23,,0,0\n", "en", "too short"),
        ("which,codeword,ivory,,0.8,active,,test,2026-11-23,,0,0\n", "en", "stop word"),
        ("white,codeword,ivory,,0.8,active,,test,2026-11-23,,0,0\n", "en", "too general"),
        ("ivory carving,product,ivory,,0.8,active,,,2026-11-23,,0,0\n", "en", "missing source"),
        ("ivory carving,product,ivory,,1.8,active,,test,2026-11-23,,0,0\n", "en",
         "weight 1.8 is outside"),
        ("ivory carving,product,ivory,Mammut fictus,0.8,active,,test,2026-11-23,,0,0\n", "en",
         "species 'Mammut fictus' is not in species.csv"),
        ("ivory carving,product,ivory,,0.8,active,,test,yesterday,,0,0\n", "en",
         "'added' must be a date"),
        ("for real,sale,ivory,,0.4,active,,test,2026-11-23,,0,0\n", "en",
         "a sale term takes no category"),
        ("teeth,part,jewels,,0.8,active,,test,2026-11-23,,0,0\n", "en",
         "unknown category 'jewels'"),
        ("which,part,,,0.8,active,,test,2026-11-23,,0,0\n", "en", "stop word"),
    ],
)
def test_each_bad_entry_is_named(
    tmp_path: Path, small_lexicon_dir: Path, row: str, lang: str, message: str
) -> None:
    path = lexicon_with(tmp_path, small_lexicon_dir, row if lang != "xx" else HEADER + row, lang)
    errors = [str(i) for i in validate(load_lexicon(path)) if i.level == "error"]
    assert any(message in e for e in errors), errors
    term = row.split(",")[0]
    assert any(repr(term) in e for e in errors if message in e)


def test_part_words_may_be_general_words(tmp_path: Path, small_lexicon_dir: Path) -> None:
    """A bare "teeth" would match almost everything as wildlife evidence, but a part word is
    evidence only beside a species name, so the too-general rule does not apply to it."""
    rows = ("teeth,part,,,0.8,active,,test,2026-11-23,,0,0\n"
            "tusks,part,ivory,,0.9,active,,test,2026-11-23,,0,0\n")
    issues = validate(load_lexicon(lexicon_with(tmp_path, small_lexicon_dir, rows)))
    assert [str(i) for i in issues if i.level == "error"] == []


def test_collision_with_benign_phrase_is_a_warning(tmp_path: Path, small_lexicon_dir: Path
                                                   ) -> None:
    row = "faux resin ivory,product,ivory,,0.8,active,,test,2026-11-23,,0,0\n"
    issues = validate(load_lexicon(lexicon_with(tmp_path, small_lexicon_dir, row)))
    warnings = [str(i) for i in issues if i.level == "warning"]
    assert any("faux resin ivory" in w and "benign phrase 'resin'" in w for w in warnings)


def test_cli_validate_fails_with_the_message(tmp_path: Path, small_lexicon_dir: Path) -> None:
    path = lexicon_with(tmp_path, small_lexicon_dir,
                        "white,codeword,ivory,,0.8,active,,test,2026-11-23,,0,0\n")
    done = subprocess.run([sys.executable, "-m", "keepwild", "lexicon", "validate", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 3
    assert "error: en codeword 'white': too general" in done.stderr


def test_term_precision_from_decisions() -> None:
    from keepwild.lexicon.schema import Term

    assert Term(term="ivory", lang="en", kind="product").precision is None
    assert Term(term="ivory", lang="en", kind="product", tp=3, fp=1).precision == 0.75


def test_part_word_must_not_be_a_stop_word_in_another_language(
    tmp_path: Path, small_lexicon_dir: Path
) -> None:
    """English "fur" folds to German "für": beside every German animal name it would make a
    product."""
    row = "fur,part,,,0.7,active,,test,2026-11-23,,0,0\n"
    errors = [str(i) for i in validate(load_lexicon(lexicon_with(tmp_path, small_lexicon_dir,
                                                                 row)))
              if i.level == "error"]
    assert any("'fur'" in e and "a stop word in de" in e for e in errors), errors
