"""``keepwild scan`` and ``keepwild policies``."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, BinaryIO, TextIO

import typer
from tqdm import tqdm

from keepwild.cli.exits import Exit, fail
from keepwild.detect.listing import Listing
from keepwild.detect.policy import load_policy, policy_names
from keepwild.detect.scanner import Scanner
from keepwild.errors import KeepwildError
from keepwild.lexicon.files import load_lexicon
from keepwild.records import FORMATS, BadRecord, dumps, guess_format, read_records

PolicyOption = Annotated[
    str, typer.Option("--policy", "-p", help="Policy profile name or .toml path.")
]
LexiconOption = Annotated[
    Path | None, typer.Option("--lexicon", help="Lexicon directory or export (default: shipped).")
]


def _scanner(policy: str, lexicon: Path | None, detect_language: bool = True) -> Scanner:
    try:
        return Scanner(load_lexicon(lexicon), load_policy(policy), detect_language=detect_language)
    except KeepwildError as exc:
        fail(str(exc), Exit.INVALID)


def _scan_stream(
    scanner: Scanner, handle: TextIO, fmt: str, out: BinaryIO, progress: tqdm | None
) -> tuple[Counter[str], int]:
    verdicts: Counter[str] = Counter()
    bad = 0
    for line, record in read_records(handle, fmt):
        if progress is not None:
            progress.n = line
            if line % 2000 == 0:
                progress.refresh()
        if isinstance(record, BadRecord):
            bad += 1
            print(f"line {record.line}: skipped: {record.reason}", file=sys.stderr)
            continue
        result = scanner.scan(record)
        verdicts[result.verdict] += 1
        out.write(dumps(result.to_dict()))
    return verdicts, bad


def scan(
    input: Annotated[
        str | None, typer.Argument(help="JSON Lines or CSV file of listings, or - for stdin.")
    ] = None,
    text: Annotated[
        str | None, typer.Option("--text", "-t", help="Scan this one listing text instead.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write results here (default: stdout).")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="Input format: jsonl or csv.")
    ] = None,
    policy: PolicyOption = "coalition",
    lexicon: LexiconOption = None,
    detect_language: Annotated[
        bool, typer.Option(help="Identify each listing's language when it has no 'lang'.")
    ] = True,
) -> None:
    """Scan listings and write one JSON result per listing, in input order.

    Example: keepwild scan listings.jsonl --out results.jsonl --policy coalition

    Input records have id, title, description and optionally price, currency, seller, url,
    images and lang. A malformed record is reported on stderr with its line number and
    skipped; the others are still scanned, and the exit code is 1 at the end.
    """
    if (input is None) == (text is None):
        fail("give an INPUT file (or -) or --text, not both", Exit.USAGE)
    scanner = _scanner(policy, lexicon, detect_language)
    if text is not None:
        result = scanner.scan(Listing(id="text", description=text))
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    assert input is not None
    fmt = fmt or ("jsonl" if input == "-" else guess_format(input))
    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", Exit.USAGE)
    sink = out.open("wb") if out else sys.stdout.buffer
    try:
        if input == "-":
            verdicts, bad = _scan_stream(scanner, sys.stdin, fmt, sink, None)
        else:
            path = Path(input)
            if not path.is_file():
                fail(f"no such file: {input}", Exit.USAGE)
            with path.open(encoding="utf-8-sig", newline="", errors="strict") as handle:
                with path.open("rb") as raw:
                    lines = sum(1 for _ in raw)
                with tqdm(total=lines, unit="line", file=sys.stderr, desc="scanning",
                          mininterval=0.5) as progress:
                    verdicts, bad = _scan_stream(scanner, handle, fmt, sink, progress)
                    progress.n = lines
                    progress.refresh()
    except UnicodeDecodeError as exc:
        fail(f"input is not UTF-8 ({exc})", Exit.USAGE)
    finally:
        if out:
            sink.close()
        else:
            sink.flush()
    summary = ", ".join(f"{v} {verdicts[v]}" for v in ("block", "review", "allow"))
    print(f"scanned {sum(verdicts.values())} listings: {summary}; {bad} malformed",
          file=sys.stderr)
    if bad:
        raise typer.Exit(int(Exit.BAD_RECORDS))


def policies() -> None:
    """List the shipped policy profiles and their thresholds.

    Example: keepwild policies
    """
    for name in policy_names():
        profile = load_policy(name)
        print(f"{name}\tblock>={profile.block_threshold}\treview>={profile.review_threshold}"
              f"\t{profile.description}")

