"""The bank exchange file: JSON Lines with PDQ hashes as 64 hex digits.

One header line describes the bank, then one line per entry, tombstones included, so that a
partner importing the file also learns which hashes were withdrawn::

    {"format": "keepwild-hash-bank", "version": 1, "name": "ivory-photos", "threshold": 31,
     "enabled": true, "description": "..."}
    {"signal_type": "pdq", "signal": "f8f8...64 hex digits", "category": "ivory", "quality": 92,
     "added_by": "curator@org", "added_at": "2026-11-01T12:00:00Z", "listing_id": "L-17",
     "note": null, "removed_at": null, "removed_by": null}

Importing accepts files without the header and entry lines with only ``signal_type`` and
``signal``, as other hash-sharing tools produce: a missing category takes the importer's
default, missing provenance names the importer. A file with any bad line is refused whole, with
every bad line's number and reason, so nothing is silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol

import orjson

from keepwild.media.banks import (
    Bank,
    BankEntry,
    check_bank_name,
    check_category,
    check_threshold,
    utcnow,
)
from keepwild.media.errors import BankError, HashFormatError
from keepwild.media.hashing import from_hex

__all__ = ["FORMAT", "VERSION", "BankFile", "ImportReport", "read_bank_file", "export_lines",
           "import_bank_file", "BankWriter"]

FORMAT = "keepwild-hash-bank"
VERSION = 1
MAX_LINE_CHARS = 100_000
_ENTRY_KEYS = {"signal_type", "signal", "category", "quality", "added_by", "added_at",
               "listing_id", "note", "removed_at", "removed_by"}
_HEADER_KEYS = {"format", "version", "name", "threshold", "enabled", "description"}


class BankFile(NamedTuple):
    """A parsed bank file: the header's settings (empty if it had none) and its entries
    (``id`` 0 and ``bank`` empty until imported)."""

    header: dict[str, Any]
    entries: list[BankEntry]


class ImportReport(NamedTuple):
    added: int
    removed: int  # active entries withdrawn by tombstones in the file
    duplicates: int  # entries the bank already held
    tombstones: int  # removals of hashes the bank never held, kept to be shared onwards


class BankWriter(Protocol):
    """What importing needs from where banks live (a BankSet or the database store)."""

    def add(self, name: str, hash: bytes, *, category: str, added_by: str,
            listing_id: str | None = None, quality: int | None = None, note: str | None = None,
            added_at: datetime | None = None) -> BankEntry | None: ...

    def remove(self, name: str, hash: bytes, *, removed_by: str,
               removed_at: datetime | None = None) -> list[BankEntry]: ...

    def record_tombstone(self, name: str, entry: BankEntry) -> BankEntry: ...


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def export_lines(bank: Bank, entries: Iterable[BankEntry] | None = None) -> Iterator[bytes]:
    """The bank as JSON Lines (bytes, newline-terminated): header, then every entry."""
    yield orjson.dumps({"format": FORMAT, "version": VERSION, "name": bank.name,
                        "threshold": bank.threshold, "enabled": bank.enabled,
                        "description": bank.description}) + b"\n"
    for entry in bank.entries if entries is None else entries:
        yield orjson.dumps({
            "signal_type": "pdq", "signal": entry.hex, "category": entry.category,
            "quality": entry.quality, "added_by": entry.added_by,
            "added_at": _time(entry.added_at), "listing_id": entry.listing_id,
            "note": entry.note, "removed_at": _time(entry.removed_at),
            "removed_by": entry.removed_by,
        }) + b"\n"


def _parse_time(value: Any, key: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BankError(f"{key} must be an ISO 8601 time string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BankError(f"{key} is not an ISO 8601 time: {value!r}") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _optional_str(record: dict[str, Any], key: str, limit: int = 512) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise BankError(f"{key} must be a string of at most {limit} characters")
    return value


def _header(record: dict[str, Any]) -> dict[str, Any]:
    if record.get("format") != FORMAT:
        raise BankError(f"format must be {FORMAT!r}")
    if record.get("version") != VERSION:
        raise BankError(f"unsupported version {record.get('version')!r}; this reads {VERSION}")
    unknown = set(record) - _HEADER_KEYS
    if unknown:
        raise BankError(f"unknown header fields {sorted(unknown)}")
    header: dict[str, Any] = {}
    if "name" in record:
        header["name"] = check_bank_name(record["name"])
    if "threshold" in record:
        header["threshold"] = check_threshold(record["threshold"])
    if "enabled" in record:
        if not isinstance(record["enabled"], bool):
            raise BankError("enabled must be true or false")
        header["enabled"] = record["enabled"]
    if "description" in record:
        header["description"] = _optional_str(record, "description", 2000) or ""
    return header


def _entry(record: dict[str, Any], default_category: str | None, importer: str) -> BankEntry:
    unknown = set(record) - _ENTRY_KEYS
    if unknown:
        raise BankError(f"unknown fields {sorted(unknown)}")
    if record.get("signal_type") != "pdq":
        raise BankError(f"signal_type must be 'pdq', not {record.get('signal_type')!r}")
    try:
        hash_ = from_hex(record.get("signal"))  # type: ignore[arg-type]
    except HashFormatError as exc:
        raise BankError(f"signal: {exc}") from None
    category = record.get("category") or default_category
    if category is None:
        raise BankError("category is missing and no default category was given")
    quality = record.get("quality")
    if quality is not None and (isinstance(quality, bool) or not isinstance(quality, int)
                                or not 0 <= quality <= 100):
        raise BankError(f"quality must be a whole number from 0 to 100, not {quality!r}")
    removed_at = _parse_time(record.get("removed_at"), "removed_at")
    removed_by = _optional_str(record, "removed_by")
    if removed_at is None and removed_by is not None:
        raise BankError("removed_by is set but removed_at is not")
    return BankEntry(
        id=0, bank="", hash=hash_, category=check_category(category),
        added_by=_optional_str(record, "added_by") or importer,
        added_at=_parse_time(record.get("added_at"), "added_at") or utcnow(),
        listing_id=_optional_str(record, "listing_id"), quality=quality,
        note=_optional_str(record, "note", 2000), removed_at=removed_at,
        removed_by=removed_by or (importer if removed_at else None),
    )


def read_bank_file(lines: Iterable[str | bytes], *, default_category: str | None = None,
                   importer: str = "import") -> BankFile:
    """Parse a bank file; raises BankError listing every bad line (number and reason)."""
    if default_category is not None:
        check_category(default_category)
    header: dict[str, Any] = {}
    entries: list[BankEntry] = []
    errors: list[str] = []
    seen_content = False
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError:
                errors.append(f"line {number}: not UTF-8")
                continue
        if not line.strip():
            continue
        try:
            if len(line) > MAX_LINE_CHARS:
                raise BankError(f"longer than {MAX_LINE_CHARS} characters")
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise BankError(f"invalid JSON: {exc}") from None
            if not isinstance(record, dict):
                raise BankError("each line must be a JSON object")
            if "format" in record:
                if seen_content:
                    raise BankError("the header must be the first line")
                header = _header(record)
            else:
                entries.append(_entry(record, default_category, importer))
            seen_content = True
        except BankError as exc:
            errors.append(f"line {number}: {exc}")
    if errors:
        shown = "; ".join(errors[:20])
        more = f"; and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise BankError(f"{len(errors)} bad line(s), nothing imported: {shown}{more}")
    return BankFile(header, entries)


def import_bank_file(target: BankWriter, name: str, parsed: BankFile,
                     active_hashes: set[bytes]) -> ImportReport:
    """Apply a parsed file to bank ``name``: new hashes are added, tombstones withdraw the
    bank's active entries with that hash or, if it has none, are kept to be shared onwards.
    ``active_hashes`` is the bank's set of active hashes before the import."""
    added = removed = duplicates = tombstones = 0
    active = set(active_hashes)
    for entry in parsed.entries:
        if entry.active:
            if entry.hash in active:
                duplicates += 1
                continue
            target.add(name, entry.hash, category=entry.category, added_by=entry.added_by,
                       listing_id=entry.listing_id, quality=entry.quality, note=entry.note,
                       added_at=entry.added_at)
            active.add(entry.hash)
            added += 1
        elif entry.hash in active:
            removed += len(target.remove(name, entry.hash,
                                         removed_by=entry.removed_by or "import",
                                         removed_at=entry.removed_at))
            active.discard(entry.hash)
        else:
            target.record_tombstone(name, entry)
            tombstones += 1
    return ImportReport(added, removed, duplicates, tombstones)
