/* Hamming-radius search over 256-bit PDQ hashes: the hot loop of keepwild.media.index.
 *
 * Two searches, both releasing the GIL so that callers can use every core with threads:
 *
 *   mih_search   multi-index hashing: m substrings of b bits, table t's starting at bit
 *                starts[t] (disjoint where they fit; a table may overlap others); each table
 *                lists, for every b-bit key, the ids whose substring has that key, in CSR form
 *                with compressed offsets: the bucket of `key` is ids[off(key)..off(key + 1)),
 *                off(key) = base[key >> 6] + rel[key] (uint32 base per 64 keys, rel uint16, or
 *                uint32 when a block holds 65,536 ids or more), half the memory of uint32
 *                offsets. A query probes every key within `radius` bits of its own substring
 *                in every table and verifies each candidate on the full 256 bits.
 *   flat_search  brute force over a range of ids (the small tail of recent additions).
 *
 * Codes are 32 bytes, most significant bit first, as in the 64-hex-digit PDQ form.
 * The Python definition in keepwild/media/_mih_py.py computes the same results; a test checks
 * that the two agree.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define CODE_BYTES 32
#define MAX_TABLES 32

typedef struct {
    uint32_t *qidx;
    uint32_t *ids;
    uint8_t *dist;
    Py_ssize_t n, cap;
    int failed;
} Hits;

static void hits_push(Hits *h, uint32_t q, uint32_t id, uint8_t d) {
    if (h->failed) return;
    if (h->n == h->cap) {
        Py_ssize_t cap = h->cap ? h->cap * 2 : 256;
        uint32_t *a = realloc(h->qidx, cap * sizeof(uint32_t));
        if (a) h->qidx = a;
        uint32_t *b = realloc(h->ids, cap * sizeof(uint32_t));
        if (b) h->ids = b;
        uint8_t *c = realloc(h->dist, cap);
        if (c) h->dist = c;
        if (!a || !b || !c) { h->failed = 1; return; }
        h->cap = cap;
    }
    h->qidx[h->n] = q;
    h->ids[h->n] = id;
    h->dist[h->n] = d;
    h->n++;
}

static PyObject *hits_result(Hits *h) {
    PyObject *result = NULL;
    if (h->failed) {
        PyErr_NoMemory();
    } else {
        static const char none[1] = {0};  /* "y#" turns a NULL pointer into None */
        result = Py_BuildValue(
            "(y#y#y#)",
            h->n ? (const char *)h->qidx : none, h->n * (Py_ssize_t)sizeof(uint32_t),
            h->n ? (const char *)h->ids : none, h->n * (Py_ssize_t)sizeof(uint32_t),
            h->n ? (const char *)h->dist : none, h->n);
    }
    free(h->qidx);
    free(h->ids);
    free(h->dist);
    return result;
}

static inline uint64_t load_be64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return __builtin_bswap64(v);
}

/* Hamming distance needs no byte order: native loads of both codes. */
static inline int distance(const uint8_t *a, const uint8_t *b) {
    uint64_t x[4], y[4];
    memcpy(x, a, CODE_BYTES);
    memcpy(y, b, CODE_BYTES);
    return __builtin_popcountll(x[0] ^ y[0]) + __builtin_popcountll(x[1] ^ y[1]) +
           __builtin_popcountll(x[2] ^ y[2]) + __builtin_popcountll(x[3] ^ y[3]);
}

/* The b-bit substring starting at bit `start` (MSB first) of a code. */
static inline uint32_t substring(const uint8_t *code, int start, int b) {
    uint8_t padded[CODE_BYTES + 8];
    memcpy(padded, code, CODE_BYTES);
    memset(padded + CODE_BYTES, 0, 8);
    uint64_t window = load_be64(padded + start / 8);
    return (uint32_t)((window >> (64 - (start % 8) - b)) & ((1ULL << b) - 1));
}

#define BLOCK_SHIFT 6 /* keys per base entry: 64 */

typedef struct {
    const uint32_t *base;
    const uint16_t *rel16; /* one of rel16, rel32 */
    const uint32_t *rel32;
    const uint32_t *ids;
    Py_ssize_t n_ids;
    int start;
} Table;

