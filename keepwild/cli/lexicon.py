"""``keepwild lexicon``: validate, count, export, import and compare lexicons."""

from __future__ import annotations

import sys
from pathlib import Path
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from keepwild.cli.exits import Exit, fail
from keepwild.errors import KeepwildError
from keepwild.lexicon.diff import diff_lexicons
from keepwild.lexicon.files import load_lexicon, write_csv, write_json, write_lexicon_dir
from keepwild.lexicon.model import Lexicon
from keepwild.lexicon.schema import CATEGORIES, LANGUAGES, Kind
from keepwild.lexicon.stats import lexicon_stats
from keepwild.lexicon.validate import validate as validate_lexicon

lexicon_app = typer.Typer(help="Curate the lexicon: validate, stats, export, import, diff.",
                          no_args_is_help=True)
PathArgument = Annotated[
    Path | None,
    typer.Argument(help="Lexicon directory or CSV/JSON export (default: the shipped lexicon)."),
]


def _load(path: Path | None) -> Lexicon:
    try:
        return load_lexicon(path)
    except KeepwildError as exc:
        fail(str(exc), Exit.INVALID)


def _write(lexicon: Lexicon, writer: Callable[[Lexicon, Any], None], out: Path | None) -> None:
    """Write an export to ``out``, or to stdout when no file is given."""
    if out is None:
        writer(lexicon, sys.stdout)
        return
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer(lexicon, handle)
    print(f"wrote {len(lexicon)} terms to {out}", file=sys.stderr)


@lexicon_app.command()
def validate(path: PathArgument = None) -> None:
    """Check every entry; exit 3 if any error is found.

    Example: keepwild lexicon validate my-edits.csv
    """
    lexicon = _load(path)
    issues = validate_lexicon(lexicon)
    for issue in issues:
        print(issue, file=sys.stderr)
    errors = sum(i.level == "error" for i in issues)
    warnings = len(issues) - errors
    print(f"lexicon {lexicon.version}: {len(lexicon)} terms, {len(lexicon.species)} species; "
          f"{errors} errors, {warnings} warnings")
    if errors:
        raise typer.Exit(int(Exit.INVALID))


@lexicon_app.command()
def stats(path: PathArgument = None) -> None:
    """Count active terms per language, kind and category.

    Example: keepwild lexicon stats
    """
    lexicon = _load(path)
    figures = lexicon_stats(lexicon)
    console = Console(width=200)
    console.print(f"lexicon {figures.version}: {figures.distinct_active} distinct active terms "
                  f"after normalisation, {figures.species} species; statuses {figures.by_status}")
    kinds = [k.value for k in Kind]
    table = Table(title="active terms per language and kind")
    table.add_column("lang")
    for kind in kinds:
        table.add_column(kind, justify="right")
    table.add_column("distinct", justify="right")
    for lang in LANGUAGES:
        row = [sum(n for (term_lang, k, _), n in figures.cells.items()
                   if term_lang == lang and k == kind) for kind in kinds]
        table.add_row(lang, *map(str, row), str(figures.by_language[lang]))
    console.print(table)
    grid = Table(title="active item terms (species, product, codeword) per language and category")
    grid.add_column("lang")
    for category in CATEGORIES:
        grid.add_column(category, justify="right")
    for lang in LANGUAGES:
        grid.add_row(lang, *(
            str(sum(n for (term_lang, k, c), n in figures.cells.items()
                    if term_lang == lang and c == category
                    and k in ("species", "product", "codeword")))
            for category in CATEGORIES
        ))
    console.print(grid)
    for lang, missing in figures.missing_categories.items():
        console.print(f"[yellow]{lang} lacks categories: {', '.join(missing)}[/yellow]")


@lexicon_app.command()
def export(
    path: PathArgument = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or json")] = "csv",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File (default: stdout)")] = None,
) -> None:
    """Export the lexicon as one CSV (spreadsheet-friendly) or JSON file.

    Example: keepwild lexicon export --format csv --out lexicon.csv
    """
    if fmt not in ("csv", "json"):
        fail("format must be csv or json", Exit.USAGE)
    lexicon = _load(path)
    _write(lexicon, write_csv if fmt == "csv" else write_json, out)


