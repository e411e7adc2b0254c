/*
 * keepwild.text._fastfold: the scanning hot path in C.
 *
 * fold_views(text, table, fallback, robust_map) -> (folded, robust or None)
 *
 * Computes exactly what keepwild.text.fold.fold() and keepwild.text.robust.robust() compute
 * in Python (the Python code is the specification and the fallback; a property test checks
 * that both agree), but in one pass with no per-character Python objects:
 *
 *   - table: a list of 65536 entries, one per BMP code point: the character's piece (str) or
 *     None while not yet known. Unknown entries are filled by calling fallback[code] (the
 *     lazily filled FoldTable) once, then cached in the list.
 *   - fallback: the FoldTable mapping, used for code points outside the BMP.
 *   - robust_map: 128 bytes; for each ASCII character of folded text, the character it reads
 *     as in the robust view, or 0 when it is a separator and is dropped. Non-ASCII characters
 *     pass unchanged. One ASCII digit or leet symbol with a Thai, Han or Arabic character of
 *     the same script directly on each side is dropped (a disguise). Runs of three or more
 *     identical characters collapse to one.
 *
 * The robust view is None when the folded text shows no sign of a disguise it could undo
 * (keepwild.text.robust.needs_robust), which spares most listings a second index scan.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    Py_UCS4 *data;
    Py_ssize_t len;
    Py_ssize_t cap;
} Buffer;

static int buffer_reserve(Buffer *buf, Py_ssize_t extra) {
    if (buf->len + extra <= buf->cap) {
        return 0;
    }
    Py_ssize_t cap = buf->cap * 2;
    if (cap < buf->len + extra) {
        cap = buf->len + extra;
    }
    Py_UCS4 *grown = PyMem_Realloc(buf->data, (size_t)cap * sizeof(Py_UCS4));
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    buf->data = grown;
    buf->cap = cap;
    return 0;
}

static int append_piece(Buffer *buf, PyObject *piece) {
    if (!PyUnicode_Check(piece)) {
        PyErr_SetString(PyExc_TypeError, "fold table pieces must be str");
        return -1;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(piece);
    if (buffer_reserve(buf, n) < 0) {
        return -1;
    }
    int kind = PyUnicode_KIND(piece);
    const void *data = PyUnicode_DATA(piece);
    for (Py_ssize_t i = 0; i < n; i++) {
        buf->data[buf->len++] = PyUnicode_READ(kind, data, i);
    }
    return 0;
}

/* The piece of code point `code`, as a new reference. */
static PyObject *lookup_piece(Py_UCS4 code, PyObject *table, PyObject *fallback) {
    if (code < 0x10000) {
        PyObject *piece = PyList_GET_ITEM(table, (Py_ssize_t)code);
        if (piece != Py_None) {
            Py_INCREF(piece);
            return piece;
        }
    }
    PyObject *key = PyLong_FromUnsignedLong(code);
    if (key == NULL) {
        return NULL;
    }
    PyObject *piece = PyObject_GetItem(fallback, key);
    Py_DECREF(key);
    if (piece == NULL) {
        return NULL;
    }
    if (code < 0x10000) {
        Py_INCREF(piece);
        PyList_SET_ITEM(table, (Py_ssize_t)code, piece); /* steals; old value was None */
        Py_DECREF(Py_None);
    }
    return piece;
}

static inline int is_alpha_code(Py_UCS4 code) {
    if (code < 128) {
        return (Py_UCS4)((code | 0x20) - 'a') < 26; /* ASCII letters, without a table lookup */
    }
    return Py_UNICODE_ISALPHA(code);
}

static int is_leet(Py_UCS4 code) {
    return (code >= '0' && code <= '9' && code != '2' && code != '6') || code == '@' ||
           code == '$' || code == '!' || code == '|';
}

/* Mirrors keepwild.text.robust.needs_robust(): whether folded text shows a sign of a disguise
 * the robust view could undo (see its docstring for the rules). */