static inline uint32_t bucket_start(const Table *tab, uint32_t key) {
    return tab->base[key >> BLOCK_SHIFT] + (tab->rel16 ? tab->rel16[key] : tab->rel32[key]);
}

static inline const void *rel_address(const Table *tab, uint32_t key) {
    return tab->rel16 ? (const void *)&tab->rel16[key] : (const void *)&tab->rel32[key];
}

/* Report an id once: only from the first table whose probe reaches it. */
static int reached_earlier(const uint8_t *query, const uint8_t *code, const Table *tables,
                           int table, int b, int radius) {
    for (int t = 0; t < table; t++) {
        uint32_t x = substring(query, tables[t].start, b) ^ substring(code, tables[t].start, b);
        if (__builtin_popcount(x) <= radius) return 1;
    }
    return 0;
}

/* Lookups are memory-bound: with 10 million hashes every bucket offset, id range and candidate
 * code is a cache miss. Queries are therefore processed in blocks, in stages that each walk a
 * list (probes, then id ranges, then candidates) while prefetching the item AHEAD places
 * further on, so that many misses are in flight at once instead of one after another.
 * (Codes are stored 64-byte aligned by the index, so a candidate is one cache line.) */
#ifndef BLOCK
#define BLOCK 16
#endif
#ifndef AHEAD
#define AHEAD 32 /* measured at 10M: 16 -> 32 gave +13 % (median of 8 interleaved runs) */
#endif

typedef struct {
    uint32_t q;     /* query index within the call */
    uint32_t table;
    uint32_t key;
    uint32_t lo, hi;
} Probe;

typedef struct {
    uint32_t q;
    uint32_t table;
    uint32_t id;
} Candidate;

typedef struct {
    Probe *probes;
    Candidate *cands;
    Py_ssize_t cand_cap;
    int failed;
} Scratch;

static void search_block(const Table *tables, int m, int b, int radius, const uint32_t *masks,
                         int n_masks, const uint8_t *codes, Py_ssize_t n_codes,
                         const uint8_t *alive, const uint8_t *queries, uint32_t q0, int nq,
                         int max_dist, Scratch *s, Hits *hits) {
    Probe *probes = s->probes;
    Py_ssize_t n_probes = 0;
    for (int qi = 0; qi < nq; qi++) {
        const uint8_t *query = queries + (Py_ssize_t)(q0 + qi) * CODE_BYTES;
        for (int t = 0; t < m; t++) {
            uint32_t key = substring(query, tables[t].start, b);
            for (int k = 0; k < n_masks; k++) {
                Probe *p = &probes[n_probes++];
                p->q = q0 + qi;
                p->table = (uint32_t)t;
                p->key = key ^ masks[k];
            }
        }
    }
    Py_ssize_t n_cands = 0;
    for (Py_ssize_t i = 0; i < n_probes; i++) {
        if (i + AHEAD < n_probes) {
            const Probe *ahead = &probes[i + AHEAD];
            __builtin_prefetch(rel_address(&tables[ahead->table], ahead->key));
        }
        Probe *p = &probes[i];
        const Table *tab = &tables[p->table];
        uint32_t lo = bucket_start(tab, p->key), hi = bucket_start(tab, p->key + 1);
        if (hi > tab->n_ids) hi = (uint32_t)tab->n_ids;
        if (lo > hi) lo = hi;
        p->lo = lo;
        p->hi = hi;
        n_cands += hi - lo;
    }
    if (n_cands > s->cand_cap) {
        Candidate *c = realloc(s->cands, n_cands * sizeof(Candidate));
        if (!c) { s->failed = 1; return; }
        s->cands = c;
        s->cand_cap = n_cands;
    }
    Candidate *cands = s->cands;
    n_cands = 0;
    for (Py_ssize_t i = 0; i < n_probes; i++) {
        if (i + AHEAD < n_probes) {
            const Probe *ahead = &probes[i + AHEAD];
            if (ahead->hi > ahead->lo) __builtin_prefetch(&tables[ahead->table].ids[ahead->lo]);
        }
        const Probe *p = &probes[i];
        const uint32_t *ids = tables[p->table].ids;
        for (uint32_t j = p->lo; j < p->hi; j++) {
            uint32_t id = ids[j];
            if (id >= n_codes) continue;
            Candidate *c = &cands[n_cands++];
            c->q = p->q;
            c->table = p->table;
            c->id = id;
        }
    }
    for (Py_ssize_t i = 0; i < n_cands; i++) {
        if (i + AHEAD < n_cands)
            __builtin_prefetch(codes + (Py_ssize_t)cands[i + AHEAD].id * CODE_BYTES);
        const Candidate *c = &cands[i];
        const uint8_t *query = queries + (Py_ssize_t)c->q * CODE_BYTES;
        const uint8_t *code = codes + (Py_ssize_t)c->id * CODE_BYTES;
        int d = distance(query, code);
        if (d <= max_dist && alive[c->id] &&
            !reached_earlier(query, code, tables, (int)c->table, b, radius))
            hits_push(hits, c->q, c->id, (uint8_t)d);
    }
}