@lexicon_app.command("import")
def import_(
    source: Annotated[Path, typer.Argument(help="An edited CSV or JSON export.")],
    into: Annotated[Path, typer.Option("--into", help="Lexicon directory to write.")],
    version: Annotated[
        str | None, typer.Option(help="Version of the new release (required if changed).")
    ] = None,
    note: Annotated[str, typer.Option(help="Changelog entry for this release.")] = "",
) -> None:
    """Import an edited export into a lexicon directory, after validating it.

    Example: keepwild lexicon import edited.csv --into ./lexicon --version 2026.12.0 --note "..."
    """
    base = _load(into if (into / "manifest.toml").exists() else None)
    edited = _load(source)
    errors = [i for i in validate_lexicon(edited) if i.level == "error"]
    for issue in errors:
        print(issue, file=sys.stderr)
    if errors:
        fail(f"{len(errors)} errors: nothing written", Exit.INVALID)
    changes = diff_lexicons(base, edited)
    if not changes.empty and (version is None or version == base.version):
        fail("the import changes terms: give a new --version (and a --note)", Exit.USAGE)
    new_version = version or base.version
    changelog = base.changelog
    if not changes.empty:
        entry = (f"## {new_version}\n- {note or 'curator import'}: {len(changes.added)} added, "
                 f"{len(changes.changed)} changed, {len(changes.retired)} retired, "
                 f"{len(changes.removed)} removed.\n\n")
        head, _, rest = changelog.partition("\n## ")
        changelog = f"{head.rstrip()}\n\n{entry}" + (f"## {rest}" if rest else "")
    write_lexicon_dir(
        Lexicon(new_version, edited.species or base.species, edited.terms, changelog), into
    )
    print(f"wrote lexicon {new_version} to {into}: {len(edited)} terms")


@lexicon_app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier lexicon (directory or export).")],
    new: Annotated[Path, typer.Argument(help="The later lexicon (directory or export).")],
) -> None:
    """Show terms added, changed and retired between two lexicons.

    Example: keepwild lexicon diff lexicon-old.csv lexicon-new.csv
    """
    changes = diff_lexicons(_load(old), _load(new))
    for term in changes.added:
        print(f"+ added    {term.lang} {term.kind} {term.term!r} ({term.category or '-'})")
    for change in changes.changed:
        details = ", ".join(
            f"{name}: {getattr(change.old, name)!r} -> {getattr(change.new, name)!r}"
            for name in change.fields
        )
        print(f"~ changed  {change.new.lang} {change.new.kind} {change.new.term!r}: {details}")
    for term in changes.retired:
        print(f"- retired  {term.lang} {term.kind} {term.term!r}")
    for term in changes.removed:
        print(f"! removed  {term.lang} {term.kind} {term.term!r} (deleted, not retired)")
    print(f"{len(changes.added)} added, {len(changes.changed)} changed, "
          f"{len(changes.retired)} retired, {len(changes.removed)} removed")


@lexicon_app.command()
def suggest(
    data: Annotated[Path, typer.Argument(help="Labeled JSON Lines ('label', 'lang').")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="CSV to write.")] = None,
    top: Annotated[int, typer.Option(help="Suggestions per language.")] = 25,
    min_count: Annotated[int, typer.Option(help="Positives a phrase must appear in.")] = 3,
) -> None:
    """Mine candidate terms: phrases far more frequent in positives than negatives.

    Example: keepwild lexicon suggest decisions.jsonl --out candidates.csv

    Suggestions are 'candidate' terms with their counts in the note; review them, then
    import the ones worth keeping with `keepwild lexicon import`.
    """
    from keepwild.cli.training import load_labeled
    from keepwild.training.suggest import suggest_terms

    lexicon = _load(None)
    terms = suggest_terms(load_labeled(data), lexicon, top=top, min_count=min_count,
                          source=data.name)
    _write(Lexicon(lexicon.version, lexicon.species, tuple(terms)), write_csv, out)