/* Scripts written without spaces between words (keepwild.text.robust._UNSPACED). */
static inline int is_unspaced(Py_UCS4 code) {
    return (code >= 0x0e00 && code <= 0x0e7f) || (code >= 0x3040 && code <= 0x30ff) ||
           (code >= 0x3400 && code <= 0x4dbf) || (code >= 0x4e00 && code <= 0x9fff) ||
           (code >= 0xac00 && code <= 0xd7af);
}

/* The script of a character around which a digit or symbol may be a disguise: 1 Thai, 2 Han,
 * 3 Arabic letter, 0 any other (keepwild.text.robust._THAI, _HAN, _ARABIC_LETTERS). */
static inline int disguise_script(Py_UCS4 code) {
    if (code < 0x0620) {
        return 0;
    }
    if (code >= 0x0e00 && code <= 0x0e7f) {
        return 1;
    }
    if ((code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf)) {
        return 2;
    }
    if ((code <= 0x064a) || (code >= 0x066e && code <= 0x06d3)) {
        return 3;
    }
    return 0;
}

/* keepwild.text.robust._SCRIPT_DISGUISE: one ASCII digit or leet symbol between two Thai, two
 * Han or two Arabic characters. Returns the script (disguise_script), or 0. */
static inline int is_script_disguise(const Py_UCS4 *text, Py_ssize_t n, Py_ssize_t i) {
    Py_UCS4 code = text[i];
    if (!(i > 0 && i + 1 < n &&
          ((code >= '0' && code <= '9') || code == '@' || code == '$' || code == '!' ||
           code == '|'))) {
        return 0;
    }
    int script = disguise_script(text[i - 1]);
    return script != 0 && script == disguise_script(text[i + 1]) ? script : 0;
}

/* keepwild.text.robust._THAI_E: a Latin l with no Latin letter or digit before it and a Thai
 * character after it reads as the Thai vowel sara e. */
static inline int is_thai_e(const Py_UCS4 *text, Py_ssize_t n, Py_ssize_t i) {
    return text[i] == 'l' && i + 1 < n && text[i + 1] >= 0x0e00 && text[i + 1] <= 0x0e7f &&
           !(i > 0 && ((text[i - 1] >= 'a' && text[i - 1] <= 'z') ||
                       (text[i - 1] >= '0' && text[i - 1] <= '9')));
}

static inline int is_ascii_lower(Py_UCS4 code) {
    return code >= 'a' && code <= 'z';
}

/* The classes of the regular expression keepwild.text.robust._DOTTED_PAIR: \w, [^\W\d_]. */
static inline int is_word_char(Py_UCS4 code) {
    if (code < 128) {
        return code == '_' || (code >= '0' && code <= '9') || (Py_UCS4)((code | 0x20) - 'a') < 26;
    }
    return Py_UNICODE_ISALNUM(code);
}

static inline int is_word_letter(Py_UCS4 code) {
    if (code < 128) {
        return (Py_UCS4)((code | 0x20) - 'a') < 26;
    }
    return Py_UNICODE_ISALNUM(code) && !Py_UNICODE_ISDECIMAL(code);
}

static inline int is_joiner(Py_UCS4 code) {
    return code == '.' || code == '*' || code == '_' || code == '-';
}

