"""Hash index at scale: build time, memory, lookups per second, recall, and freshness.

    python benchmarks/hash_index.py                  # 10,000,000 hashes (about 4 GB peak, 3 min)
    python benchmarks/hash_index.py --n 1000000      # quicker
    python benchmarks/hash_index.py --faiss-mih      # also faiss IndexBinaryMultiHash (HMA's)

Fixed seeds. The index holds ``n`` uniformly random 256-bit hashes. Planted near-duplicates:
``--planted`` stored hashes are copied with d random bits flipped, d uniform in 1..31, and
looked up; recall is the share whose stored original is found (overall, by distance band, and
for a separate set at exactly 31, the worst case). Lookup speed is measured on a mix of those
queries and as many random ones (which match nothing, like most production traffic), with one
and with two threads; the brute-force baseline is faiss's IndexBinaryFlat range search in the
same run. Freshness: single additions to the full index, timed until a lookup finds them,
including the addition that triggers a merge of the delta tier into main.

Targets (issue 8): >= 40,000 lookups/s in one process, recall >= 0.99 of planted neighbours at
distance <= 31, <= 1 GB of index memory, additions visible within one second.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from keepwild.media.index import HashIndex, IndexParams, kernel_name

TARGET_RATE, TARGET_RECALL, TARGET_MEMORY, TARGET_FRESH = 40_000, 0.99, 1e9, 1.0


def flip(codes: np.ndarray, distances: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Copies of ``codes`` with ``distances[i]`` distinct random bits flipped in row i."""
    out = codes.copy()
    keys = rng.random((len(codes), 256))
    order = np.argsort(keys, axis=1)
    bits = np.zeros((len(codes), 256), dtype=bool)
    for row, d in enumerate(distances):
        bits[row, order[row, :d]] = True
    return out ^ np.packbits(bits, axis=1)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def recall_of(index: HashIndex, originals: np.ndarray, queries: np.ndarray) -> np.ndarray:
    hits = index.search(queries, 31, threads=2)
    found = np.zeros(len(queries), dtype=bool)
    found[hits.query[hits.id == originals[hits.query]]] = True
    return found


def rate(index: HashIndex, queries: np.ndarray, threads: int) -> float:
    index.search(queries[:2000], 31, threads=threads)  # warm caches and page tables
    start = time.perf_counter()
    for chunk in np.array_split(queries, max(1, len(queries) // 10_000)):
        index.search(chunk, 31, threads=threads)
    return len(queries) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--planted", type=int, default=20_000)
    parser.add_argument("--lookups", type=int, default=100_000)
    parser.add_argument("--faiss-mih", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(8)
    params = IndexParams()
    print(f"kernel: {kernel_name()}; layout: {params.tables} tables x {params.bits} bits, "
          f"radius {params.radius}; n = {args.n:,}")

    codes = rng.integers(0, 256, (args.n, 32), dtype=np.uint8)
    before = rss_mb()
    start = time.perf_counter()
    index = HashIndex.from_codes(codes, params)
    build = time.perf_counter() - start
    memory = index.stats().memory_bytes
    print(f"build: {build:.1f} s; index memory {memory / 1e6:,.0f} MB "
          f"(target <= {TARGET_MEMORY / 1e6:,.0f} MB: {'met' if memory <= TARGET_MEMORY else 'MISSED'}); "
          f"process peak RSS {rss_mb():,.0f} MB (hashes alone {codes.nbytes / 1e6:,.0f} MB, "
          f"peak before build {before:,.0f} MB)")

    originals = rng.integers(0, args.n, args.planted)
    distances = rng.integers(1, 32, args.planted)
    planted = flip(codes[originals], distances, rng)
    found = recall_of(index, originals, planted)
    worst_originals = rng.integers(0, args.n, 5000)
    worst = recall_of(index, worst_originals,
                      flip(codes[worst_originals], np.full(5000, 31), rng))
    bands = ", ".join(
        f"{lo}-{hi}: {found[(distances >= lo) & (distances <= hi)].mean():.4f}"
        for lo, hi in ((1, 23), (24, 27), (28, 31))
    )
    overall = found.mean()
    print(f"recall, {args.planted:,} planted at distance 1-31: {overall:.4f} "
          f"(target >= {TARGET_RECALL}: {'met' if overall >= TARGET_RECALL else 'MISSED'}); "
          f"by distance {bands}; at exactly 31: {worst.mean():.4f}")

    mix = np.concatenate([planted, rng.integers(0, 256, (len(planted), 32), dtype=np.uint8)])
    mix = np.resize(mix, (args.lookups, 32))
    rng.shuffle(mix)
    one, two = rate(index, mix, 1), rate(index, mix, 2)
    print(f"lookups/s at distance <= 31: {one:,.0f} with 1 thread, {two:,.0f} with 2 threads "
          f"(target >= {TARGET_RATE:,}: {'met' if max(one, two) >= TARGET_RATE else 'MISSED'})")

    try:
        import faiss
    except ImportError:
        faiss = None
    if faiss is not None:
        flat = faiss.IndexBinaryFlat(256)
        flat.add(codes)
        sample = mix[:200]
        start = time.perf_counter()
        flat.range_search(sample, 32)
        brute = len(sample) / (time.perf_counter() - start)
        print(f"brute force (faiss IndexBinaryFlat range search, {faiss.omp_get_max_threads()} "
              f"threads): {brute:,.0f} lookups/s; this index is {two / brute:,.0f}x faster")
        del flat
        if args.faiss_mih:
            start = time.perf_counter()
            mih = faiss.IndexBinaryMultiHash(256, 16, 16)
            mih.add(codes)
            mih.nflip = 1
            built = time.perf_counter() - start
            start = time.perf_counter()
            mih.range_search(mix[:5000], 32)
            mih_rate = 5000 / (time.perf_counter() - start)
            print(f"faiss IndexBinaryMultiHash 16x16, nflip 1: build {built:.1f} s, "
                  f"{mih_rate:,.0f} lookups/s; process peak RSS {rss_mb():,.0f} MB")
            del mih

    fresh = []
    new = rng.integers(0, 256, (params.delta_limit + 300, 32), dtype=np.uint8)
    worst_add = 0.0
    for i, code in enumerate(new):
        start = time.perf_counter()
        [ident] = index.add(code[None, :])
        added = time.perf_counter() - start
        worst_add = max(worst_add, added)
        if i % 1000 == 0 or i >= params.delta_limit - params.tail_limit - 5:
            start = time.perf_counter()
            hits = index.search(code[None, :], 0)
            fresh.append(added + time.perf_counter() - start)
            assert int(ident) in hits.id.tolist(), "an addition was not visible"
    stats = index.stats()
    print(f"freshness: {len(new):,} single additions to the full index; slowest addition "
          f"{worst_add * 1000:,.0f} ms (a delta merge into main), additions visible to lookups "
          f"after at most {max(fresh) * 1000:,.0f} ms, median {np.median(fresh) * 1000:.2f} ms "
          f"(target <= {TARGET_FRESH:g} s: {'met' if max(fresh) <= TARGET_FRESH else 'MISSED'});"
          f" tiers now main {stats.main:,} / delta {stats.delta:,} / tail {stats.tail:,}")


if __name__ == "__main__":
    main()
