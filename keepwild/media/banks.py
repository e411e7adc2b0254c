"""Hash banks: named, shareable collections of PDQ hashes of confirmed trafficking images.

A bank has a name, a match threshold (Hamming distance, at most 31), an enable switch and
entries. Every entry records its provenance: who added it, from which confirmed listing, when
and under which category. Removing an entry keeps it as a tombstone (who removed it, when), so
a removal can be exported and shared like an addition, and a partner that imported the hash
learns to drop it too.

:class:`BankSet` keeps banks in memory (tests, files, one-off CLI runs); the service keeps them
in its database through ``keepwild.store`` with the same operations. Either feeds a
:class:`~keepwild.media.matcher.BankMatcher`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from keepwild.lexicon.schema import CATEGORIES
from keepwild.media.errors import BankError, BankExistsError, UnknownBankError
from keepwild.media.hashing import QUALITY_THRESHOLD, to_hex
from keepwild.media.index import MAX_DISTANCE

__all__ = ["Bank", "BankEntry", "BankSet", "check_bank_name", "check_category",
           "check_threshold", "DEFAULT_THRESHOLD"]

#: The distance commonly used to match PDQ hashes; see docs/images.md for what it catches.
DEFAULT_THRESHOLD = 31
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def check_bank_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise BankError(
            f"bank name {name!r} must be 1-64 characters: lowercase letters, digits, '.', '_', "
            "'-', starting with a letter or digit"
        )
    return name


def check_category(category: str) -> str:
    if category not in CATEGORIES:
        raise BankError(f"unknown category {category!r}; use one of {', '.join(CATEGORIES)}")
    return category


def check_threshold(threshold: int) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not (
        0 <= threshold <= MAX_DISTANCE
    ):
        raise BankError(f"threshold must be a whole number from 0 to {MAX_DISTANCE}, "
                        f"not {threshold!r}")
    return threshold


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class BankEntry:
    """One hash in a bank, with where it came from. ``quality`` is None when the source did not
    say (imported lists); such entries are trusted and matched."""

    id: int
    bank: str
    hash: bytes
    category: str
    added_by: str
    added_at: datetime
    listing_id: str | None = None
    quality: int | None = None
    note: str | None = None
    removed_at: datetime | None = None
    removed_by: str | None = None

    @property
    def active(self) -> bool:
        return self.removed_at is None

    @property
    def matchable(self) -> bool:
        """Active and of sufficient quality to be matched."""
        return self.active and (self.quality is None or self.quality >= QUALITY_THRESHOLD)

    @property
    def hex(self) -> str:
        return to_hex(self.hash)


@dataclass(slots=True)
class Bank:
    """A bank's settings and its entries (tombstones included), oldest first."""

    name: str
    threshold: int = DEFAULT_THRESHOLD
    enabled: bool = True
    description: str = ""
    created_by: str = ""
    entries: list[BankEntry] = field(default_factory=list)

    def active_entries(self) -> list[BankEntry]:
        return [entry for entry in self.entries if entry.active]


class BankSet:
    """Banks held in memory. Entry ids are assigned in increasing order, as a database does,
    which is what a :class:`~keepwild.media.matcher.BankMatcher` relies on."""

    def __init__(self) -> None:
        self._banks: dict[str, Bank] = {}
        self._entries: dict[int, BankEntry] = {}
        self._next_id = 1

    def __iter__(self) -> Iterator[Bank]:
        return iter(self._banks.values())

    def __contains__(self, name: object) -> bool:
        return name in self._banks

    def bank(self, name: str) -> Bank:
        try:
            return self._banks[name]
        except KeyError:
            raise UnknownBankError(f"no bank named {name!r}") from None

    def entry(self, entry_id: int) -> BankEntry:
        try:
            return self._entries[entry_id]
        except KeyError:
            raise BankError(f"no bank entry {entry_id}") from None

    def create(self, name: str, *, threshold: int = DEFAULT_THRESHOLD, enabled: bool = True,
               description: str = "", created_by: str = "") -> Bank:
        """A new, empty bank; the name must be free."""
        check_bank_name(name)
        if name in self._banks:
            raise BankExistsError(f"bank {name!r} already exists")
        bank = Bank(name, check_threshold(threshold), enabled, description, created_by)
        self._banks[name] = bank
        return bank

    def configure(self, name: str, *, threshold: int | None = None,
                  enabled: bool | None = None) -> Bank:
        """Change a bank's threshold or enable switch."""
        bank = self.bank(name)
        if threshold is not None:
            bank.threshold = check_threshold(threshold)
        if enabled is not None:
            bank.enabled = enabled
        return bank

    def add(self, name: str, hash: bytes, *, category: str, added_by: str,
            listing_id: str | None = None, quality: int | None = None, note: str | None = None,
            added_at: datetime | None = None) -> BankEntry | None:
        """Add a hash to a bank; None if the bank already holds it (active)."""
        bank = self.bank(name)
        to_hex(hash)  # validates the length
        if not added_by:
            raise BankError("added_by is required: every entry records who added it")
        check_category(category)
        if any(e.hash == hash for e in bank.entries if e.active):
            return None
        entry = BankEntry(self._next_id, name, bytes(hash), category, added_by,
                          added_at or utcnow(), listing_id, quality, note)
        self._next_id += 1
        bank.entries.append(entry)
        self._entries[entry.id] = entry
        return entry

    def remove(self, name: str, hash: bytes, *, removed_by: str,
               removed_at: datetime | None = None) -> list[BankEntry]:
        """Tombstone the bank's active entries with this hash; returns them as tombstones."""
        bank = self.bank(name)
        if not removed_by:
            raise BankError("removed_by is required: every removal records who made it")
        removed = []
        for position, entry in enumerate(bank.entries):
            if entry.active and entry.hash == hash:
                tombstone = replace(entry, removed_at=removed_at or utcnow(),
                                    removed_by=removed_by)
                bank.entries[position] = tombstone
                self._entries[entry.id] = tombstone
                removed.append(tombstone)
        return removed

    def record_tombstone(self, name: str, entry: BankEntry) -> BankEntry:
        """Keep an imported removal of a hash this bank never held, so it is shared onwards."""
        bank = self.bank(name)
        tombstone = replace(entry, id=self._next_id, bank=name)
        self._next_id += 1
        bank.entries.append(tombstone)
        self._entries[tombstone.id] = tombstone
        return tombstone