static int needs_robust(const Py_UCS4 *text, Py_ssize_t n, const unsigned char *map) {
    Py_ssize_t single_run = 0, single_non_ascii = 0;
    Py_ssize_t start = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i + 1 < n && text[i] == ' ' && text[i + 1] == ' ') {
            return 1; /* a word put in for an emoji, or spacing games */
        }
        if (i + 1 < n && (text[i] | text[i + 1]) >= 0x0e00 &&
            ((is_ascii_lower(text[i]) && is_unspaced(text[i + 1])) ||
             (is_unspaced(text[i]) && is_ascii_lower(text[i + 1])))) {
            return 1; /* a Latin word run into Chinese or Thai */
        }
        if (i + 2 < n && is_joiner(text[i + 1]) && is_word_letter(text[i]) &&
            is_word_letter(text[i + 2]) && (i == 0 || !is_word_char(text[i - 1])) &&
            (i + 3 >= n || !is_word_char(text[i + 3]))) {
            return 1; /* two lone letters joined by a dot or dash (t.e) */
        }
        if (i + 2 < n && text[i] == text[i + 1] && text[i] == text[i + 2] &&
            is_alpha_code(text[i])) {
            return 1; /* stretched letters */
        }
        if (text[i] >= 0x0620 && is_script_disguise(text, n, i + 1)) {
            return 1; /* a digit or symbol in a Thai, Chinese or Arabic word (ต@กวด, 辐射6龟) */
        }
    }
    while (start < n) {
        /* a token: a maximal run of characters the robust view keeps */
        Py_ssize_t end = start;
        while (end < n && !(text[end] < 128 && map[text[end]] == 0)) {
            end++;
        }
        if (end > start) {
            Py_ssize_t letters = 0;
            int leet_by_letter = 0, leet_within = 0;
            for (Py_ssize_t k = start; k < end; k++) {
                if (is_alpha_code(text[k])) {
                    letters++;
                } else if (is_leet(text[k])) {
                    int before = k > start && is_alpha_code(text[k - 1]);
                    int after = k + 1 < end && is_alpha_code(text[k + 1]);
                    leet_by_letter |= before || after;
                    leet_within |= before && after;
                    if ((text[k] == '@' || text[k] == '|') && (before || after)) {
                        return 1; /* @ or | touching a letter (ru@) */
                    }
                    if (before && k + 2 < end && is_leet(text[k + 1]) &&
                        is_alpha_code(text[k + 2])) {
                        return 1; /* two digits for letters inside a word (1v00r) */
                    }
                }
            }
            if (leet_within || (leet_by_letter && letters >= 3)) {
                return 1; /* digits or symbols for letters inside a word */
            }
            if (end - start == 2 && is_alpha_code(text[start]) && is_leet(text[start + 1]) &&
                text[start + 1] != '$' && text[start + 1] != '!') {
                return 1; /* a one-letter word and a digit for its vowel (t3, h0) */
            }
            if (end - start == 1) {
                single_run++;
                single_non_ascii = text[start] >= 128 ? single_non_ascii + 1 : 0;
                if (single_run >= 3 || single_non_ascii >= 2) {
                    return 1; /* letters spread out one by one */
                }
            } else if (end - start == 2 && text[start] >= 0x0e00 && text[start] <= 0x0e7f &&
                       text[start + 1] >= 0x0e00 && text[start + 1] <= 0x0e7f) {
                single_run = 0; /* a Thai syllable among spread-out Thai letters */
            } else {
                single_run = 0;
                single_non_ascii = 0;
            }
        }
        start = end + 1;
    }
    return 0;
}

