"""Hash banks in the keepwild database, and the matching index each service process keeps
in step with them.

The tables hold what :mod:`keepwild.media.banks` holds in memory: banks (name, threshold,
enable switch) and their entries with provenance; a removal sets ``removed_at`` and
``removed_by`` on the entry (a tombstone, exported and shared like an addition).

``hash_bank_state`` is one row: a random ``generation`` and a ``version`` that every bank
change increments in its own transaction. It serves three purposes:

- writers lock it first, so bank changes are serialised and entry ids are assigned in commit
  order (an index that has seen id ``n`` has seen every id below it);
- a removal records the version it made (``removed_version``), so an index catches up on
  removals by asking for those after the version it has, not by re-reading every tombstone;
- a process learns whether its index is current from that one row: :class:`BankIndex` reads
  it before each lookup and applies only what changed. If the row is gone or its generation
  differs (the tables were emptied or restored), the index is rebuilt from scratch.

Every operation here is one transaction that ends with its audit entry
(``bank.create``, ``bank.configure``, ``bank.add``, ``bank.remove``, ``bank.import``,
``bank.listing``), whether the service or the command line made it.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from keepwild.media.bankfile import BankFile, ImportReport, export_lines, import_bank_file
from keepwild.media.banks import (
    DEFAULT_THRESHOLD,
    Bank,
    BankEntry,
    check_bank_name,
    check_category,
    check_threshold,
)
from keepwild.media.errors import BankError, BankExistsError, UnknownBankError
from keepwild.media.hashing import to_hex
from keepwild.media.index import IndexParams
from keepwild.media.matcher import BankMatcher
from keepwild.media.scan import HashedImage, bank_hashed_images
from keepwild.store import audit
from keepwild.store.database import Database, as_utc
from keepwild.store.tables import Base, Decision, Listing

__all__ = ["HashBank", "HashBankEntry", "HashBankState", "BankStore", "BankIndex",
           "UnknownListingError", "UnconfirmedListingError", "create_bank", "configure_bank",
           "add_hashes", "remove_hashes", "import_bank", "export_bank", "bank_summaries",
           "confirmed_listing", "bank_listing", "CONFIRMED_ACTIONS", "MAX_DESCRIPTION"]

MAX_DESCRIPTION = 2000
MAX_NOTE = 2000
#: Decisions that confirm a listing offered prohibited wildlife, so its images may be banked.
CONFIRMED_ACTIONS = ("remove", "escalate")


class HashBank(Base):
    """A named collection of hashes of confirmed trafficking images."""

    __tablename__ = "hash_banks"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    threshold: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool]
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class HashBankEntry(Base):
    """One hash (64 hex digits) in a bank, with its provenance; a tombstone once removed."""

    __tablename__ = "hash_bank_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("hash_banks.id"))
    signal: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))
    quality: Mapped[int | None] = mapped_column(Integer)
    added_by: Mapped[str] = mapped_column(String(512))
    added_at: Mapped[datetime]
    listing_id: Mapped[str | None] = mapped_column(String(512))
    note: Mapped[str | None] = mapped_column(Text)
    removed_at: Mapped[datetime | None]
    removed_by: Mapped[str | None] = mapped_column(String(512))
    removed_version: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (
        Index("ix_hash_bank_entries_signal", "bank_id", "signal"),
        Index("ix_hash_bank_entries_removed_version", "removed_version"),
    )


class HashBankState(Base):
    """One row: the banks' generation and change counter (see the module docstring)."""

    __tablename__ = "hash_bank_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    generation: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime]


def _entry(row: HashBankEntry, bank: str) -> BankEntry:
    return BankEntry(
        id=row.id, bank=bank, hash=bytes.fromhex(row.signal), category=row.category,
        added_by=row.added_by, added_at=as_utc(row.added_at),  # type: ignore[arg-type]
        listing_id=row.listing_id, quality=row.quality, note=row.note,
        removed_at=as_utc(row.removed_at), removed_by=row.removed_by,
    )


def _bank(row: HashBank) -> Bank:
    return Bank(row.name, row.threshold, row.enabled, row.description, row.created_by)


