"""``keepwild train``, ``keepwild eval`` and ``keepwild corpus``: learning from labeled data.

The training stack (scikit-learn, SciPy) is imported inside the commands that use it: loading
it takes seconds, and every other ``keepwild`` command would pay for it at start-up.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from keepwild.cli.exits import Exit, fail
from keepwild.errors import KeepwildError
from keepwild.records import BadRecord

if TYPE_CHECKING:
    from keepwild.training.corpus import Labeled
    from keepwild.training.evaluate import Evaluation, Scores

corpus_app = typer.Typer(help="The shipped labeled corpus.", no_args_is_help=True)

DataArgument = Annotated[
    Path | None,
    typer.Argument(help="JSON Lines with 'label' 0/1 (default: the shipped corpus)."),
]


def load_labeled(path: Path) -> list[Labeled]:
    """Every good record of a labeled file; bad lines are reported, and fail the command."""
    from keepwild.training.corpus import read_labeled

    items, bad = [], 0
    with path.open(encoding="utf-8") as handle:
        for line, item in read_labeled(handle):
            if isinstance(item, BadRecord):
                bad += 1
                print(f"{path.name}:{line}: skipped: {item.reason}", file=sys.stderr)
            else:
                items.append(item)
    if bad:
        fail(f"{bad} malformed records in {path}; fix them first", Exit.BAD_RECORDS)
    return items


def _split(items: list[Labeled], split: str | None) -> list[Labeled]:
    return [i for i in items if split is None or i.split == split]


def train(
    data: DataArgument = None,
    dev: Annotated[Path | None, typer.Option(
        help="Held-out labeled data to calibrate on (default: cross-validated margins).")] = None,
    out: Annotated[Path | None, typer.Option(help="Model file to write.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed (same data and seed, same model).")] = 0,
    c: Annotated[float, typer.Option("--C", help="Inverse regularisation strength.")] = 4.0,
) -> None:
    """Train the learned model on labeled listings and calibrate its probabilities.

    Example: keepwild train decisions.jsonl --out model.json

    Without DATA, trains on the shipped corpus's train and dev splits (the test split is never
    used). Records with a 'split' field of 'test' are left out of DATA too. The probabilities
    are calibrated on 5-fold cross-validated margins of the training data, or on --dev.
    """
    from keepwild.detect.model import default_model_path
    from keepwild.training.classifier import ListingClassifier
    from keepwild.training.corpus import shipped_corpus

    items = shipped_corpus() if data is None else load_labeled(data)
    train_items = [i for i in items if i.split != "test"]
    held_out = load_labeled(dev) if dev is not None else []
    if len({i.label for i in train_items}) < 2:
        fail("training needs listings of both labels, outside the test split", Exit.USAGE)
    classifier = ListingClassifier(C=c, random_state=seed).fit(
        [i.listing for i in train_items], [i.label for i in train_items]
    )
    if held_out:
        classifier.calibrate([i.listing for i in held_out], [i.label for i in held_out])
    target = out or default_model_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    metadata = {"train": len(train_items), "calibration": len(held_out) or "cross-validated",
                "seed": seed, "lexicon": classifier.scanner_.lexicon.version}
    classifier.to_model(metadata).save(target)
    calibrated = f"on {len(held_out)} held-out listings" if held_out else "by cross-validation"
    print(f"trained on {len(train_items)} listings, calibrated {calibrated}; wrote {target}")


def _row(name: str, s: Scores) -> list[str]:
    return [name, str(s.n), f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}",
            f"{s.mcc:.3f}" if s.mcc is not None else "–", str(s.tp), str(s.fp), str(s.fn), str(s.tn)]


def _print(evaluation: Evaluation, console: Console) -> None:
    headers = ["slice", "n", "precision", "recall", "F1", "MCC", "TP", "FP", "FN", "TN"]
    for system, report in evaluation.systems.items():
        for title, rows in (
            ("overall", {"all": report.overall}),
            ("per language", report.by_language),
            ("per category", report.by_category),
        ):
            table = Table(title=f"{system}: {title}")
            for header in headers:
                table.add_column(header, justify="right" if header != "slice" else "left")
            for name, s in rows.items():
                table.add_row(*_row(name, s))
            console.print(table)
        console.print(f"{system}: recall on obfuscated positives {report.obfuscated_recall:.3f}; "
                      f"hard negatives flagged {report.hard_negative_flag_rate:.1%}\n")
    if evaluation.calibration:
        table = Table(title="combined score calibration (held-out)")
        for header in ("score bin", "n", "mean score", "share positive"):
            table.add_column(header, justify="right")
        for row in evaluation.calibration:
            table.add_row(f"{row['from']:.1f}-{row['to']:.1f}", str(row["n"]),
                          f"{row['mean_score']:.2f}", f"{row['positive_rate']:.2f}")
        console.print(table)
    for kind, errors in evaluation.errors.items():
        console.print(f"\n[bold]{kind.replace('_', ' ')}[/bold]")
        for error in errors:
            console.print(f"- {error['id']} [{error['lang']}] {error['verdict']} "
                          f"{error['score']}: {error['title']!r}")
            for reason in error["reasons"]:
                console.print(f"    {reason}")


def eval_(
    data: DataArgument = None,
    split: Annotated[
        str | None, typer.Option(help="Only this split (train, dev, test); default test.")
    ] = "test",
    errors: Annotated[int, typer.Option(help="Show the N worst false positives and negatives.")
                      ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    policy: Annotated[str, typer.Option(help="Policy profile.")] = "coalition",
    model: Annotated[Path | None, typer.Option(help="Model file (default: shipped).")] = None,
) -> None:
    """Precision, recall, F1 and MCC for rules, model and the combined scanner.

    Example: keepwild eval --split test --errors 5

    DATA is JSON Lines with 'label' (0/1) and optionally 'category', 'lang', 'kind' and
    'obfuscated'. Block and review count as positive.
    """
    from keepwild.detect.model import ListingModel
    from keepwild.training.corpus import shipped_corpus
    from keepwild.training.evaluate import evaluate

    try:
        items = shipped_corpus() if data is None else load_labeled(data)
        if data is None or any(i.split for i in items):
            items = _split(items, split)
        if not items:
            fail("no labeled records to evaluate", Exit.USAGE)
        loaded = ListingModel.load(model) if model else None
        evaluation = evaluate(items, policy=policy, model=loaded, errors=errors)
    except KeepwildError as exc:
        fail(str(exc))
    if as_json:
        print(json.dumps(evaluation.to_dict(), ensure_ascii=False, indent=1))
    else:
        _print(evaluation, Console(width=160))


def _write_splits(seed: int) -> int:
    """Assign splits over the whole shipped corpus and write them back; the number of listings."""
    from keepwild.training.corpus import assign_splits, corpus_dir

    paths = sorted(corpus_dir().glob("*.jsonl"))
    by_path = {path: load_labeled(path) for path in paths}
    everything = [item for items in by_path.values() for item in items]
    splits = iter(assign_splits(everything, seed))
    for path, items in by_path.items():
        lines = []
        for item in items:
            record = dict(item.record or {})
            record["split"] = next(splits)
            lines.append(json.dumps(record, ensure_ascii=False))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(everything)


@corpus_app.command("assign-splits")
def assign(seed: Annotated[int, typer.Option(help="Split seed.")] = 2026) -> None:
    """Write fixed train/dev/test splits into the shipped corpus files (near twins together).

    Example: keepwild corpus assign-splits
    """
    from keepwild.training.corpus import corpus_dir

    count = _write_splits(seed)
    print(f"assigned splits to {count} listings in {len(list(corpus_dir().glob('*.jsonl')))} "
          "files")


_RECORD_ORDER = ("id", "lang", "title", "description", "label", "category", "kind",
                 "obfuscated", "obfuscation")


@corpus_app.command("add")
def add(
    data: Annotated[Path, typer.Argument(help="JSON Lines of new labeled listings.")],
    lang: Annotated[str, typer.Option(help="Language of the listings (the corpus file).")],
    dry_run: Annotated[bool, typer.Option(help="Check and report; write nothing.")] = False,
    seed: Annotated[int, typer.Option(help="Split seed.")] = 2026,
) -> None:
    """Add newly written listings to the shipped corpus, with new ids and fixed splits.

    Example: keepwild corpus add new-sw.jsonl --lang sw

    Each record needs title, description, label, kind, category (positives only) and
    obfuscated/obfuscation. A batch with any malformed or unfit line is refused whole, each line
    reported with its number. Near twins of listings already in the corpus (or earlier in the
    batch), and listings titled like one already in it, are skipped and reported, so no listing
    gets a twin in another split.
    """
    from keepwild.text.langid import SUPPORTED_LANGUAGES
    from keepwild.training.corpus import corpus_dir, plan_addition, read_labeled, \
        shipped_corpus

    if lang not in SUPPORTED_LANGUAGES:
        fail(f"unknown language {lang!r} (known: {', '.join(SUPPORTED_LANGUAGES)})", Exit.USAGE)
    new: list[tuple[int, Labeled]] = []
    problems: list[tuple[int, str]] = []
    with data.open(encoding="utf-8") as handle:
        # New listings get their ids when added; "new" only lets them be read meanwhile.
        for line, item in read_labeled(handle, {"id": "new", "lang": lang}):
            if isinstance(item, BadRecord):
                problems.append((line, item.reason))
            else:
                new.append((line, item))
    plan = plan_addition(lang, new, shipped_corpus())
    problems += plan.problems
    if problems:
        for line, reason in sorted(problems):
            print(f"{data}:{line}: {reason}", file=sys.stderr)
        fail(f"nothing added: {len(problems)} line(s) to fix", Exit.BAD_RECORDS)
    for line, twin, similarity in plan.near_twins:
        print(f"{data}:{line}: skipped, a near twin of {twin} (similarity {similarity:.2f})",
              file=sys.stderr)
    if dry_run:
        print(f"would add {len(plan.accepted)} listings to {lang}.jsonl")
        return
    path = corpus_dir() / f"{lang}.jsonl"
    with path.open("a", encoding="utf-8") as handle:
        for record in plan.accepted:
            ordered = {key: record.get(key) for key in _RECORD_ORDER}
            ordered.update({k: v for k, v in record.items() if k not in ordered})
            handle.write(json.dumps(ordered, ensure_ascii=False) + "\n")
    _write_splits(seed)
    print(f"added {len(plan.accepted)} listings to {lang}.jsonl "
          f"({plan.accepted[0]['id'] if plan.accepted else '-'} on); splits assigned")