static PyObject *fold_views(PyObject *self, PyObject *args) {
    PyObject *text, *table, *fallback;
    Py_buffer robust_map;
    if (!PyArg_ParseTuple(args, "UO!Oy*", &text, &PyList_Type, &table, &fallback,
                          &robust_map)) {
        return NULL;
    }
    PyObject *result = NULL;
    Buffer folded = {NULL, 0, 0};
    Buffer view = {NULL, 0, 0};
    if (PyList_GET_SIZE(table) != 0x10000 || robust_map.len != 128) {
        PyErr_SetString(PyExc_ValueError, "table needs 65536 entries and robust_map 128 bytes");
        goto done;
    }
    const unsigned char *map = robust_map.buf;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    if (buffer_reserve(&folded, n + 16) < 0) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 code = PyUnicode_READ(kind, data, i);
        if (code < 128) {
            if (code >= 'A' && code <= 'Z') {
                code += 'a' - 'A';
            }
            if (buffer_reserve(&folded, 1) < 0) {
                goto done;
            }
            folded.data[folded.len++] = code;
            continue;
        }
        PyObject *piece = lookup_piece(code, table, fallback);
        if (piece == NULL) {
            goto done;
        }
        int failed = append_piece(&folded, piece);
        Py_DECREF(piece);
        if (failed) {
            goto done;
        }
    }
    if (!needs_robust(folded.data, folded.len, map)) {
        PyObject *folded_only = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, folded.data,
                                                          folded.len);
        if (folded_only != NULL) {
            result = PyTuple_Pack(2, folded_only, Py_None);
            Py_DECREF(folded_only);
        }
        goto done;
    }
    if (buffer_reserve(&view, folded.len + 1) < 0) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < folded.len; i++) {
        Py_UCS4 code = folded.data[i];
        if (code < 128) {
            if (map[code] == 0) {
                continue;
            }
            int script = is_script_disguise(folded.data, folded.len, i);
            if (script == 1 && code == '0') {
                code = 0x0e2d; /* a zero between two Thai characters reads as o ang (_THAI_O) */
            } else if (script != 0) {
                continue;
            } else if (is_thai_e(folded.data, folded.len, i)) {
                code = 0x0e40;
            } else {
                code = map[code];
            }
        }
        view.data[view.len++] = code;
    }
    /* Collapse runs of three or more identical characters, in place. */
    Py_ssize_t write = 0;
    for (Py_ssize_t start = 0; start < view.len;) {
        Py_ssize_t end = start + 1;
        while (end < view.len && view.data[end] == view.data[start]) {
            end++;
        }
        if (end - start >= 3) {
            view.data[write++] = view.data[start];
        } else {
            for (Py_ssize_t k = start; k < end; k++) {
                view.data[write++] = view.data[k];
            }
        }
        start = end;
    }
    view.len = write;
    PyObject *folded_str = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, folded.data,
                                                     folded.len);
    if (folded_str == NULL) {
        goto done;
    }
    PyObject *view_str = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, view.data, view.len);
    if (view_str == NULL) {
        Py_DECREF(folded_str);
        goto done;
    }
    result = PyTuple_Pack(2, folded_str, view_str);
    Py_DECREF(folded_str);
    Py_DECREF(view_str);
done:
    PyMem_Free(folded.data);
    PyMem_Free(view.data);
    PyBuffer_Release(&robust_map);
    return result;
}

/*
 * ngram_indices(text, n_min, n_max, n_features) -> bytes
 *
 * The hashed character n-grams (n_min..n_max) of text padded with one space at each end, as
 * little-endian uint32 indices below n_features (a power of two). The hash is 32-bit FNV-1a
 * over each n-gram's code points (4 bytes each, little-endian), so the Python definition in
 * keepwild.text.ngrams gives the same indices on any machine.
 */
static PyObject *ngram_indices(PyObject *self, PyObject *args) {
    PyObject *text;
    Py_ssize_t n_min, n_max, n_features;
    if (!PyArg_ParseTuple(args, "Unnn", &text, &n_min, &n_max, &n_features)) {
        return NULL;
    }
    if (n_min < 1 || n_max < n_min || n_features < 2 || (n_features & (n_features - 1))) {
        PyErr_SetString(PyExc_ValueError, "need 1 <= n_min <= n_max and n_features a power of 2");
        return NULL;
    }
    Py_ssize_t length = PyUnicode_GET_LENGTH(text) + 2;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t count = 0;
    for (Py_ssize_t n = n_min; n <= n_max; n++) {
        if (length >= n) {
            count += length - n + 1;
        }
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, count * 4);
    if (out == NULL) {
        return NULL;
    }
    unsigned char *buffer = (unsigned char *)PyBytes_AS_STRING(out);
    uint32_t mask = (uint32_t)(n_features - 1);
    Py_ssize_t written = 0;
    for (Py_ssize_t start = 0; start < length; start++) {
        uint32_t hash = 2166136261u;
        for (Py_ssize_t n = 1; n <= n_max && start + n <= length; n++) {
            Py_ssize_t at = start + n - 1;
            Py_UCS4 code = (at == 0 || at == length - 1) ? ' ' : PyUnicode_READ(kind, data, at - 1);
            for (int byte = 0; byte < 4; byte++) {
                hash ^= (code >> (8 * byte)) & 0xFF;
                hash *= 16777619u;
            }
            if (n >= n_min) {
                uint32_t index = hash & mask;
                buffer[written * 4] = index & 0xFF;
                buffer[written * 4 + 1] = (index >> 8) & 0xFF;
                buffer[written * 4 + 2] = (index >> 16) & 0xFF;
                buffer[written * 4 + 3] = (index >> 24) & 0xFF;
                written++;
            }
        }
    }
    return out;
}