def _limited(value: str | None, name: str, limit: int) -> str | None:
    if value is not None and len(value) > limit:
        raise BankError(f"{name} is longer than {limit} characters")
    return value


class BankStore:
    """Bank operations inside one transaction (``session``); implements the
    :class:`~keepwild.media.bankfile.BankWriter` protocol, so bank files import straight
    into the database. The first change locks the state row and bumps its version."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self._version: int | None = None
        self._banks: dict[str, HashBank] = {}

    def version(self) -> int:
        """The version this transaction's changes carry (locks the state row once)."""
        if self._version is None:
            state = self.session.execute(
                select(HashBankState).where(HashBankState.id == 1).with_for_update()
            ).scalar_one_or_none()
            if state is None:
                state = HashBankState(id=1, generation=secrets.token_hex(16), version=0,
                                      changed_at=self.now)
                self.session.add(state)
            state.version += 1
            state.changed_at = self.now
            self.session.flush()
            self._version = state.version
        return self._version

    def row(self, name: str) -> HashBank:
        if name not in self._banks:
            row = self.session.execute(
                select(HashBank).where(HashBank.name == name)).scalar_one_or_none()
            if row is None:
                raise UnknownBankError(f"no bank named {name!r}")
            self._banks[name] = row
        return self._banks[name]

    def bank(self, name: str) -> Bank:
        return _bank(self.row(name))

    def create(self, name: str, *, threshold: int = DEFAULT_THRESHOLD, enabled: bool = True,
               description: str = "", created_by: str) -> Bank:
        check_bank_name(name)
        check_threshold(threshold)
        _limited(description, "description", MAX_DESCRIPTION)
        self.version()
        if self.session.execute(select(HashBank.id).where(HashBank.name == name)).first():
            raise BankExistsError(f"bank {name!r} already exists")
        row = HashBank(name=name, threshold=threshold, enabled=enabled,
                       description=description, created_by=created_by, created_at=self.now,
                       updated_at=self.now)
        self.session.add(row)
        self.session.flush()
        self._banks[name] = row
        return _bank(row)

    def configure(self, name: str, *, threshold: int | None = None,
                  enabled: bool | None = None, description: str | None = None) -> Bank:
        row = self.row(name)
        self.version()
        if threshold is not None:
            row.threshold = check_threshold(threshold)
        if enabled is not None:
            row.enabled = enabled
        if description is not None:
            row.description = _limited(description, "description", MAX_DESCRIPTION) or ""
        row.updated_at = self.now
        self.session.flush()
        return _bank(row)

    def active_hashes(self, name: str) -> set[bytes]:
        bank = self.row(name)
        return {bytes.fromhex(s) for s in self.session.execute(
            select(HashBankEntry.signal).where(HashBankEntry.bank_id == bank.id,
                                               HashBankEntry.removed_at.is_(None))).scalars()}

    def add(self, name: str, hash: bytes, *, category: str, added_by: str,
            listing_id: str | None = None, quality: int | None = None, note: str | None = None,
            added_at: datetime | None = None) -> BankEntry | None:
        """Add a hash; None if the bank already holds it (active)."""
        bank = self.row(name)
        signal = to_hex(hash)
        if not added_by:
            raise BankError("added_by is required: every entry records who added it")
        check_category(category)
        _limited(note, "note", MAX_NOTE)
        _limited(listing_id, "listing_id", 512)
        self.version()
        if self.session.execute(select(HashBankEntry.id).where(
                HashBankEntry.bank_id == bank.id, HashBankEntry.signal == signal,
                HashBankEntry.removed_at.is_(None))).first():
            return None
        row = HashBankEntry(bank_id=bank.id, signal=signal, category=category,
                            quality=quality, added_by=added_by[:512],
                            added_at=added_at or self.now, listing_id=listing_id, note=note)
        self.session.add(row)
        self.session.flush()
        return _entry(row, name)

    def remove(self, name: str, hash: bytes, *, removed_by: str,
               removed_at: datetime | None = None) -> list[BankEntry]:
        """Tombstone the bank's active entries with this hash; returns the tombstones."""
        bank = self.row(name)
        if not removed_by:
            raise BankError("removed_by is required: every removal records who made it")
        version = self.version()
        rows = list(self.session.execute(select(HashBankEntry).where(
            HashBankEntry.bank_id == bank.id, HashBankEntry.signal == to_hex(hash),
            HashBankEntry.removed_at.is_(None))).scalars())
        for row in rows:
            row.removed_at = removed_at or self.now
            row.removed_by = removed_by[:512]
            row.removed_version = version
        self.session.flush()
        return [_entry(row, name) for row in rows]

    def record_tombstone(self, name: str, entry: BankEntry) -> BankEntry:
        """Keep an imported removal of a hash this bank never held, to share it onwards."""
        bank = self.row(name)
        version = self.version()
        row = HashBankEntry(bank_id=bank.id, signal=entry.hex, category=entry.category,
                            quality=entry.quality, added_by=entry.added_by,
                            added_at=entry.added_at, listing_id=entry.listing_id,
                            note=entry.note, removed_at=entry.removed_at or self.now,
                            removed_by=entry.removed_by or entry.added_by,
                            removed_version=version)
        self.session.add(row)
        self.session.flush()
        return _entry(row, name)

    def entries(self, name: str) -> Iterator[BankEntry]:
        """The bank's entries, tombstones included, oldest first."""
        bank = self.row(name)
        for row in self.session.execute(
                select(HashBankEntry).where(HashBankEntry.bank_id == bank.id)
                .order_by(HashBankEntry.id).execution_options(yield_per=5000)).scalars():
            yield _entry(row, name)

    def entries_by_id(self, ids: Iterable[int]) -> dict[int, BankEntry]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = self.session.execute(
            select(HashBankEntry, HashBank.name).join(HashBank,
                                                      HashBank.id == HashBankEntry.bank_id)
            .where(HashBankEntry.id.in_(wanted))).all()
        return {row.HashBankEntry.id: _entry(row.HashBankEntry, row.name) for row in rows}


