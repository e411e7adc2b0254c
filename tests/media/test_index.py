"""The hash index: exact against brute force, C kernel equal to its Python definition, and
additions and removals visible at once through every tier."""

from __future__ import annotations

import numpy as np
import pytest

from keepwild.media import _mih_py, index as index_module
from keepwild.media.errors import MediaError
from keepwild.media.index import EXACT, HashIndex, IndexParams, as_codes


def _random(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, 32), dtype=np.uint8)


def _flip(codes: np.ndarray, distances: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = codes.copy()
    for row, d in zip(out, distances):
        for bit in rng.choice(256, int(d), replace=False):
            row[bit // 8] ^= 1 << (7 - bit % 8)
    return out


def _brute(codes: np.ndarray, queries: np.ndarray, radius: int, alive: np.ndarray | None = None
           ) -> set[tuple[int, int, int]]:
    dist = np.bitwise_count(_mih_py.words(queries)[:, None, :] ^ _mih_py.words(codes)[None]
                            ).sum(axis=2)
    if alive is not None:
        dist[:, ~alive] = 999
    q, i = np.nonzero(dist <= radius)
    return {(int(a), int(b), int(dist[a, b])) for a, b in zip(q, i)}


def _hits(hits) -> set[tuple[int, int, int]]:
    return set(zip(hits.query.tolist(), hits.id.tolist(), hits.distance.tolist()))


@pytest.fixture(params=["c", "python"])
def kernel(request, monkeypatch):
    if request.param == "c":
        if index_module.kernel_name() != "c":
            pytest.fail("the C kernel was not built (pip install -e . compiles it)")
    else:
        monkeypatch.setattr(index_module, "_kernel", _mih_py)
    return request.param


def test_exact_layout_equals_brute_force(kernel: str) -> None:
    codes = _random(20_000, 1)
    queries = np.concatenate([_flip(codes[:300], np.arange(300) % 32, 2), _random(50, 3)])
    index = HashIndex.from_codes(codes, EXACT)
    for radius in (0, 10, 31):
        assert _hits(index.search(queries, radius)) == _brute(codes, queries, radius)


def test_default_layout_is_exact_to_21_and_finds_planted_neighbours(kernel: str) -> None:
    codes = _random(20_000, 4)
    queries = _flip(codes[:400], np.arange(400) % 32, 5)
    index = HashIndex.from_codes(codes)
    assert index.starts == (0, 22, 44, 66, 88, 110, 132, 154, 176, 198, 220, 234)
    assert _hits(index.search(queries, 21)) == _brute(codes, queries, 21)
    found = _hits(index.search(queries, 31))
    assert found <= _brute(codes, queries, 31)
    assert sum((q, q) in {(a, b) for a, b, _ in found} for q in range(400)) >= 396


def test_kernels_agree_hit_for_hit(monkeypatch: pytest.MonkeyPatch) -> None:
    if index_module.kernel_name() != "c":
        pytest.fail("the C kernel was not built")
    codes = _random(30_000, 6)
    queries = _flip(codes[::100], np.full(300, 27), 7)
    index = HashIndex.from_codes(codes)
    index.remove(np.arange(0, 30_000, 300))
    c_hits = index.search(queries, 31)
    monkeypatch.setattr(index_module, "_kernel", _mih_py)
    py_hits = index.search(queries, 31)
    for a, b in zip(c_hits, py_hits):
        assert np.array_equal(a, b)


def test_additions_and_removals_through_every_tier(kernel: str) -> None:
    params = IndexParams(tables=14, bits=18, delta_limit=3000, tail_limit=500)
    index = HashIndex(params)
    codes = _random(10_000, 8)
    seen = 0
    for size in (1, 7, 499, 1200, 2500, 5793):  # lands in tail, delta, and merges into main
        ids = index.add(codes[seen:seen + size])
        assert ids.tolist() == list(range(seen, seen + size))
        seen += size
        sample = np.unique(np.concatenate([np.arange(0, seen, max(1, seen // 150)),
                                           np.arange(max(0, seen - 50), seen)]))
        probe = _flip(codes[sample], np.full(len(sample), 12), seen)
        assert _hits(index.search(probe, 31)) == _brute(codes[:seen], probe, 31)
    index.wait()  # merges into main run in the background
    stats = index.stats()
    assert stats.size == 10_000 and stats.main + stats.delta + stats.tail == 10_000
    assert stats.main > 0
    alive = np.ones(10_000, dtype=bool)
    alive[[0, 5, 4000, 9999]] = False
    assert index.remove([0, 5, 4000, 9999, 5]) == 4
    assert index.remove([0]) == 0
    probe = codes[[0, 1, 5, 4000, 9998, 9999]]
    assert _hits(index.search(probe, 31)) == _brute(codes, probe, 31, alive)
    assert len(index) == 9996 and index.stats().removed == 4


def test_compact_moves_everything_into_main(kernel: str) -> None:
    index = HashIndex(IndexParams(tail_limit=100))
    codes = _random(2_000, 9)
    index.add(codes)
    index.compact()
    stats = index.stats()
    assert (stats.main, stats.delta, stats.tail) == (2_000, 0, 0)
    assert _hits(index.search(codes[:50], 0)) == {(i, i, 0) for i in range(50)}


def test_threads_give_the_same_hits() -> None:
    codes = _random(20_000, 10)
    queries = _flip(codes[:1000], np.full(1000, 20), 11)
    index = HashIndex.from_codes(codes)
    one, two = index.search(queries, 31), index.search(queries, 31, threads=2)
    for a, b in zip(one, two):
        assert np.array_equal(a, b)


def test_bad_arguments_are_refused() -> None:
    index = HashIndex()
    with pytest.raises(MediaError, match="max_distance"):
        index.search(_random(1, 0), 32)
    with pytest.raises(MediaError, match="32-byte"):
        as_codes([b"short"])
    with pytest.raises(MediaError, match="unknown index ids"):
        index.remove([3])
    with pytest.raises(MediaError, match="unsupported index layout"):
        HashIndex(IndexParams(tables=33, bits=16))
    with pytest.raises(MediaError, match="unsupported index layout"):
        HashIndex(IndexParams(bits=25))
    assert len(index.search(_random(3, 1), 31).id) == 0


def test_batch_lookup_equals_single_lookups(kernel: str) -> None:
    codes = _random(20_000, 12)
    params = IndexParams(tables=14, bits=18, tail_limit=256)
    index = HashIndex.from_codes(codes[:15_000], params)
    index.add(codes[15_000:])  # main, delta and tail all hold hashes
    queries = np.concatenate([_flip(codes[::400], np.arange(50) % 32, 13), _random(20, 14)])
    batch = _hits(index.search(queries, 31, threads=2))
    single = set()
    for q, query in enumerate(queries):
        single |= {(q, i, d) for _, i, d in _hits(index.search(query[None], 31))}
    assert batch == single
    assert batch <= _brute(codes, queries, 31)


def test_additions_are_visible_at_once_while_a_merge_runs(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    import threading

    release, merging = threading.Event(), threading.Event()
    ids_by_key = index_module._ids_by_key

    def slow_in_merge(keys, first_id):
        if threading.current_thread().name == "hash-index-merge":
            merging.set()
            assert release.wait(10)
        return ids_by_key(keys, first_id)

    monkeypatch.setattr(index_module, "_ids_by_key", slow_in_merge)
    codes = _random(12_000, 15)
    index = HashIndex.from_codes(codes[:5_000], IndexParams(delta_limit=2_000, tail_limit=100))
    index.add(codes[5_000:7_000])  # fills delta: the merge starts, and stalls
    assert merging.wait(10) and index._merging is not None
    for i in range(7_000, 7_300):  # single additions during the merge, through tail and delta
        [ident] = index.add(codes[i:i + 1])
        assert _hits(index.search(codes[i:i + 1], 0)) == {(0, ident, 0)}
    probe = _flip(codes[4_900:7_300:20], np.full(120, 9), 16)
    assert _hits(index.search(probe, 31)) == _brute(codes[:7_300], probe, 31)
    release.set()
    index.wait()
    assert index.stats().main == 7_000
    assert _hits(index.search(probe, 31)) == _brute(codes[:7_300], probe, 31)


def test_storage_grows_beside_additions_and_keeps_tombstones() -> None:
    codes = _random(110_000, 17)
    index = HashIndex.from_codes(codes[:1_000])
    capacity = len(index._view.codes)
    index.remove([3])
    index.add(codes[1_000:40_000])  # spare room runs low: grows in the background
    index.wait()
    assert len(index._view.codes) > capacity
    index.add(codes[40_000:110_000])  # more than the room left: grows within the addition
    index.wait()
    assert index._view.codes.ctypes.data % 64 == 0
    assert not index.is_live(3) and index.is_live(109_999)
    probe = codes[[0, 3, 999, 39_999, 40_000, 109_999]]
    alive = np.ones(110_000, dtype=bool)
    alive[3] = False
    assert _hits(index.search(probe, 31)) == _brute(codes, probe, 31, alive)


def test_compressed_offsets_round_trip() -> None:
    rng = np.random.default_rng(18)
    for b, n in ((3, 50), (10, 5_000), (12, 300_000)):
        counts = rng.poisson(n / 2**b, 2**b)
        counts[5] = 70_000 if n > 100_000 else counts[5]  # a block of 64 keys over 65,535 ids
        offsets = np.concatenate(([0], np.cumsum(counts)))
        base, rel = _mih_py.compress_offsets(offsets)
        assert len(base) == (2**b >> _mih_py.BLOCK_SHIFT) + 1
        assert rel.dtype == (np.uint32 if n > 100_000 else np.uint16)
        assert np.array_equal(_mih_py.bucket_offsets(base, rel, b), offsets)


def test_overlapping_tables_beyond_256_bits(kernel: str) -> None:
    assert index_module.substring_starts(16, 16) == tuple(range(0, 256, 16))
    assert index_module.substring_starts(13, 20) == (*range(0, 240, 20), 236)
    codes = _random(5_000, 19)
    queries = _flip(codes[:200], np.arange(200) % 32, 20)
    index = HashIndex.from_codes(codes, IndexParams(tables=14, bits=20))
    assert _hits(index.search(queries, 23)) == _brute(codes, queries, 23)