/*
 * hashed_dot(text, n_min, n_max, word_ngrams, n_features, weights)
 *     -> (char_sum, char_count, word_sum, word_count)
 *
 * The learned model's text margin without building any array: the sum of weights[bucket] over
 * every hashed n-gram of text, in the order the n-grams are produced, and their number.
 *
 *   - character n-grams: exactly the buckets ngram_indices() yields (text padded with one
 *     space at each end, n_min..n_max code points, by start then length, duplicates kept).
 *   - word n-grams (1..word_ngrams; none when 0): words are the maximal runs of characters
 *     re's \w matches on a str (Py_UNICODE_ISALNUM or '_', as sre tests them); a word n-gram
 *     is words i..i+n-1 joined by one space and prefixed with U+0001, hashed with the same
 *     FNV-1a over code points. All 1-grams left to right, then all 2-grams, and so on.
 *
 * weights is any C-contiguous buffer of n_features float64 (a numpy array; read-only is
 * enough). The sums are plain sequential double sums. keepwild.text.ngrams holds the Python
 * definition this must agree with.
 */
#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u
#define FNV_PRIME_3 0x3ee6b34bu /* FNV_PRIME ** 3 mod 2 ** 32 */
#define FNV_PRIME_4 0x502c3f11u /* FNV_PRIME ** 4 */

/* FNV-1a over the 4 little-endian bytes of one code point. A zero byte only multiplies by the
 * prime, so code points below U+0100 (U+10000) take one (two) multiplications, not four. */
static inline uint32_t fnv_code(uint32_t hash, Py_UCS4 code) {
    if (code < 0x100) {
        return (hash ^ code) * FNV_PRIME_4;
    }
    hash = (hash ^ (code & 0xFF)) * FNV_PRIME;
    if (code < 0x10000) {
        return (hash ^ (code >> 8)) * FNV_PRIME_3;
    }
    hash = (hash ^ ((code >> 8) & 0xFF)) * FNV_PRIME;
    hash = (hash ^ ((code >> 16) & 0xFF)) * FNV_PRIME;
    return (hash ^ (code >> 24)) * FNV_PRIME;
}

/* The helpers below take the string kind as a constant from the dispatch in hashed_dot, so
 * each is compiled once per kind with PyUnicode_READ reduced to a plain typed load. */

/* Character n-grams of `padded` (text with a space at each end; `length` code points). */
static inline Py_ALWAYS_INLINE double char_sum_kind(int kind, const void *padded,
                                                    Py_ssize_t length, Py_ssize_t n_min,
                                                    Py_ssize_t n_max, uint32_t mask,
                                                    const double *weights) {
    double sum = 0.0;
    for (Py_ssize_t start = 0; start < length; start++) {
        uint32_t hash = FNV_OFFSET;
        Py_ssize_t last = n_max < length - start ? start + n_max : length;
        Py_ssize_t first = n_min - 1 < last - start ? start + n_min - 1 : last;
        Py_ssize_t at = start;
        for (; at < first; at++) { /* shorter than n_min: hashed, not counted */
            hash = fnv_code(hash, PyUnicode_READ(kind, padded, at));
        }
        for (; at < last; at++) {
            hash = fnv_code(hash, PyUnicode_READ(kind, padded, at));
            sum += weights[hash & mask];
        }
    }
    return sum;
}

