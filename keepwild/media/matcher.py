"""Matching image hashes against every enabled bank, each at its own threshold.

One :class:`~keepwild.media.index.HashIndex` holds the matchable entries of all banks (active
and of sufficient quality); per-bank settings (threshold, enable switch) are applied to the
hits, so switching a bank off or tightening its threshold takes effect at once without touching
the index. Additions and removals go to the index incrementally.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np

from keepwild.media.banks import Bank, BankEntry, check_threshold
from keepwild.media.errors import BankError
from keepwild.media.hashing import PdqHash
from keepwild.media.index import HashIndex, IndexParams, as_codes

__all__ = ["BankMatch", "BankMatcher"]


class BankMatch(NamedTuple):
    """An image matched a bank entry. ``variant`` says whether the image as given
    (``"original"``) or its mirror image matched."""

    bank: str
    category: str
    distance: int
    entry_id: int
    variant: str


class _Settings(NamedTuple):
    threshold: int
    enabled: bool


def _grow(array: np.ndarray, size: int) -> np.ndarray:
    if size <= len(array):
        return array
    grown = np.zeros(max(size, 2 * len(array), 1024), dtype=array.dtype)
    grown[:len(array)] = array
    return grown


class BankMatcher:
    """The matchable entries of a set of banks, indexed for lookups.

    Entries must arrive in increasing id order (database row ids, or :class:`BankSet` ids):
    removal finds an entry by binary search instead of a per-entry dictionary, which at ten
    million entries would cost more memory than the index itself.
    """

    def __init__(self, params: IndexParams = IndexParams()) -> None:
        self.index = HashIndex(params)
        self._lock = threading.Lock()
        self._entry_ids = np.zeros(0, dtype=np.int64)
        self._bank_of = np.zeros(0, dtype=np.int32)
        self._category_of = np.zeros(0, dtype=np.int16)
        self._count = 0
        self._banks: dict[str, _Settings] = {}
        self._bank_names: list[str] = []
        self._categories: list[str] = []
        self.last_entry_id = 0
        self.loaded_at = time.time()

    @classmethod
    def from_banks(cls, banks: Iterable[Bank], params: IndexParams = IndexParams()
                   ) -> BankMatcher:
        """A matcher over these banks' entries."""
        matcher = cls(params)
        entries: list[BankEntry] = []
        for bank in banks:
            matcher.set_bank(bank.name, threshold=bank.threshold, enabled=bank.enabled)
            entries.extend(bank.entries)
        matcher.add_entries(sorted(entries, key=lambda e: e.id))
        return matcher

    def set_bank(self, name: str, *, threshold: int, enabled: bool) -> None:
        """Declare a bank or change its settings (effective for the next lookup)."""
        with self._lock:
            if name not in self._banks:
                self._bank_names.append(name)
            self._banks[name] = _Settings(check_threshold(threshold), enabled)

    def threshold(self, bank: str) -> int:
        """The bank's current match threshold."""
        try:
            return self._banks[bank].threshold
        except KeyError:
            raise BankError(f"no bank named {bank!r} in the matcher") from None

    def add_entries(self, entries: Iterable[BankEntry]) -> int:
        """Index the matchable ones among ``entries`` (ids increasing); returns how many.
        Tombstones and low-quality hashes stay in their bank but are not indexed."""
        with self._lock:
            batch = [e for e in entries if e.matchable]
            if not batch:
                return 0
            ids = [e.id for e in batch]
            if any(b <= a for a, b in zip(ids, ids[1:])) or ids[0] <= self.last_entry_id:
                raise BankError("bank entries must be added to the matcher in increasing id "
                                f"order (last indexed id {self.last_entry_id}, got {ids[0]})")
            banks = []
            for entry in batch:
                if entry.bank not in self._banks:
                    raise BankError(f"entry {entry.id} belongs to undeclared bank {entry.bank!r}")
                banks.append(self._bank_names.index(entry.bank))
            categories = []
            for entry in batch:
                if entry.category not in self._categories:
                    self._categories.append(entry.category)
                categories.append(self._categories.index(entry.category))
            index_ids = self.index.add(as_codes([e.hash for e in batch]))
            end = int(index_ids[-1]) + 1
            self._entry_ids = _grow(self._entry_ids, end)
            self._bank_of = _grow(self._bank_of, end)
            self._category_of = _grow(self._category_of, end)
            self._entry_ids[index_ids] = ids
            self._bank_of[index_ids] = banks
            self._category_of[index_ids] = categories
            self._count = end
            self.last_entry_id = ids[-1]
            return len(batch)

    def remove_entries(self, entry_ids: Iterable[int]) -> int:
        """Stop matching these entries (ids not indexed are ignored); returns how many were."""
        with self._lock:
            known = self._entry_ids[:self._count]
            wanted = np.unique(np.asarray(list(entry_ids), dtype=np.int64))
            positions = np.searchsorted(known, wanted)
            inside = positions < len(known)
            positions, wanted = positions[inside], wanted[inside]
            positions = positions[known[positions] == wanted]
            live = [int(p) for p in positions if self.index.is_live(int(p))]
            return self.index.remove(live) if live else 0

    def match(self, hashes: Sequence[PdqHash], *, mirror: bool = True
              ) -> list[list[BankMatch]]:
        """Bank matches for each hash, best first. Hashes below the quality threshold are not
        looked up; with ``mirror`` an image also matches the mirror image of a banked one."""
        results: list[list[BankMatch]] = [[] for _ in hashes]
        settings = dict(self._banks)
        enabled = [s.threshold for s in settings.values() if s.enabled]
        lookups = [(i, h.hash, "original") for i, h in enumerate(hashes) if h.matchable]
        if mirror:
            lookups += [(i, h.mirror, "mirror") for i, h in enumerate(hashes)
                        if h.matchable and h.mirror != h.hash]
        if not enabled or not lookups:
            return results
        hits = self.index.search(as_codes([code for _, code, _ in lookups]), max(enabled))
        best: dict[tuple[int, int], BankMatch] = {}
        names, categories = list(self._bank_names), list(self._categories)
        for q, ident, dist in zip(hits.query.tolist(), hits.id.tolist(),
                                  hits.distance.tolist()):
            position, _, variant = lookups[q]
            bank = names[self._bank_of[ident]]
            setting = settings[bank]
            if not setting.enabled or dist > setting.threshold:
                continue
            found = BankMatch(bank, categories[self._category_of[ident]], dist,
                              int(self._entry_ids[ident]), variant)
            key = (position, found.entry_id)
            if key not in best or dist < best[key].distance:
                best[key] = found
        for (position, _), found in best.items():
            results[position].append(found)
        for matches in results:
            matches.sort(key=lambda m: (m.distance, m.entry_id))
        return results

    def stats(self) -> dict[str, Any]:
        """Index size and freshness, and the banks, for readiness checks."""
        index = self.index.stats()
        return {
            "entries": index.size,
            "removed": index.removed,
            "tiers": {"main": index.main, "delta": index.delta, "tail": index.tail},
            "memory_bytes": index.memory_bytes,
            "kernel": index.kernel,
            "last_entry_id": self.last_entry_id,
            "loaded_at": self.loaded_at,
            "updated_at": index.updated_at,
            "banks": {name: {"threshold": s.threshold, "enabled": s.enabled}
                      for name, s in self._banks.items()},
        }
