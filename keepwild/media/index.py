"""A Hamming-radius index over PDQ hashes that takes additions and removals while it serves.

The index is a small log-structured merge, so that no change waits for a full rebuild (the
pain of index reloads in other hash matchers):

``codes``
    every 32-byte hash ever added, in one 64-byte-aligned array (a code never straddles two
    cache lines) with spare room that grows by a quarter in a background thread when it runs
    low; an id is a position, assigned in order.
tail
    the newest ids (from ``tail_limit`` to ``8 * tail_limit`` of them), searched by brute force:
    an addition is visible to lookups as soon as :meth:`HashIndex.add` returns.
delta
    the ids between main and tail, in a multi-index hash of 16 tables of 16 bits probed at
    radius 1 (exact up to distance 31), re-indexed in a background thread each time the tail
    fills (by the adding caller, outside the lock, if additions outrun it).
main
    everything older, in a multi-index hash of ``tables`` substrings of ``bits`` bits probed at
    ``radius`` (default 12 x 22 at radius 1: eleven disjoint substrings and a twelfth over the
    last 22 bits). When the delta outgrows ``delta_limit`` it is merged into main table by
    table, in a background thread: new ids go to the end of their buckets, an O(n) copy with
    no re-sort, while lookups and additions go on (a lookup may meet an id in both main and
    delta during the merge; hits are deduplicated).
removals
    tombstones (one byte per id), effective at once; removed hashes are never reported.

Tables are CSR (ids grouped by key) with compressed bucket offsets: a uint32 base per 64 keys
and a uint16 per key, half of plain uint32 offsets, which is what pays for 22-bit keys.

Recall. By pigeonhole, main finds every hash within ``disjoint * (radius + 1) - 1`` bits (21
with the defaults) and delta and tail everything within 31. Beyond that main is
probabilistic: for random differences it finds 99.7 % of neighbours at distance 28 and 98-98.6 %
at exactly 31, 99.9 % of neighbours at distances uniform in 1..31 (see
``benchmarks/hash_index.py``). 12 x 21 finds 99.3 % at 31 but checks twice the candidates;
``EXACT`` (16 x 16) is exact to 31 and slower still.

Memory for 10 million hashes with the defaults: 320 MB of codes, 10 MB of tombstones and
12 x (40 MB of ids + 8.7 MB of bucket offsets), 914 MB in all (less spare room, reserved but
not committed until written).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import numpy as np

from keepwild.media import _mih_py
from keepwild.media.errors import MediaError

try:
    from keepwild.media import _mih as _kernel  # type: ignore[attr-defined]
except ImportError:  # built without a compiler: the same results, more slowly
    _kernel = _mih_py

__all__ = ["HashIndex", "IndexParams", "IndexStats", "SearchHits", "EXACT", "MAX_DISTANCE",
           "as_codes", "kernel_name"]

CODE_BYTES = 32
#: The largest distance the index answers for (the PDQ match threshold in common use).
MAX_DISTANCE = 31
_DELTA_TABLES, _DELTA_BITS = 16, 16
_DELTA_STARTS = tuple(t * _DELTA_BITS for t in range(_DELTA_TABLES))


def _headroom(rows: int) -> int:
    """Spare rows allocated beyond ``rows`` hashes (uncommitted until written)."""
    return max(1 << 16, rows // 16)


def kernel_name() -> str:
    """``"c"`` when the compiled kernel is in use, ``"python"`` otherwise."""
    return "python" if _kernel is _mih_py else "c"


class IndexParams(NamedTuple):
    """Layout of the main multi-index hash and the sizes at which tiers are folded."""

    tables: int = 12
    bits: int = 22
    radius: int = 1
    delta_limit: int = 1 << 16
    tail_limit: int = 1024


#: Exact to distance 31 in every tier, at roughly twice the lookup cost of the default.
EXACT = IndexParams(tables=16, bits=16)


class SearchHits(NamedTuple):
    """Every (query, id) pair within the distance, sorted by query, then distance, then id."""

    query: np.ndarray
    id: np.ndarray
    distance: np.ndarray


class IndexStats(NamedTuple):
    """Size and freshness, for readiness checks."""

    size: int  # hashes that can match
    removed: int  # tombstoned hashes (still held in memory until the index is rebuilt)
    main: int
    delta: int
    tail: int
    memory_bytes: int
    changes: int  # additions and removals applied since the index was created
    updated_at: float | None  # Unix time of the last change applied, None if never changed
    kernel: str


class _Tables(NamedTuple):
    """CSR tables, offsets compressed (``_mih_py.compress_offsets``)."""

    base: tuple[np.ndarray, ...]
    rel: tuple[np.ndarray, ...]
    ids: tuple[np.ndarray, ...]
    starts: tuple[int, ...]

    def arrays(self) -> list[np.ndarray]:
        return [*self.base, *self.rel, *self.ids]


class _View(NamedTuple):
    """What a lookup reads: replaced whole on every change, so a lookup never sees half of one."""

    codes: np.ndarray
    alive: np.ndarray
    main: _Tables | None
    main_end: int
    delta: _Tables | None
    delta_end: int
    end: int


def as_codes(hashes: Any) -> np.ndarray:
    """Hashes as a C-contiguous (n, 32) uint8 array: from such an array, one 32-byte string or
    a sequence of them."""
    if isinstance(hashes, bytes | bytearray):
        hashes = [bytes(hashes)]
    if isinstance(hashes, np.ndarray):
        array = hashes
    else:
        items = list(hashes)
        if any(not isinstance(h, bytes | bytearray) or len(h) != CODE_BYTES for h in items):
            raise MediaError("hashes must be 32-byte strings (256-bit PDQ)")
        array = np.frombuffer(b"".join(items), dtype=np.uint8).reshape(-1, CODE_BYTES)
    if array.dtype != np.uint8 or array.ndim != 2 or array.shape[1] != CODE_BYTES:
        raise MediaError(f"hashes must be an (n, 32) uint8 array, not {array.dtype} {array.shape}")
    return np.ascontiguousarray(array)


def _ids_by_key(keys: np.ndarray, first_id: int) -> np.ndarray:
    """Ids ``first_id + i`` ordered by key, then id: one sort of (key, position) pairs packed in
    uint64, several times faster than a stable argsort."""
    packed = keys.astype(np.uint64) << np.uint64(32) | np.arange(len(keys), dtype=np.uint64)
    packed.sort()
    return ((packed & np.uint64(0xFFFFFFFF)) + np.uint64(first_id)).astype(np.uint32)


def substring_starts(tables: int, bits: int) -> tuple[int, ...]:
    """Where each table's substring starts: disjoint, ``bits`` apart, as many as fit in 256
    bits; any further tables overlap them, spread back from the end (12 x 22: 0, 22, .., 220
    and 234)."""
    disjoint = min(tables, CODE_BYTES * 8 // bits)
    extra = tables - disjoint
    last = CODE_BYTES * 8 - bits
    return tuple(t * bits for t in range(disjoint)) + tuple(
        last - round(j * last / extra) for j in range(extra))


def _aligned_empty(rows: int, width: int = CODE_BYTES) -> np.ndarray:
    """An uninitialised (rows, width) uint8 array starting on a 64-byte boundary, so that no
    32-byte code straddles two cache lines (malloc gives 16-byte alignment: half of them did).
    Pages are committed as rows are written."""
    buffer = np.empty(rows * width + 64, dtype=np.uint8)
    skip = -buffer.ctypes.data % 64
    return buffer[skip:skip + rows * width].reshape(rows, width)


def _build_tables(codes: np.ndarray, first_id: int, starts: Sequence[int], bits: int) -> _Tables:
    base, rel, ids = [], [], []
    code_words = _mih_py.words(codes)  # once, not per table: 0.5-2 s each at 10 million
    for start in starts:
        keys = _mih_py.substrings(codes, start, bits, code_words)
        counts = np.bincount(keys, minlength=1 << bits)
        b, r = _mih_py.compress_offsets(np.concatenate(([0], np.cumsum(counts))))
        base.append(b)
        rel.append(r)
        ids.append(_ids_by_key(keys, first_id))
    return _Tables(tuple(base), tuple(rel), tuple(ids), tuple(starts))


class HashIndex:
    """Finds the stored hashes within a Hamming distance of query hashes.

    >>> index = HashIndex()
    >>> ids = index.add(as_codes([bytes(32), bytes([255]) * 32]))
    >>> hits = index.search(as_codes([bytes(31) + b"\\x07"]), max_distance=10)
    >>> hits.id.tolist(), hits.distance.tolist()
    ([0], [3])

    Thread-safe: changes are serialised by a lock; lookups take no lock and read the latest
    published view.
    """

    def __init__(self, params: IndexParams = IndexParams()) -> None:
        if not (1 <= params.bits <= 24 and 1 <= params.tables <= 32 and 0 <= params.radius <= 2
                and params.tables * params.bits <= 512):
            raise MediaError(f"unsupported index layout {params}")
        self.params = params
        self.starts = substring_starts(params.tables, params.bits)
        self._lock = threading.Lock()
        self._changes = 0
        self._removed = 0
        self._updated_at: float | None = None
        self._merging: threading.Thread | None = None
        self._growing: threading.Thread | None = None
        self._indexing: threading.Thread | None = None
        empty = np.zeros((0, CODE_BYTES), dtype=np.uint8)
        self._view = _View(empty, np.zeros(0, dtype=np.uint8), None, 0, None, 0, 0)

    @classmethod
    def from_codes(cls, codes: np.ndarray, params: IndexParams = IndexParams()) -> HashIndex:
        """Bulk-load an index (ids 0..n-1), building main directly instead of through the tiers."""
        index = cls(params)
        codes = as_codes(codes)
        if len(codes):
            n = len(codes)
            stored = _aligned_empty(n + _headroom(n))
            stored[:n] = codes
            alive = np.zeros(len(stored), dtype=np.uint8)
            alive[:n] = 1
            main = _build_tables(stored[:n], 0, index.starts, params.bits)
            index._view = _View(stored, alive, main, n, None, n, n)
            index._touch(n)
        return index

    def __len__(self) -> int:
        return self._view.end - self._removed

    def add(self, codes: np.ndarray) -> np.ndarray:
        """Add hashes; returns their ids (int64). Visible to lookups when this returns."""
        codes = as_codes(codes)
        with self._lock:
            view = self._view
            first, end = view.end, view.end + len(codes)
            if end > len(view.codes):  # additions outran the background growth: grow here
                view = self._regrow(view, self._grown(view, end), view.end)
            view.codes[first:end] = codes  # rows past view.end: no lookup reads them yet
            view.alive[first:end] = 1
            view = view._replace(end=end)
            self._view = view
            self._touch(len(codes))
            if end - view.delta_end >= self.params.tail_limit and self._indexing is None:
                # Re-index delta with the tail (tens of ms): beside the callers as well; the
                # tail, searched by brute force, holds what it has not reached yet.
                self._indexing = threading.Thread(target=self._index_delta,
                                                  name="hash-index-delta", daemon=True)
                self._indexing.start()
            self._start_merge()
            if len(view.codes) - end < _headroom(end) // 2 and self._growing is None:
                # Room for codes runs low: copy them into a larger array beside the callers
                # too (amortised: capacity grows by a quarter), instead of in some addition.
                self._growing = threading.Thread(target=self._grow, args=(view,),
                                                 name="hash-index-grow", daemon=True)
                self._growing.start()
        if end - self._view.delta_end >= 8 * self.params.tail_limit:
            # Additions outrun the background re-indexing (lookups would brute-force a long
            # tail): this caller re-indexes, outside the lock, before it returns.
            self._rebuild_delta()
        return np.arange(first, end, dtype=np.int64)

    def _start_merge(self) -> None:
        """Under the lock: merge delta into main if it has reached its limit. Merging costs
        O(n) (seconds at ten million hashes): it runs beside the callers, so that an addition
        never waits for it."""
        view = self._view
        if view.delta_end - view.main_end >= self.params.delta_limit and self._merging is None:
            self._merging = threading.Thread(target=self._merge, name="hash-index-merge",
                                             daemon=True)
            self._merging.start()

    @staticmethod
    def _grown(view: _View, needed: int) -> int:
        return max(needed + _headroom(needed), len(view.codes) + len(view.codes) // 4)

    def _regrow(self, view: _View, capacity: int, copied: int,
                codes: np.ndarray | None = None) -> _View:
        """``view`` with codes in an array of ``capacity`` rows (``codes``, of which rows up to
        ``copied`` are already filled, or a new one). Called under the lock."""
        if codes is None:
            codes, copied = _aligned_empty(capacity), 0
        codes[copied:view.end] = view.codes[copied:view.end]
        alive = np.zeros(capacity, dtype=np.uint8)
        alive[:view.end] = view.alive[:view.end]  # tombstones can change: copied under the lock
        return view._replace(codes=codes, alive=alive)

    def _grow(self, start: _View) -> None:
        try:
            codes = _aligned_empty(self._grown(start, start.end))
            codes[:start.end] = start.codes[:start.end]  # rows never change once written
            with self._lock:
                view = self._view
                if len(view.codes) < len(codes):  # an addition did not have to grow meanwhile
                    self._view = self._regrow(view, len(codes), start.end, codes)
        finally:
            self._growing = None

    def wait(self) -> None:
        """Wait for a merge or growth running in the background, if any."""
        for thread in (self._merging, self._indexing, self._growing):
            if thread is not None and thread is not threading.current_thread():
                thread.join()

    def remove(self, ids: Sequence[int] | np.ndarray) -> int:
        """Tombstone ids so they never match again; returns how many were live."""
        wanted = np.asarray(ids, dtype=np.int64).ravel()
        with self._lock:
            view = self._view
            if len(wanted) and (wanted.min() < 0 or wanted.max() >= view.end):
                raise MediaError(f"unknown index ids (the index holds ids 0..{view.end - 1})")
            wanted = np.unique(wanted)
            live = int(view.alive[wanted].sum())
            view.alive[wanted] = 0
            self._removed += live
            self._touch(live)
        return live

    def is_live(self, ident: int) -> bool:
        """Whether ``ident`` was added and not removed."""
        view = self._view
        return 0 <= ident < view.end and bool(view.alive[ident])

    def search(
        self, queries: np.ndarray, max_distance: int = MAX_DISTANCE, *, threads: int = 1
    ) -> SearchHits:
        """Every live hash within ``max_distance`` (0..31) of each query.

        ``threads`` > 1 splits a batch of queries across threads; the kernel releases the GIL,
        so a process uses that many cores.
        """
        queries = as_codes(queries)
        if isinstance(max_distance, bool) or not 0 <= max_distance <= MAX_DISTANCE:
            raise MediaError(f"max_distance must be 0..{MAX_DISTANCE}, not {max_distance!r}")
        view = self._view
        if threads <= 1 or len(queries) < 2 * threads:
            parts = [self._search(view, queries, max_distance)]
        else:
            bounds = np.linspace(0, len(queries), threads + 1).astype(int)
            with ThreadPoolExecutor(threads) as pool:
                parts = list(pool.map(
                    lambda se: self._search(view, queries[se[0]:se[1]], max_distance, se[0]),
                    zip(bounds[:-1], bounds[1:]),
                ))
        query, ids, dist = (np.concatenate(p) for p in zip(*parts))
        order = np.lexsort((ids, dist, query))
        return SearchHits(query[order], ids[order], dist[order])

    def _search(
        self, view: _View, queries: np.ndarray, max_distance: int, first: int = 0
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        codes, alive = view.codes[:view.end], view.alive[:view.end]
        raw = []
        if view.main is not None:
            main = view.main
            raw.append(_kernel.mih_search(codes, alive, main.base, main.rel, main.ids,
                                          main.starts, self.params.bits, queries,
                                          self.params.radius, max_distance))
        if view.delta is not None and view.delta_end > view.main_end:
            delta = view.delta
            raw.append(_kernel.mih_search(codes, alive, delta.base, delta.rel, delta.ids,
                                          delta.starts, _DELTA_BITS, queries, 1, max_distance))
        if view.end > view.delta_end:
            raw.append(_kernel.flat_search(codes, alive, view.delta_end, view.end, queries,
                                           max_distance))
        query = np.concatenate([np.frombuffer(q, np.uint32) for q, _, _ in raw] or [[]])
        ids = np.concatenate([np.frombuffer(i, np.uint32) for _, i, _ in raw] or [[]])
        dist = np.concatenate([np.frombuffer(d, np.uint8) for _, _, d in raw] or [[]])
        query, ids, dist = query.astype(np.int64), ids.astype(np.int64), dist.astype(np.int64)
        if len(raw) > 1 and len(ids):  # during a merge an id can be in main and in delta
            _, unique = np.unique(query << 32 | ids, return_index=True)
            query, ids, dist = query[unique], ids[unique], dist[unique]
        return query + first, ids, dist

    def compact(self) -> None:
        """Merge delta and tail into main now (otherwise done when delta reaches its limit)."""
        while True:
            self.wait()
            with self._lock:
                if self._merging is not None:
                    continue  # an addition started another merge meanwhile
                view = self._view
                if view.end > view.delta_end:
                    self._view = view._replace(delta=_build_tables(
                        view.codes[view.main_end:view.end], view.main_end, _DELTA_STARTS,
                        _DELTA_BITS), delta_end=view.end)
                self._merging = threading.current_thread()
                break
        self._merge()

    def _merge(self) -> None:
        """Fold delta into main, one table at a time. Only this merge replaces main tables, so
        the heavy work runs outside the lock; each finished table is published under it."""
        try:
            view = self._view
            start, stop = view.main_end, view.delta_end
            if stop == start:
                return
            bits = self.params.bits
            new = view.codes[start:stop]  # rows never change once written
            if view.main is None:
                with self._lock:
                    self._view = self._view._replace(
                        main=_build_tables(new, start, self.starts, bits))
            else:
                base, rel, ids = (list(part) for part in view.main[:3])
                new_words = _mih_py.words(new)
                for t, substring_start in enumerate(self.starts):
                    keys = _mih_py.substrings(new, substring_start, bits, new_words)
                    added = np.concatenate(([0], np.cumsum(np.bincount(keys,
                                                                       minlength=1 << bits))))
                    offsets = _mih_py.bucket_offsets(base[t], rel[t], bits)
                    ends = offsets[np.sort(keys).astype(np.int64) + 1]
                    ids[t] = np.insert(ids[t], ends, _ids_by_key(keys, start))  # bucket ends
                    base[t], rel[t] = _mih_py.compress_offsets(offsets + added)
                    with self._lock:  # lookups meanwhile find new ids in main or in delta
                        self._view = self._view._replace(main=_Tables(
                            tuple(base), tuple(rel), tuple(ids), self.starts))
            with self._lock:  # delta keeps ids now in main too (found twice, reported once)
                self._view = self._view._replace(main_end=stop)
            self._rebuild_delta()  # ... until it is rebuilt from what is left
        finally:
            self._merging = None

    def _index_delta(self) -> None:
        try:
            self._rebuild_delta()
        finally:
            self._indexing = None

    def _rebuild_delta(self) -> None:
        """Re-index delta as the ids from main's end to the latest addition, outside the lock;
        published unless a merge moved main's end meanwhile (then it starts over)."""
        while True:
            view = self._view
            first, end = view.main_end, view.end
            delta = (_build_tables(view.codes[first:end], first, _DELTA_STARTS, _DELTA_BITS)
                     if end > first else None)
            with self._lock:
                current = self._view
                if current.main_end == first:
                    if end >= current.delta_end:
                        self._view = current._replace(delta=delta, delta_end=end)
                        self._start_merge()
                    return

    def stats(self) -> IndexStats:
        """Size, tiers, memory and the time of the last change."""
        view = self._view
        # Codes and tombstones as held (spare capacity is reserved, not committed, until
        # written), tables whole.
        arrays: list[np.ndarray] = [view.codes[:view.end], view.alive[:view.end]]
        for tables in (view.main, view.delta):
            if tables is not None:
                arrays.extend(tables.arrays())
        return IndexStats(
            size=view.end - self._removed,
            removed=self._removed,
            main=view.main_end,
            delta=view.delta_end - view.main_end,
            tail=view.end - view.delta_end,
            memory_bytes=sum(a.nbytes for a in arrays),
            changes=self._changes,
            updated_at=self._updated_at,
            kernel=kernel_name(),
        )

    def _touch(self, changes: int) -> None:
        self._changes += changes
        self._updated_at = time.time()