/* Pads the text with a space at each end (on the stack for most listings) and sums its
 * character n-grams; -1.0 with an exception set when memory runs out. */
static inline Py_ALWAYS_INLINE double char_sum(int kind, const void *data, Py_ssize_t n_text,
                                               Py_ssize_t n_min, Py_ssize_t n_max,
                                               uint32_t mask, const double *weights) {
    Py_UCS4 stack[512];
    void *padded = stack;
    if (n_text + 2 > (Py_ssize_t)(sizeof(stack) / (size_t)kind)) {
        padded = PyMem_Malloc((size_t)(n_text + 2) * (size_t)kind);
        if (padded == NULL) {
            PyErr_NoMemory();
            return -1.0;
        }
    }
    PyUnicode_WRITE(kind, padded, 0, ' ');
    memcpy((char *)padded + kind, data, (size_t)n_text * (size_t)kind);
    PyUnicode_WRITE(kind, padded, n_text + 1, ' ');
    double sum = char_sum_kind(kind, padded, n_text + 2, n_min, n_max, mask, weights);
    if (padded != stack) {
        PyMem_Free(padded);
    }
    return sum;
}

/* Word n-grams (see above) into *sum_out and *count_out; -1 with an exception set when memory
 * runs out. */
static inline Py_ALWAYS_INLINE int word_sum(int kind, const void *data, Py_ssize_t n_text,
                                            Py_ssize_t word_ngrams, uint32_t mask,
                                            const double *weights, double *sum_out,
                                            Py_ssize_t *count_out) {
    /* Word spans (start, end) and each start's running hash; on the stack for most texts. */
    enum { STACK_WORDS = 128 };
    Py_ssize_t stack_spans[2 * STACK_WORDS];
    uint32_t stack_hashes[STACK_WORDS];
    Py_ssize_t *spans = stack_spans;
    uint32_t *hashes = stack_hashes;
    Py_ssize_t capacity = STACK_WORDS, words = 0;
    double sum = 0.0;
    Py_ssize_t count = 0;
    int status = -1;
    for (Py_ssize_t i = 0; i < n_text;) {
        if (!is_word_char(PyUnicode_READ(kind, data, i))) {
            i++;
            continue;
        }
        Py_ssize_t end = i + 1;
        while (end < n_text && is_word_char(PyUnicode_READ(kind, data, end))) {
            end++;
        }
        if (words == capacity) {
            Py_ssize_t grown = capacity * 2;
            Py_ssize_t *new_spans = PyMem_Malloc((size_t)grown * 2 * sizeof(Py_ssize_t));
            uint32_t *new_hashes = PyMem_Malloc((size_t)grown * sizeof(uint32_t));
            if (new_spans == NULL || new_hashes == NULL) {
                PyMem_Free(new_spans);
                PyMem_Free(new_hashes);
                PyErr_NoMemory();
                goto done;
            }
            memcpy(new_spans, spans, (size_t)words * 2 * sizeof(Py_ssize_t));
            if (spans != stack_spans) {
                PyMem_Free(spans);
                PyMem_Free(hashes);
            }
            spans = new_spans;
            hashes = new_hashes;
            capacity = grown;
        }
        spans[2 * words] = i;
        spans[2 * words + 1] = end;
        words++;
        i = end;
    }
    for (Py_ssize_t w = 0; w < words; w++) {
        hashes[w] = fnv_code(FNV_OFFSET, 0x01);
    }
    /* Step n extends the hash of words w..w+n-2 with a space (past the first) and word
     * w+n-1, so every n-gram is hashed once, in the order the definition lists them. */
    for (Py_ssize_t n = 1; n <= word_ngrams && n <= words; n++) {
        for (Py_ssize_t w = 0; w + n <= words; w++) {
            uint32_t hash = hashes[w];
            if (n > 1) {
                hash = fnv_code(hash, ' ');
            }
            Py_ssize_t last = w + n - 1;
            for (Py_ssize_t k = spans[2 * last]; k < spans[2 * last + 1]; k++) {
                hash = fnv_code(hash, PyUnicode_READ(kind, data, k));
            }
            hashes[w] = hash;
            sum += weights[hash & mask];
            count++;
        }
    }
    *sum_out = sum;
    *count_out = count;
    status = 0;
done:
    if (spans != stack_spans) {
        PyMem_Free(spans);
        PyMem_Free(hashes);
    }
    return status;
}