static int get_buffers(PyObject *seq, Py_buffer *views, int *count, const char *what) {
    PyObject *fast = PySequence_Fast(seq, what);
    if (!fast) return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    if (n < 1 || n > MAX_TABLES) {
        Py_DECREF(fast);
        PyErr_Format(PyExc_ValueError, "%s: between 1 and %d tables expected", what, MAX_TABLES);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PyObject_GetBuffer(PySequence_Fast_GET_ITEM(fast, i), &views[i],
                               PyBUF_C_CONTIGUOUS) < 0) {
            for (Py_ssize_t j = 0; j < i; j++) PyBuffer_Release(&views[j]);
            Py_DECREF(fast);
            return -1;
        }
    }
    Py_DECREF(fast);
    *count = (int)n;
    return 0;
}

static PyObject *mih_search(PyObject *self, PyObject *args) {
    Py_buffer codes, alive, queries;
    PyObject *base_seq, *rel_seq, *ids_seq, *starts_seq;
    int b, radius, max_dist;
    if (!PyArg_ParseTuple(args, "y*y*OOOOiy*ii", &codes, &alive, &base_seq, &rel_seq, &ids_seq,
                          &starts_seq, &b, &queries, &radius, &max_dist))
        return NULL;
    Py_buffer basev[MAX_TABLES], relv[MAX_TABLES], idsv[MAX_TABLES];
    int m = 0, m2 = 0, m3 = 0;
    PyObject *result = NULL;
    Table tables[MAX_TABLES];
    if (get_buffers(base_seq, basev, &m, "base") < 0) goto done0;
    if (get_buffers(rel_seq, relv, &m2, "rel") < 0) goto done1;
    if (get_buffers(ids_seq, idsv, &m3, "ids") < 0) goto done2;
    if (m != m2 || m != m3 || b < 1 || b > 24 || radius < 0 || radius > 2 ||
        codes.len % CODE_BYTES || queries.len % CODE_BYTES ||
        alive.len < codes.len / CODE_BYTES || PySequence_Size(starts_seq) != m) {
        PyErr_SetString(PyExc_ValueError, "inconsistent index layout");
        goto done3;
    }
    Py_ssize_t n_keys = (Py_ssize_t)1 << b;
    for (int t = 0; t < m; t++) {
        PyObject *item = PySequence_GetItem(starts_seq, t);
        long start = item ? PyLong_AsLong(item) : -1;
        Py_XDECREF(item);
        if (start < 0 || start + b > 256) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "substring out of range");
            goto done3;
        }
        tables[t].start = (int)start;
        if (basev[t].len != ((n_keys >> BLOCK_SHIFT) + 1) * (Py_ssize_t)sizeof(uint32_t) ||
            (relv[t].len != (n_keys + 1) * 2 && relv[t].len != (n_keys + 1) * 4)) {
            PyErr_SetString(PyExc_ValueError, "offsets table of the wrong size");
            goto done3;
        }
        tables[t].base = basev[t].buf;
        tables[t].rel16 = relv[t].len == (n_keys + 1) * 2 ? relv[t].buf : NULL;
        tables[t].rel32 = tables[t].rel16 ? NULL : relv[t].buf;
        tables[t].ids = idsv[t].buf;
        tables[t].n_ids = idsv[t].len / (Py_ssize_t)sizeof(uint32_t);
    }
    Hits hits = {0};
    Py_ssize_t n_codes = codes.len / CODE_BYTES, n_queries = queries.len / CODE_BYTES;
    const uint8_t *cbuf = codes.buf, *abuf = alive.buf, *qbuf = queries.buf;
    int n_masks = 1 + (radius >= 1 ? b : 0) + (radius >= 2 ? b * (b - 1) / 2 : 0);
    uint32_t *masks = malloc(n_masks * sizeof(uint32_t));
    Scratch scratch = {malloc((Py_ssize_t)BLOCK * m * n_masks * sizeof(Probe)), NULL, 0, 0};
    if (!masks || !scratch.probes) {
        free(masks);
        free(scratch.probes);
        PyErr_NoMemory();
        goto done3;
    }
    int k = 0;
    masks[k++] = 0;
    for (int i = 0; radius >= 1 && i < b; i++) {
        masks[k++] = 1u << i;
        for (int j = i + 1; radius >= 2 && j < b; j++) masks[k++] = (1u << i) | (1u << j);
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t q = 0; q < n_queries && !scratch.failed; q += BLOCK) {
        int nq = (int)(n_queries - q < BLOCK ? n_queries - q : BLOCK);
        search_block(tables, m, b, radius, masks, n_masks, cbuf, n_codes, abuf, qbuf,
                     (uint32_t)q, nq, max_dist, &scratch, &hits);
    }
    Py_END_ALLOW_THREADS
    free(masks);
    free(scratch.probes);
    free(scratch.cands);
    if (scratch.failed) hits.failed = 1;
    result = hits_result(&hits);
