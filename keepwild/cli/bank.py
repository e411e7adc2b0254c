"""``keepwild bank create|list|set|add|remove|import|export``: the service's hash banks,
edited in its database (the same operations and audit entries as the curators' API).

Each change is recorded in the audit log under ``--as`` (default ``cli:<login name>``); a
running service picks it up at its next lookup.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from keepwild.cli.exits import Exit, fail
from keepwild.cli.service import DatabaseOption, _database
from keepwild.media.errors import MediaError

if TYPE_CHECKING:
    from keepwild.store.database import Database

bank_app = typer.Typer(help="Hash banks in the service's database (curators' tools).",
                       no_args_is_help=True)

NameArgument = Annotated[str, typer.Argument(help="Bank name (lowercase, digits, . _ -).")]
ActorOption = Annotated[str | None, typer.Option(
    "--as", help="Who the audit log and provenance name (default cli:<login name>).")]
T = TypeVar("T")


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in a bare container
        return "cli:unknown"


@contextmanager
def _open(database: str | None) -> Iterator[Database]:
    db = _database(database)
    try:
        yield db
    finally:
        db.dispose()


def _run(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A bank operation; a refusal is one line on stderr and exit 3, not a traceback."""
    try:
        return call(*args, **kwargs)
    except MediaError as exc:
        fail(str(exc), Exit.INVALID)


def _now() -> Any:
    from keepwild.service.settings import utcnow

    return utcnow()


@bank_app.command("create")
def create(
    name: NameArgument,
    threshold: Annotated[int, typer.Option(help="Match at Hamming distance up to this (0-31).")
                         ] = 31,
    disabled: Annotated[bool, typer.Option("--disabled", help="Create it switched off.")
                        ] = False,
    description: Annotated[str, typer.Option(help="What the bank holds.")] = "",
    actor: ActorOption = None,
    database: DatabaseOption = None,
) -> None:
    """Create an empty bank.

    Example: keepwild bank create ivory-photos --threshold 24 --description "Confirmed ivory"
    """
    from keepwild.store.banks import create_bank

    with _open(database) as db:
        bank = _run(create_bank, db, actor=_actor(actor), now=_now(), name=name,
                    threshold=threshold, enabled=not disabled, description=description)
    print(f"created bank {bank.name!r} (threshold {bank.threshold}, "
          f"{'enabled' if bank.enabled else 'disabled'})", file=sys.stderr)


@bank_app.command("set")
def set_(
    name: NameArgument,
    threshold: Annotated[int | None, typer.Option(help="New match threshold (0-31).")] = None,
    enabled: Annotated[bool | None, typer.Option("--enable/--disable",
                                                 help="Switch the bank on or off.")] = None,
    actor: ActorOption = None,
    database: DatabaseOption = None,
) -> None:
    """Change a bank's threshold or switch it on or off.

    Example: keepwild bank set ivory-photos --threshold 20 --disable
    """
    from keepwild.store.banks import configure_bank

    with _open(database) as db:
        bank = _run(configure_bank, db, actor=_actor(actor), now=_now(), name=name,
                    threshold=threshold, enabled=enabled)
    print(f"bank {bank.name!r}: threshold {bank.threshold}, "
          f"{'enabled' if bank.enabled else 'disabled'}", file=sys.stderr)


@bank_app.command("list")
def list_(database: DatabaseOption = None) -> None:
    """Print one JSON line per bank: settings, and active and tombstoned entry counts.

    Example: keepwild bank list
    """
    from keepwild.store.banks import bank_summaries

    with _open(database) as db, db.session() as session:
        for summary in bank_summaries(session):
            print(json.dumps(summary, default=str))