def _audit(session: Session, now: datetime, actor: str, action: str, bank: str,
           details: dict[str, Any]) -> None:
    audit.append(session, at=now, actor=actor, action=action, subject=f"bank:{bank}",
                 details=details)


def create_bank(db: Database, *, actor: str, now: datetime, name: str,
                threshold: int = DEFAULT_THRESHOLD, enabled: bool = True,
                description: str = "") -> Bank:
    """Create an empty bank (audited as ``bank.create``)."""
    with db.transaction() as session:
        bank = BankStore(session, now).create(name, threshold=threshold, enabled=enabled,
                                              description=description, created_by=actor)
        _audit(session, now, actor, "bank.create", name,
               {"threshold": threshold, "enabled": enabled, "description": description})
    return bank


def configure_bank(db: Database, *, actor: str, now: datetime, name: str,
                   threshold: int | None = None, enabled: bool | None = None,
                   description: str | None = None) -> Bank:
    """Change a bank's threshold, enable switch or description (``bank.configure``); every
    process's index applies it at its next lookup, without re-indexing."""
    with db.transaction() as session:
        store = BankStore(session, now)
        before = store.bank(name)
        bank = store.configure(name, threshold=threshold, enabled=enabled,
                               description=description)
        _audit(session, now, actor, "bank.configure", name, {
            "threshold": [before.threshold, bank.threshold],
            "enabled": [before.enabled, bank.enabled]})
    return bank


def add_hashes(db: Database, *, actor: str, now: datetime, name: str,
               entries: Sequence[dict[str, Any]]) -> tuple[list[BankEntry], list[str]]:
    """Add hashes (``hash`` bytes, ``category``, optional ``listing_id``, ``quality``,
    ``note``) with the actor as provenance; returns the new entries and the signals the bank
    already held (``bank.add``)."""
    added, duplicates = [], []
    with db.transaction() as session:
        store = BankStore(session, now)
        for item in entries:
            entry = store.add(name, item["hash"], category=item["category"], added_by=actor,
                              listing_id=item.get("listing_id"), quality=item.get("quality"),
                              note=item.get("note"))
            if entry is None:
                duplicates.append(to_hex(item["hash"]))
            else:
                added.append(entry)
        if added:
            _audit(session, now, actor, "bank.add", name, {
                "added": [e.hex for e in added], "entry_ids": [e.id for e in added],
                "duplicates": len(duplicates)})
    return added, duplicates