done3:
    for (int t = 0; t < m3; t++) PyBuffer_Release(&idsv[t]);
done2:
    for (int t = 0; t < m2; t++) PyBuffer_Release(&relv[t]);
done1:
    for (int t = 0; t < m; t++) PyBuffer_Release(&basev[t]);
done0:
    PyBuffer_Release(&codes);
    PyBuffer_Release(&alive);
    PyBuffer_Release(&queries);
    return result;
}

static PyObject *flat_search(PyObject *self, PyObject *args) {
    Py_buffer codes, alive, queries;
    Py_ssize_t start, end;
    int max_dist;
    if (!PyArg_ParseTuple(args, "y*y*nny*i", &codes, &alive, &start, &end, &queries, &max_dist))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t n_codes = codes.len / CODE_BYTES;
    if (codes.len % CODE_BYTES || queries.len % CODE_BYTES || alive.len < n_codes ||
        start < 0 || end > n_codes || start > end) {
        PyErr_SetString(PyExc_ValueError, "inconsistent index layout");
        goto done;
    }
    Hits hits = {0};
    Py_ssize_t n_queries = queries.len / CODE_BYTES;
    const uint8_t *cbuf = codes.buf, *abuf = alive.buf, *qbuf = queries.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t q = 0; q < n_queries; q++) {
        const uint8_t *query = qbuf + q * CODE_BYTES;
        for (Py_ssize_t id = start; id < end; id++) {
            int d = distance(query, cbuf + id * CODE_BYTES);
            if (d <= max_dist && abuf[id]) hits_push(&hits, (uint32_t)q, (uint32_t)id, (uint8_t)d);
        }
    }
    Py_END_ALLOW_THREADS
    result = hits_result(&hits);
done:
    PyBuffer_Release(&codes);
    PyBuffer_Release(&alive);
    PyBuffer_Release(&queries);
    return result;
}

static PyMethodDef methods[] = {
    {"mih_search", mih_search, METH_VARARGS,
     "mih_search(codes, alive, bases, rels, ids, starts, b, queries, radius, max_dist) -> "
     "(query indices, ids, distances) as uint32/uint32/uint8 bytes"},
    {"flat_search", flat_search, METH_VARARGS,
     "flat_search(codes, alive, start, end, queries, max_dist) -> "
     "(query indices, ids, distances) as uint32/uint32/uint8 bytes"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_mih", "Hamming-radius search kernels for PDQ hash indexes.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__mih(void) { return PyModule_Create(&module); }