/* Both sums for one string kind (a constant at each call site). */
static inline Py_ALWAYS_INLINE int sums_kind(int kind, const void *data, Py_ssize_t n_text,
                                             Py_ssize_t n_min, Py_ssize_t n_max,
                                             Py_ssize_t word_ngrams, uint32_t mask,
                                             const double *weights, double *chars,
                                             double *words, Py_ssize_t *word_count) {
    *chars = char_sum(kind, data, n_text, n_min, n_max, mask, weights);
    if (*chars == -1.0 && PyErr_Occurred()) {
        return -1;
    }
    *words = 0.0;
    *word_count = 0;
    if (word_ngrams > 0) {
        return word_sum(kind, data, n_text, word_ngrams, mask, weights, words, word_count);
    }
    return 0;
}

/* Whether a buffer format string means one native float64 ("d", "=d", "@d", "<d" here). */
static int is_float64_format(const char *format) {
    if (format == NULL) {
        return 0; /* no format: unsigned bytes */
    }
    const uint16_t probe = 1;
    char native = *(const char *)&probe ? '<' : '>';
    if (format[0] == '@' || format[0] == '=' || format[0] == native) {
        format++;
    }
    return format[0] == 'd' && format[1] == '\0';
}

static PyObject *hashed_dot(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 6) {
        PyErr_Format(PyExc_TypeError,
                     "hashed_dot(text, n_min, n_max, word_ngrams, n_features, weights) takes "
                     "6 arguments (%zd given)", nargs);
        return NULL;
    }
    PyObject *text = args[0];
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "hashed_dot() text must be str, not %.100s",
                     Py_TYPE(text)->tp_name);
        return NULL;
    }
    Py_ssize_t numbers[4];
    for (int i = 0; i < 4; i++) {
        numbers[i] = PyNumber_AsSsize_t(args[i + 1], PyExc_OverflowError);
        if (numbers[i] == -1 && PyErr_Occurred()) {
            return NULL;
        }
    }
    Py_ssize_t n_min = numbers[0], n_max = numbers[1], word_ngrams = numbers[2];
    Py_ssize_t n_features = numbers[3];
    if (n_min < 1 || n_max < n_min) {
        PyErr_Format(PyExc_ValueError, "need 1 <= n_min <= n_max (got n_min=%zd, n_max=%zd)",
                     n_min, n_max);
        return NULL;
    }
    if (word_ngrams < 0) {
        PyErr_Format(PyExc_ValueError, "need word_ngrams >= 0 (got %zd)", word_ngrams);
        return NULL;
    }
    if (n_features < 2 || (n_features & (n_features - 1)) ||
        (uint64_t)n_features > ((uint64_t)1 << 32)) {
        PyErr_Format(PyExc_ValueError,
                     "need n_features a power of 2 from 2 to 2**32 (got %zd)", n_features);
        return NULL;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(args[5], &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        return NULL;
    }
    PyObject *result = NULL;
    if (view.itemsize != 8 || !is_float64_format(view.format)) {
        PyErr_Format(PyExc_ValueError,
                     "weights must be float64 (format 'd', itemsize 8; got format '%s', "
                     "itemsize %zd)", view.format ? view.format : "B", view.itemsize);
        goto done;
    }
    if (view.ndim != 1) {
        PyErr_Format(PyExc_ValueError, "weights must be one-dimensional (got %d dimensions)",
                     view.ndim);
        goto done;
    }
    if (view.len / 8 != n_features) {
        PyErr_Format(PyExc_ValueError, "weights has %zd values, need n_features = %zd",
                     view.len / 8, n_features);
        goto done;
    }
    const double *weights = view.buf;
    uint32_t mask = (uint32_t)(n_features - 1);
    Py_ssize_t n_text = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    double chars, words;
    Py_ssize_t word_count;
    int status;
    switch (kind) {
    case PyUnicode_1BYTE_KIND:
        status = sums_kind(PyUnicode_1BYTE_KIND, data, n_text, n_min, n_max, word_ngrams, mask,
                           weights, &chars, &words, &word_count);
        break;
    case PyUnicode_2BYTE_KIND:
        status = sums_kind(PyUnicode_2BYTE_KIND, data, n_text, n_min, n_max, word_ngrams, mask,
                           weights, &chars, &words, &word_count);
        break;
    default:
        status = sums_kind(PyUnicode_4BYTE_KIND, data, n_text, n_min, n_max, word_ngrams, mask,
                           weights, &chars, &words, &word_count);
        break;
    }
    if (status < 0) {
        goto done;
    }
    /* One n-gram per start and length that fits in the padded text. */
    Py_ssize_t char_count = 0, length = n_text + 2;
    for (Py_ssize_t n = n_min; n <= n_max && n <= length; n++) {
        char_count += length - n + 1;
    }
    result = Py_BuildValue("(dndn)", chars, char_count, words, word_count);
done:
    PyBuffer_Release(&view);
    return result;
}