def remove_hashes(db: Database, *, actor: str, now: datetime, name: str,
                  hashes: Sequence[bytes]) -> tuple[list[BankEntry], list[str]]:
    """Tombstone the bank's active entries with these hashes; returns the tombstones and the
    signals the bank did not hold (``bank.remove``)."""
    removed, missing = [], []
    with db.transaction() as session:
        store = BankStore(session, now)
        store.row(name)
        for value in hashes:
            tombstones = store.remove(name, value, removed_by=actor)
            if tombstones:
                removed.extend(tombstones)
            else:
                missing.append(to_hex(value))
        if removed:
            _audit(session, now, actor, "bank.remove", name, {
                "removed": [e.hex for e in removed], "entry_ids": [e.id for e in removed]})
    return removed, missing


def import_bank(db: Database, *, actor: str, now: datetime, name: str, parsed: BankFile,
                create: bool = True) -> tuple[Bank, ImportReport, bool]:
    """Apply a parsed bank file to bank ``name``, creating it from the file's header if it
    does not exist and ``create`` is set; returns the bank, the counts and whether it was
    created (``bank.import``). Tombstones withdraw active entries or are kept to be shared."""
    with db.transaction() as session:
        store = BankStore(session, now)
        created = False
        try:
            store.row(name)
        except UnknownBankError:
            if not create:
                raise
            header = parsed.header
            store.create(name, threshold=header.get("threshold", DEFAULT_THRESHOLD),
                         enabled=header.get("enabled", True),
                         description=header.get("description", ""), created_by=actor)
            created = True
        report = import_bank_file(store, name, parsed, store.active_hashes(name))
        _audit(session, now, actor, "bank.import", name,
               {**report._asdict(), "created": created, "lines": len(parsed.entries)})
        return store.bank(name), report, created


def export_bank(db: Database, name: str) -> Iterator[bytes]:
    """The bank as the JSON Lines exchange file, tombstones included (read in one session)."""
    with db.session() as session:
        store = BankStore(session, datetime.min)
        bank = store.bank(name)
        yield from export_lines(bank, store.entries(name))


class UnknownListingError(BankError):
    """No listing has that platform id (a service answers 404)."""


class UnconfirmedListingError(BankError):
    """The listing was not removed or escalated, so its images are not evidence (409)."""


def bank_summaries(session: Session, name: str | None = None) -> list[dict[str, Any]]:
    """Every bank (or the one named) with its active and tombstoned entry counts."""
    query = select(HashBank).order_by(HashBank.name)
    if name is not None:
        query = query.where(HashBank.name == name)
    banks = list(session.execute(query).scalars())
    if name is not None and not banks:
        raise UnknownBankError(f"no bank named {name!r}")
    counts: dict[tuple[int, bool], int] = {}
    for bank_id, removed, count in session.execute(
            select(HashBankEntry.bank_id, HashBankEntry.removed_at.is_not(None), func.count())
            .group_by(HashBankEntry.bank_id, HashBankEntry.removed_at.is_not(None))):
        counts[(bank_id, bool(removed))] = count
    return [dict(
        name=b.name, threshold=b.threshold, enabled=b.enabled, description=b.description,
        created_by=b.created_by, created_at=as_utc(b.created_at),
        updated_at=as_utc(b.updated_at), active=counts.get((b.id, False), 0),
        tombstones=counts.get((b.id, True), 0)) for b in banks]


def confirmed_listing(session: Session, external_id: str) -> tuple[Listing, Decision]:
    """The listing and the latest decision that confirmed it (remove or escalate).

    Raises :class:`UnknownListingError` if there is no such listing and
    :class:`UnconfirmedListingError` if it was not confirmed: only confirmed trafficking
    images are banked.
    """
    listing = session.execute(
        select(Listing).where(Listing.external_id == external_id)).scalar_one_or_none()
    if listing is None:
        raise UnknownListingError(f"no listing {external_id!r}")
    decision = session.execute(
        select(Decision).where(Decision.listing_id == listing.id)
        .order_by(Decision.id.desc()).limit(1)).scalar_one_or_none()
    if decision is None or decision.action not in CONFIRMED_ACTIONS:
        state = "has no decision" if decision is None else f"was last decided {decision.action!r}"
        raise UnconfirmedListingError(
            f"listing {external_id!r} {state}; only listings a moderator removed or "
            "escalated can have their images banked")
    return listing, decision


