"""``keepwild images hash`` and ``keepwild images match``: PDQ hashes of images, and matches
against bank files (the JSON Lines exchange format, see docs/images.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from keepwild.cli.exits import Exit, fail
from keepwild.media.bankfile import import_bank_file, read_bank_file
from keepwild.media.banks import BankSet
from keepwild.media.errors import MediaError
from keepwild.media.fetch import FetchPolicy, ImageLoader
from keepwild.media.hashing import PdqHash, hash_bytes
from keepwild.media.matcher import BankMatcher

images_app = typer.Typer(help="PDQ hashes of images and matches against hash banks.",
                         no_args_is_help=True)

ImagesArgument = Annotated[
    list[str], typer.Argument(help="Image files, http(s) URLs or data: URIs.")
]
PrivateOption = Annotated[
    bool, typer.Option("--allow-private", help="Also fetch from private and loopback addresses.")
]


def _hashes(images: list[str], allow_private: bool) -> list[tuple[str, PdqHash | None, str]]:
    loader = ImageLoader(FetchPolicy(allow_private=allow_private), allow_files=True)
    out: list[tuple[str, PdqHash | None, str]] = []
    try:
        for reference in images:
            try:
                out.append((reference, hash_bytes(loader.load(reference)), ""))
            except MediaError as exc:
                out.append((reference, None, str(exc)))
    finally:
        loader.close()
    return out


def _report_failures(results: list[tuple[str, PdqHash | None, str]]) -> int:
    failed = 0
    for reference, pdq, error in results:
        if pdq is None:
            failed += 1
            print(f"{reference[:200]}: skipped: {error}", file=sys.stderr)
    return failed


@images_app.command("hash")
def hash_(images: ImagesArgument, allow_private: PrivateOption = False) -> None:
    """Print one JSON line per image: its PDQ hash (64 hex digits), quality and mirror hash.

    Example: keepwild images hash photo.jpg https://example.org/listing.jpg

    An image that cannot be read is reported on stderr and skipped; the exit code is then 1.
    """
    results = _hashes(images, allow_private)
    for reference, pdq, _ in results:
        if pdq is not None:
            print(json.dumps({"image": reference[:2048], "pdq": pdq.hex, "quality": pdq.quality,
                              "matchable": pdq.matchable, "mirror": pdq.mirror.hex()}))
    if _report_failures(results):
        raise typer.Exit(int(Exit.BAD_RECORDS))


@images_app.command("match")
def match(
    images: ImagesArgument,
    bank: Annotated[list[Path], typer.Option(
        "--bank", "-b", help="Bank file (JSON Lines export); repeat for several banks.")],
    mirror: Annotated[bool, typer.Option(help="Also match mirror images of banked photos.")]
    = True,
    allow_private: PrivateOption = False,
) -> None:
    """Match images against bank files; print one JSON line per image with its matches.

    Example: keepwild images match photo.jpg --bank ivory-photos.jsonl

    Each bank matches at the threshold its file declares (31 if it declares none).
    """
    banks = BankSet()
    for path in bank:
        try:
            with path.open("rb") as handle:
                parsed = read_bank_file(handle, default_category="other")
            name = parsed.header.get("name") or path.stem.lower()
            banks.create(name, threshold=parsed.header.get("threshold", 31),
                         enabled=parsed.header.get("enabled", True))
            import_bank_file(banks, name, parsed, set())
        except OSError as exc:
            fail(f"{path}: cannot read: {exc.strerror or exc}", Exit.USAGE)
        except MediaError as exc:
            fail(f"{path}: {exc}", Exit.INVALID)
    matcher = BankMatcher.from_banks(banks)
    results = _hashes(images, allow_private)
    for reference, pdq, _ in results:
        if pdq is None:
            continue
        [found] = matcher.match([pdq], mirror=mirror)
        print(json.dumps({
            "image": reference[:2048], "pdq": pdq.hex, "quality": pdq.quality,
            "matches": [{**m._asdict(), **_provenance(banks, m.entry_id)} for m in found],
        }, ensure_ascii=False))
    if _report_failures(results):
        raise typer.Exit(int(Exit.BAD_RECORDS))


def _provenance(banks: BankSet, entry_id: int) -> dict[str, object]:
    entry = banks.entry(entry_id)
    return {"signal": entry.hex, "listing_id": entry.listing_id, "added_by": entry.added_by,
            "added_at": entry.added_at.isoformat()}