/*
 * piece_lengths(text, table, fallback) -> bytes
 *
 * The length of each character's piece (see fold_views), one byte per character: what the
 * offset map back to the original text is built from. Pieces are never 256 long.
 */
static PyObject *piece_lengths(PyObject *self, PyObject *args) {
    PyObject *text, *table, *fallback;
    if (!PyArg_ParseTuple(args, "UO!O", &text, &PyList_Type, &table, &fallback)) {
        return NULL;
    }
    if (PyList_GET_SIZE(table) != 0x10000) {
        PyErr_SetString(PyExc_ValueError, "table needs 65536 entries");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n);
    if (out == NULL) {
        return NULL;
    }
    unsigned char *lengths = (unsigned char *)PyBytes_AS_STRING(out);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 code = PyUnicode_READ(kind, data, i);
        if (code < 128) {
            lengths[i] = 1;
            continue;
        }
        PyObject *piece = lookup_piece(code, table, fallback);
        if (piece == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        Py_ssize_t size = PyUnicode_GET_LENGTH(piece);
        Py_DECREF(piece);
        lengths[i] = (unsigned char)(size > 255 ? 255 : size);
    }
    return out;
}

static PyMethodDef methods[] = {
    {"piece_lengths", piece_lengths, METH_VARARGS,
     "piece_lengths(text, table, fallback) -> bytes, the length of each character's piece"},
    {"fold_views", fold_views, METH_VARARGS,
     "fold_views(text, table, fallback, robust_map) -> (folded, robust view or None)"},
    {"ngram_indices", ngram_indices, METH_VARARGS,
     "ngram_indices(text, n_min, n_max, n_features) -> bytes of uint32 hashed n-grams"},
    {"hashed_dot", (PyCFunction)(void (*)(void))hashed_dot, METH_FASTCALL,
     "hashed_dot(text, n_min, n_max, word_ngrams, n_features, weights) -> (char_sum, "
     "char_count, word_sum, word_count): hashed n-gram weights summed without arrays"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_fastfold",
    "C kernels for keepwild's folding, robust view (see keepwild.text.fold) and hashed n-grams "
    "(see keepwild.text.ngrams).", -1, methods,
};

PyMODINIT_FUNC PyInit__fastfold(void) { return PyModule_Create(&module); }
