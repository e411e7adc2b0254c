"""Reading and writing lexicons: the shipped directory, one-file CSV and JSON exports.

A lexicon directory (the shipped one lives in ``keepwild/lexicon/data``) holds
``manifest.toml``, ``CHANGELOG.md``, ``species.csv`` and ``terms/<lang>.csv``. Curators usually
work on a one-file export instead: a CSV with a ``lang`` column that opens in a spreadsheet, or
JSON for machines. Every reader reports bad rows with their file and line number.
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
from collections.abc import Iterable
from dataclasses import asdict
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from keepwild.errors import LexiconError
from keepwild.lexicon.model import Lexicon
from keepwild.lexicon.schema import SPECIES_COLUMNS, TERM_COLUMNS, Species, Term

__all__ = [
    "default_lexicon_dir",
    "load_lexicon",
    "read_lexicon_dir",
    "write_lexicon_dir",
    "read_export",
    "write_csv",
    "write_json",
]

_LANG_FILE_COLUMNS = tuple(c for c in TERM_COLUMNS if c != "lang")


def default_lexicon_dir() -> Path:
    """The lexicon shipped inside the package."""
    with as_file(files("keepwild.lexicon").joinpath("data")) as path:
        return Path(path)


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Load a lexicon directory or export file (default: the shipped lexicon)."""
    target = Path(path) if path is not None else default_lexicon_dir()
    if target.is_dir():
        return read_lexicon_dir(target)
    return read_export(target)


def _term_from_row(row: dict[str, str], lang: str, where: str) -> Term:
    try:
        weight = float(row.get("weight") or 0.5)
        tp = int(row.get("tp") or 0)
        fp = int(row.get("fp") or 0)
    except ValueError as exc:
        raise LexiconError(f"{where}: {exc}") from exc
    term = (row.get("term") or "").strip()
    if not term:
        raise LexiconError(f"{where}: empty term")
    return Term(
        term=term,
        lang=lang.strip(),
        kind=(row.get("kind") or "").strip(),
        category=(row.get("category") or "").strip(),
        species=(row.get("species") or "").strip(),
        weight=weight,
        status=(row.get("status") or "active").strip(),
        boundary=(row.get("boundary") or "").strip(),
        source=(row.get("source") or "").strip(),
        added=(row.get("added") or "").strip(),
        note=(row.get("note") or "").strip(),
        tp=tp,
        fp=fp,
    )


def _read_rows(text: str, name: str, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in required if c not in (reader.fieldnames or ())]
    if missing:
        raise LexiconError(f"{name}: missing columns {', '.join(missing)}")
    rows = []
    for row in reader:
        if None in row:
            raise LexiconError(f"{name}:{reader.line_num}: more cells than columns")
        rows.append((reader.line_num, row))
    return rows


def read_lexicon_dir(path: Path) -> Lexicon:
    manifest_path = path / "manifest.toml"
    if not manifest_path.exists():
        raise LexiconError(f"{path}: no manifest.toml, not a lexicon directory")
    manifest = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
    species: dict[str, Species] = {}
    species_path = path / "species.csv"
    if species_path.exists():
        for line, row in _read_rows(
            species_path.read_text(encoding="utf-8"), "species.csv", SPECIES_COLUMNS
        ):
            item = Species(**{c: (row[c] or "").strip() for c in SPECIES_COLUMNS})
            if item.scientific_name in species:
                raise LexiconError(f"species.csv:{line}: duplicate {item.scientific_name!r}")
            species[item.scientific_name] = item
    terms: list[Term] = []
    for term_file in sorted((path / "terms").glob("*.csv")):
        lang = term_file.stem
        name = f"terms/{term_file.name}"
        for line, row in _read_rows(
            term_file.read_text(encoding="utf-8"), name, ("term", "kind", "weight")
        ):
            terms.append(_term_from_row(row, lang, f"{name}:{line}"))
    changelog_path = path / "CHANGELOG.md"
    return Lexicon(
        version=str(manifest.get("version", "0")),
        species=species,
        terms=tuple(terms),
        changelog=changelog_path.read_text(encoding="utf-8") if changelog_path.exists() else "",
    )


def write_lexicon_dir(lexicon: Lexicon, path: Path) -> None:
    """Write ``lexicon`` as a lexicon directory (one CSV per language), replacing term files."""
    (path / "terms").mkdir(parents=True, exist_ok=True)
    (path / "manifest.toml").write_text(f'version = "{lexicon.version}"\n', encoding="utf-8")
    if lexicon.changelog:
        (path / "CHANGELOG.md").write_text(lexicon.changelog, encoding="utf-8")
    with (path / "species.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=SPECIES_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for item in lexicon.species.values():
            writer.writerow(asdict(item))
    for old in (path / "terms").glob("*.csv"):
        old.unlink()
    by_lang: dict[str, list[Term]] = {}
    for term in lexicon.terms:
        by_lang.setdefault(term.lang, []).append(term)
    for lang, terms in sorted(by_lang.items()):
        with (path / "terms" / f"{lang}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=_LANG_FILE_COLUMNS, extrasaction="ignore",
                                    lineterminator="\n")
            writer.writeheader()
            writer.writerows(t.to_row() for t in terms)


def write_csv(lexicon: Lexicon, handle: io.TextIOBase | Any) -> None:
    """One-file, spreadsheet-friendly export: every term with its ``lang`` column."""
    writer = csv.DictWriter(handle, fieldnames=TERM_COLUMNS)
    writer.writeheader()
    writer.writerows(t.to_row() for t in lexicon.terms)


def write_json(lexicon: Lexicon, handle: io.TextIOBase | Any) -> None:
    """Machine export: version, species and terms in one JSON document."""
    document = {
        "version": lexicon.version,
        "species": [asdict(s) for s in lexicon.species.values()],
        "terms": [asdict(t) for t in lexicon.terms],
    }
    json.dump(document, handle, ensure_ascii=False, indent=1)
    handle.write("\n")


def read_export(path: Path, *, base: Lexicon | None = None) -> Lexicon:
    """Read a CSV or JSON export. Species and version come from ``base`` for CSV files."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        try:
            document = json.loads(text)
            species = {s["scientific_name"]: Species(**s) for s in document.get("species", [])}
            terms = [
                _term_from_row({k: str(v) for k, v in row.items()}, str(row["lang"]),
                               f"{path.name}: term {index + 1}")
                for index, row in enumerate(document["terms"])
            ]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise LexiconError(f"{path.name}: not a keepwild lexicon export ({exc})") from exc
        return Lexicon(version=str(document.get("version", "0")), species=species,
                       terms=tuple(terms))
    if base is None:
        base = load_lexicon()
    rows = _read_rows(text, path.name, ("term", "lang", "kind", "weight"))
    terms = [_term_from_row(row, row["lang"], f"{path.name}:{line}") for line, row in rows]
    return Lexicon(version=base.version, species=base.species, terms=tuple(terms),
                   changelog=base.changelog)