@bank_app.command("add")
def add(
    name: NameArgument,
    signals: Annotated[list[str], typer.Argument(
        help="PDQ hashes (64 hex digits), or image files, http(s) URLs or data: URIs to hash.")],
    category: Annotated[str, typer.Option(help="Lexicon category, e.g. ivory.")],
    listing_id: Annotated[str | None, typer.Option(help="Confirmed listing they come from.")
                          ] = None,
    note: Annotated[str | None, typer.Option(help="A note kept with each entry.")] = None,
    actor: ActorOption = None,
    database: DatabaseOption = None,
) -> None:
    """Add hashes or images to a bank, with provenance; all or nothing (one unreadable image
    or bad hash refuses the command).

    Example: keepwild bank add ivory-photos photo.jpg 8f3c...e1 --category ivory --listing-id L-17
    """
    from keepwild.media.fetch import ImageLoader
    from keepwild.media.hashing import from_hex, hash_bytes
    from keepwild.store.banks import add_hashes

    entries = []
    loader = ImageLoader(allow_files=True)
    try:
        for value in signals:
            try:
                if len(value) == 64 and all(c in "0123456789abcdefABCDEF" for c in value):
                    code, quality = from_hex(value), None
                else:
                    pdq = hash_bytes(loader.load(value))
                    code, quality = pdq.hash, pdq.quality
            except MediaError as exc:
                fail(f"{value[:200]}: {exc}", Exit.INVALID)
            entries.append({"hash": code, "category": category, "quality": quality,
                            "listing_id": listing_id, "note": note})
    finally:
        loader.close()
    with _open(database) as db:
        added, duplicates = _run(add_hashes, db, actor=_actor(actor), now=_now(), name=name,
                                 entries=entries)
    for entry in added:
        print(json.dumps({"id": entry.id, "signal": entry.hex, "quality": entry.quality}))
    print(f"added {len(added)} to {name!r}; {len(duplicates)} already there", file=sys.stderr)


@bank_app.command("remove")
def remove(
    name: NameArgument,
    signals: Annotated[list[str], typer.Argument(help="PDQ hashes (64 hex digits).")],
    actor: ActorOption = None,
    database: DatabaseOption = None,
) -> None:
    """Withdraw hashes: their entries become tombstones, exported and shared like additions.

    Example: keepwild bank remove ivory-photos 8f3c...e1
    """
    from keepwild.media.hashing import from_hex
    from keepwild.store.banks import remove_hashes

    codes = [_run(from_hex, value) for value in signals]
    with _open(database) as db:
        removed, missing = _run(remove_hashes, db, actor=_actor(actor), now=_now(), name=name,
                                hashes=codes)
    for signal in missing:
        print(f"{signal}: not in bank {name!r}", file=sys.stderr)
    print(f"removed {len(removed)} from {name!r}", file=sys.stderr)


@bank_app.command("import")
def import_(
    name: NameArgument,
    file: Annotated[Path, typer.Argument(help="JSON Lines bank file ('-' for stdin).")],
    default_category: Annotated[str | None, typer.Option(
        help="Category for lines that name none.")] = None,
    create: Annotated[bool, typer.Option(help="Create the bank from the file's header if "
                                         "it does not exist.")] = True,
    actor: ActorOption = None,
    database: DatabaseOption = None,
) -> None:
    """Import a bank file: new hashes are added, tombstones withdraw entries (or are kept to
    be shared on); a file with any bad line is refused whole, naming every bad line.

    Example: keepwild bank import ivory-photos partner-ivory.jsonl --default-category ivory
    """
    from keepwild.media.bankfile import read_bank_file
    from keepwild.store.banks import import_bank

    who = _actor(actor)
    try:
        if str(file) == "-":
            parsed = _run(read_bank_file, sys.stdin.buffer, default_category=default_category,
                          importer=who)
        else:
            with file.open("rb") as handle:
                parsed = _run(read_bank_file, handle, default_category=default_category,
                              importer=who)
    except OSError as exc:
        fail(f"{file}: cannot read: {exc.strerror or exc}", Exit.USAGE)
    with _open(database) as db:
        _, report, created = _run(import_bank, db, actor=who, now=_now(), name=name,
                                  parsed=parsed, create=create)
    print(json.dumps({"bank": name, "created": created, **report._asdict()}))


@bank_app.command("export")
def export(
    name: NameArgument,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write "
                                             "(default: standard output).")] = None,
    database: DatabaseOption = None,
) -> None:
    """Write a bank as the JSON Lines exchange file, tombstones included.

    Example: keepwild bank export ivory-photos --out ivory-photos.jsonl
    """
    from keepwild.store.banks import export_bank

    with _open(database) as db:
        lines = _run(lambda: list(export_bank(db, name)))
    if out is None:
        sys.stdout.buffer.write(b"".join(lines))
        sys.stdout.flush()
    else:
        out.write_bytes(b"".join(lines))
        print(f"wrote {len(lines) - 1} entries of {name!r} to {out}", file=sys.stderr)
