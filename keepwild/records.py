"""Reading listing records from JSON Lines or CSV, with the line number of every record.

Bad records are never dropped silently: the reader yields them as :class:`BadRecord` with
their line number and reason, so the caller can report them and carry on with the rest.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

import orjson

from keepwild.detect.listing import Listing
from keepwild.errors import InputError

__all__ = ["BadRecord", "read_records", "guess_format", "dumps", "FORMATS"]

FORMATS = ("jsonl", "csv")
MAX_LINE_CHARS = 1_000_000


@dataclass(frozen=True, slots=True)
class BadRecord:
    """A record that could not be read, and why."""

    line: int
    reason: str


def guess_format(name: str) -> str:
    """``csv`` for ``*.csv`` files, JSON Lines for everything else."""
    return "csv" if name.lower().endswith(".csv") else "jsonl"


def read_records(handle: TextIO, fmt: str = "jsonl") -> Iterator[tuple[int, Listing | BadRecord]]:
    """Yield ``(line_number, Listing or BadRecord)`` for every record, in order."""
    if fmt == "jsonl":
        yield from _read_jsonl(handle)
    elif fmt == "csv":
        yield from _read_csv(handle)
    else:
        raise InputError(f"unknown input format {fmt!r}; use one of {', '.join(FORMATS)}")


def _read_jsonl(handle: TextIO) -> Iterator[tuple[int, Listing | BadRecord]]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            yield number, BadRecord(number, f"line longer than {MAX_LINE_CHARS} characters")
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield number, BadRecord(number, f"invalid JSON: {exc}")
            continue
        try:
            yield number, Listing.from_mapping(record)
        except InputError as exc:
            yield number, BadRecord(number, str(exc))


def _read_csv(handle: TextIO) -> Iterator[tuple[int, Listing | BadRecord]]:
    reader = csv.DictReader(handle)
    if not reader.fieldnames or "id" not in reader.fieldnames:
        yield 1, BadRecord(1, "CSV header must name an 'id' column")
        return
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, BadRecord(start, f"invalid CSV: {exc}")
            continue
        if None in row:
            yield start, BadRecord(start, "more cells than header columns")
            continue
        try:
            yield start, Listing.from_mapping({k: v for k, v in row.items() if v != ""})
        except InputError as exc:
            yield start, BadRecord(start, str(exc))


def dumps(obj: object) -> bytes:
    """One JSON line (UTF-8, no ASCII escaping) for output."""
    return orjson.dumps(obj) + b"\n"