def bank_listing(db: Database, *, actor: str, now: datetime, name: str, listing_id: str,
                 category: str, hashed: Sequence[HashedImage], decision_id: int,
                 note: str | None = None) -> tuple[list[BankEntry], list[str]]:
    """Bank a confirmed listing's hashed images (hash them first, outside any transaction:
    fetching is slow); audited as ``bank.listing`` with the decision that confirmed it."""
    with db.transaction() as session:
        store = BankStore(session, now)
        store.row(name)
        check_category(category)
        added, problems = bank_hashed_images(hashed, listing_id, store, name,
                                             category=category, added_by=actor, note=note)
        _audit(session, now, actor, "bank.listing", name, {
            "listing": listing_id, "decision": decision_id, "added": [e.hex for e in added],
            "entry_ids": [e.id for e in added], "problems": problems})
    return added, problems


class BankIndex:
    """One process's :class:`~keepwild.media.matcher.BankMatcher` over the database's banks,
    brought up to date before each lookup (see the module docstring): one single-row query
    when nothing changed, new entries and removals since the last version when something did,
    a rebuild when the tables were replaced."""

    def __init__(self, db: Database, params: IndexParams = IndexParams(),
                 clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.params = params
        self.clock = clock
        self.matcher = BankMatcher(params)
        self.generation: str | None = None
        self.version = 0
        self.seen_id = 0  # highest entry id read (matchable or not)
        self.synced_at: float | None = None
        self.database_version = 0
        self._lock = threading.Lock()

    def sync(self) -> BankMatcher:
        """The matcher, with every bank change committed before this call applied."""
        with self._lock:
            with self.db.session() as session:
                state = session.execute(
                    select(HashBankState.generation, HashBankState.version)
                    .where(HashBankState.id == 1)).first()
                if state is None:
                    if self.generation is not None or self.matcher.index.stats().size:
                        self._reset()
                elif state.generation != self.generation:
                    self._reset()
                    self._load(session, state.generation, state.version)
                elif state.version != self.version:
                    self._load(session, state.generation, state.version)
                self.database_version = 0 if state is None else state.version
            self.synced_at = self.clock()
            return self.matcher

    def _reset(self) -> None:
        self.matcher = BankMatcher(self.params)
        self.generation, self.version, self.seen_id = None, 0, 0

    def _load(self, session: Session, generation: str, version: int) -> None:
        names = {}
        for bank in session.execute(select(HashBank)).scalars():
            names[bank.id] = bank.name
            self.matcher.set_bank(bank.name, threshold=bank.threshold, enabled=bank.enabled)
        batch: list[BankEntry] = []
        for row in session.execute(
                select(HashBankEntry).where(HashBankEntry.id > self.seen_id)
                .order_by(HashBankEntry.id).execution_options(yield_per=10_000)).scalars():
            batch.append(_entry(row, names[row.bank_id]))
            self.seen_id = row.id
            if len(batch) >= 10_000:
                self.matcher.add_entries(batch)
                batch = []
        self.matcher.add_entries(batch)
        removed = session.execute(select(HashBankEntry.id).where(
            HashBankEntry.removed_version > self.version,
            HashBankEntry.id <= self.seen_id)).scalars()
        self.matcher.remove_entries(list(removed))
        self.generation, self.version = generation, version

    def status(self) -> dict[str, Any]:
        """Index size and freshness for the readiness endpoint: the bank version indexed and
        the database's at the last sync (equal when current), and when it synced."""
        stats = self.matcher.stats()
        return {
            "entries": stats["entries"], "removed": stats["removed"], "tiers": stats["tiers"],
            "memory_bytes": stats["memory_bytes"], "kernel": stats["kernel"],
            "banks": len(stats["banks"]), "version": self.version,
            "database_version": self.database_version,
            "current": self.version == self.database_version,
            "synced_at": self.synced_at, "updated_at": stats["updated_at"],
        }
