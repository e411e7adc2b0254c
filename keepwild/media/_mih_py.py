"""The Python definition of the hash index kernels in ``_mih.c``.

Used where the C kernel was not built (no compiler at install time), and by the test that
checks the two agree. Same arguments and same results: three byte strings holding the query
indices (uint32), ids (uint32) and distances (uint8) of every hit, ids reported once per query.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np

__all__ = ["mih_search", "flat_search", "substrings", "words", "compress_offsets",
           "bucket_offsets", "BLOCK_SHIFT"]

CODE_BYTES = 32
#: Compressed offsets keep one uint32 base per 2**BLOCK_SHIFT keys.
BLOCK_SHIFT = 6


def words(codes: np.ndarray) -> np.ndarray:
    """(n, 32) uint8 codes as (n, 4) native uint64 words, most significant bit first."""
    return np.ascontiguousarray(codes).view(">u8").astype(np.uint64)


def substrings(codes: np.ndarray, start: int, b: int, code_words: np.ndarray | None = None
               ) -> np.ndarray:
    """The ``b``-bit substring starting at bit ``start`` of each code, as uint32 keys
    (``code_words``: ``words(codes)``, when the caller already has it)."""
    w = words(codes.reshape(-1, CODE_BYTES)) if code_words is None else code_words
    index, offset = divmod(start, 64)
    if offset + b <= 64:
        key = w[:, index] >> np.uint64(64 - offset - b)
    else:
        low_bits = offset + b - 64
        key = (w[:, index] << np.uint64(low_bits)) | (w[:, index + 1] >> np.uint64(64 - low_bits))
    return (key & np.uint64((1 << b) - 1)).astype(np.uint32)


def compress_offsets(offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR offsets (2**b + 1 of them, ascending) as ``(base, rel)``: ``offsets[key] ==
    base[key >> BLOCK_SHIFT] + rel[key]``, base uint32 and rel uint16, or uint32 when a block
    of keys spans 65,536 ids or more."""
    offsets = np.asarray(offsets, dtype=np.int64)
    base = offsets[::1 << BLOCK_SHIFT]
    rel = offsets - base[np.arange(len(offsets)) >> BLOCK_SHIFT]
    rel_type = np.uint16 if rel.max(initial=0) < 1 << 16 else np.uint32
    return base.astype(np.uint32), rel.astype(rel_type)


def bucket_offsets(base: object, rel: object, b: int) -> np.ndarray:
    """The CSR offsets (int64) that :func:`compress_offsets` compressed, for ``b``-bit keys."""
    rel_bytes = np.frombuffer(rel, dtype=np.uint8)  # type: ignore[call-overload]
    rel_type = np.uint16 if len(rel_bytes) == 2 * ((1 << b) + 1) else np.uint32
    rel_arr = rel_bytes.view(rel_type)
    base_arr = np.frombuffer(base, dtype=np.uint32)  # type: ignore[call-overload]
    return (base_arr[np.arange(len(rel_arr)) >> BLOCK_SHIFT].astype(np.int64)
            + rel_arr.astype(np.int64))


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.bitwise_count(a ^ b).sum(axis=1, dtype=np.int64)


def _as_codes(buffer: object) -> np.ndarray:
    return np.frombuffer(buffer, dtype=np.uint8).reshape(-1, CODE_BYTES)  # type: ignore[call-overload]


def _flip_masks(b: int, radius: int) -> np.ndarray:
    masks = [0]
    for r in range(1, radius + 1):
        masks.extend(sum(1 << i for i in bits) for bits in combinations(range(b), r))
    return np.array(masks, dtype=np.uint32)


def _result(qidx: np.ndarray, ids: np.ndarray, dist: np.ndarray) -> tuple[bytes, bytes, bytes]:
    return (qidx.astype(np.uint32).tobytes(), ids.astype(np.uint32).tobytes(),
            dist.astype(np.uint8).tobytes())


def mih_search(
    codes: object, alive: object, bases: Sequence[object], rels: Sequence[object],
    ids: Sequence[object], starts: Sequence[int], b: int, queries: object, radius: int,
    max_dist: int,
) -> tuple[bytes, bytes, bytes]:
    """Multi-index hashing search (see ``_mih.c``): table t keys the ``b`` bits from bit
    ``starts[t]``, its bucket offsets compressed as by :func:`compress_offsets`."""
    code_arr = _as_codes(codes)
    alive_arr = np.frombuffer(alive, dtype=np.uint8)  # type: ignore[call-overload]
    query_arr = _as_codes(queries)
    query_words = words(query_arr)
    code_words = words(code_arr)
    masks = _flip_masks(b, radius)
    query_keys = [substrings(query_arr, start, b) for start in starts]
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for t, (base, rel, id_buf) in enumerate(zip(bases, rels, ids)):
        off = bucket_offsets(base, rel, b)
        table = np.frombuffer(id_buf, dtype=np.uint32)  # type: ignore[call-overload]
        probes = (query_keys[t][:, None] ^ masks[None, :]).ravel()
        lo = off[probes].astype(np.int64)
        hi = np.minimum(off[probes + 1].astype(np.int64), len(table))
        counts = np.maximum(hi - lo, 0)
        probe_query = np.repeat(np.arange(len(query_arr)), len(masks))
        query_of = np.repeat(probe_query, counts)
        shift = np.repeat(lo - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        cand = table[shift + np.arange(counts.sum())].astype(np.int64)
        keep = (cand < len(code_arr))
        query_of, cand = query_of[keep], cand[keep]
        keep = alive_arr[cand] != 0
        query_of, cand = query_of[keep], cand[keep]
        dist = _distances(code_words[cand], query_words[query_of])
        keep = dist <= max_dist
        query_of, cand, dist = query_of[keep], cand[keep], dist[keep]
        for earlier in range(t):  # report an id from the first table that reaches it
            near = np.bitwise_count(
                substrings(code_arr[cand], starts[earlier], b) ^ query_keys[earlier][query_of]
            ) <= radius
            query_of, cand, dist = query_of[~near], cand[~near], dist[~near]
        found.append((query_of, cand, dist))
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return _result(empty, empty, empty)
    return _result(*(np.concatenate(parts) for parts in zip(*found)))


def flat_search(
    codes: object, alive: object, start: int, end: int, queries: object, max_dist: int
) -> tuple[bytes, bytes, bytes]:
    """Brute-force search over ids ``start..end`` (see ``_mih.c``)."""
    code_arr = _as_codes(codes)
    alive_arr = np.frombuffer(alive, dtype=np.uint8)  # type: ignore[call-overload]
    query_words = words(_as_codes(queries))
    segment = words(code_arr[start:end])
    live = (alive_arr[start:end] != 0)[None, :]
    step = max(1, (1 << 20) // max(1, end - start))  # bound the (queries x ids) block
    parts = []
    for first in range(0, len(query_words), step):
        block = query_words[first:first + step]
        dist = np.bitwise_count(block[:, None, :] ^ segment[None, :, :]).sum(
            axis=2, dtype=np.int64
        )
        qidx, rel = np.nonzero((dist <= max_dist) & live)
        parts.append((qidx + first, rel + start, dist[qidx, rel]))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return _result(empty, empty, empty)
    return _result(*(np.concatenate(p) for p in zip(*parts)))
