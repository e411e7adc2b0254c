"""The robust view: folded text with obfuscation undone, for catching disguised terms.

Sellers split words with separators (``r.h.i.n.o``, ``i v o r y``), write digits and symbols
for letters (``1v0ry``, ``p@ngolin``) and stretch letters (``ivoooory``). The robust view of a
folded text reads leetspeak as letters, drops every separator and collapses runs of three or
more identical letters, so all of these read ``ivory``/``rhino``. (Doubled letters are kept:
collapsing them would cost a regex pass over every listing, and a stretched word is written
with three or more.) It loses word boundaries, so a hit in it is only a
*candidate*: :func:`robust_spans` maps it back to the folded text, where the matcher checks that
the hit really is one disguised word and not letters borrowed from its neighbours
(:func:`reads_as`).

Stretching. A run of three or more identical letters reads as the letter written once *or
twice*: ``roodstaaaart`` is ``roodstaart`` (Dutch has a legitimate double a there) and
``ivoooory`` is ``ivory``. The view keeps only one letter of such a run, so the matcher indexes
each term also with its doubled letters written once (``roodstart``), and :func:`reads_as`
then checks the run lengths exactly: a run of one or two must be written as in the term, so
``robe`` never reads as ``robbe``.

Thai disguises. Thai has no capital letters or accents to play with, so sellers put a Latin
digit or symbol in a Thai word, either as filler or in place of a vowel or tone mark it
resembles (``ตัวน1่ม`` for ``ตัวนิ่ม``, 1 for the vowel ``ิ``; ``ต@กวด`` for ``ตะกวด``, @ for
``ะ``). Rule: *one* ASCII digit or leet symbol (``@ $ ! |``) with a Thai character directly on
each side is a disguise. The robust view drops it; the matcher also indexes each Thai term with
any one of its vowels or tone marks left out, and :func:`reads_as` accepts the disguise
character either as nothing or as exactly one Thai vowel or tone mark, the consonants matching
exactly. A number (two digits or more: ``ราคา1500บาท``) or a digit next to a space (``5 โล``,
``ราคา 1,500 บาท``) is never a disguise. Two Latin look-alikes read as the Thai letter they
imitate: a zero (Latin, or the Thai digit ``๐``, which folds to 0) between two Thai characters is
``อ`` (``นกขุนท๐ง``), and an ``l`` with no Latin letter or digit before it and a Thai character
after it is ``เ`` (``lขี้ยวlสือ``); :func:`letters` reads them the same way.

Chinese and Arabic disguises. The same rule holds with two Han characters (``辐射6龟`` for
``辐射龟``, ``海@马``) or two Arabic letters (``عا@ج`` for ``عاج``) around the digit or symbol;
there it stands for nothing (a filler or separator). Chinese writes counts and ordinals next to
Han characters (``第3代``, ``共2只``), and the robust view drops such a digit too: the folded
text keeps it, and the plain pass matches there as before. A number (``2024年``, ``¥4500``)
or a digit with a Latin letter or space on one side (``name@mail.com``) stays.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["LEET", "robust", "robust_spans", "robust_byte_table", "is_separator", "tokens",
           "needs_robust", "letters", "reads_as", "THAI_MARKS", "DISGUISE"]

# Digits and symbols read as letters inside words.
LEET = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
    "@": "a", "$": "s", "!": "i", "|": "l",
}
_RUNS = re.compile(r"(.)\1\1+", re.DOTALL)
# A single ASCII digit or leet symbol with a character of the same script directly on each
# side, for Thai, Chinese (Han) and Arabic letters (see the module docstring).
_THAI = "\u0e00-\u0e7f"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_ARABIC_LETTERS = "\u0620-\u064a\u066e-\u06d3"
_SCRIPT_DISGUISE = re.compile(
    "|".join(f"(?<=[{s}])[0-9@$!|](?=[{s}])" for s in (_THAI, _HAN, _ARABIC_LETTERS))
)
# Thai letters written with Latin look-alikes, read as the Thai letter in the robust view: a
# digit zero between two Thai characters is ``อ`` (``ขุนท๐ง``: the Thai digit folds to 0), and a
# Latin ``l`` with no Latin letter or digit before it and a Thai character after it is ``เ``
# (``lขี้ยวlสือ``).
_THAI_O = f"(?<=[{_THAI}])0(?=[{_THAI}])"
_THAI_E = f"(?<![a-z0-9])l(?=[{_THAI}])"
_READINGS = re.compile(f"(?P<o>{_THAI_O})|(?P<e>{_THAI_E})|{_SCRIPT_DISGUISE.pattern}")
# Thai vowels and tone marks a disguise character may stand for (consonants never).
THAI_MARKS = frozenset(
    chr(c) for c in (*range(0x0E30, 0x0E3B), *range(0x0E40, 0x0E46), *range(0x0E47, 0x0E4F))
)
# What letters() writes for a Thai disguise character: U+FFFC, a symbol, never survives folding.
DISGUISE = "\ufffc"
_ASCII_RUNS = tuple(c * 3 for c in "abcdefghijklmnopqrstuvwxyz0123456789")


def is_separator(char: str) -> bool:
    """ASCII whitespace, punctuation and symbols that are not read as letters.

    Only ASCII counts: folding already turned every other separator into a space (see
    :mod:`keepwild.text.fold`), which lets the robust view run on UTF-8 bytes.
    """
    if char in LEET or not char.isascii():
        return False
    return unicodedata.category(char)[0] in "ZPSC"


class _RobustTable(dict[int, str]):
    def __missing__(self, code: int) -> str:
        char = chr(code)
        value = LEET.get(char) or ("" if is_separator(char) else char)
        self[code] = value
        return value


@lru_cache(maxsize=1)
def _table() -> _RobustTable:
    table = _RobustTable()
    for code in range(128):
        table.__missing__(code)
    return table


@lru_cache(maxsize=1)
def robust_byte_table() -> bytes:
    """For each ASCII code, the byte it reads as in the robust view (0: a dropped separator)."""
    table = _table()
    return bytes(ord(table[c]) if table[c] else 0 for c in range(128))


@lru_cache(maxsize=1)
def _byte_tables() -> tuple[bytes, bytes]:
    """Leet mapping and separator deletion for UTF-8 bytes (multi-byte sequences untouched)."""
    ascii_map = robust_byte_table()
    mapping = bytes(b or c for c, b in enumerate(ascii_map)) + bytes(range(128, 256))
    deleted = bytes(c for c, b in enumerate(ascii_map) if not b)
    return mapping, deleted


def _first(match: re.Match[str]) -> str:
    return match.group(1)


def _view_reading(match: re.Match[str]) -> str:
    """What a Thai look-alike or a disguise character reads as in the robust view."""
    return "\u0e2d" if match.group("o") else "\u0e40" if match.group("e") else ""


def _letters_reading(match: re.Match[str]) -> str:
    return "\u0e2d" if match.group("o") else "\u0e40" if match.group("e") else DISGUISE


def robust(folded: str) -> str:
    """The robust view of already folded text.

    It only ever changes ASCII characters, so it runs as one ``bytes.translate`` over UTF-8;
    the run search is paid only when a triple letter is present, or for non-Latin text.
    """
    mapping, deleted = _byte_tables()
    if folded.isascii():
        view = folded.encode("ascii").translate(mapping, deleted).decode("ascii")
        if not any(run in view for run in _ASCII_RUNS):
            return view
    else:
        folded = _READINGS.sub(_view_reading, folded)
        view = folded.encode("utf-8").translate(mapping, deleted).decode("utf-8")
    return _RUNS.sub(_first, view)


@lru_cache(maxsize=1)
def _separators() -> frozenset[str]:
    return frozenset(chr(c) for c, b in enumerate(robust_byte_table()) if not b)


def robust_spans(folded: str) -> tuple[str, list[tuple[int, int]]]:
    """The robust view and, for each of its characters, the folded span it stands for.

    A collapsed run maps to the whole run, from its first to its last letter, so that a hit
    ``[a, b)`` in the robust view covers folded ``[spans[a][0], spans[b - 1][1])``.
    """
    separators = _separators()
    readings = list(_READINGS.finditer(folded)) if not folded.isascii() else []
    dropped = {m.start() for m in readings if not (m.group("o") or m.group("e"))}
    spans = [(i, i + 1) for i, c in enumerate(folded) if c not in separators and i not in dropped]
    mapping, deleted = _byte_tables()
    kept = _READINGS.sub(_view_reading, folded) if readings else folded
    view = kept.encode("utf-8").translate(mapping, deleted).decode("utf-8")
    runs = list(_RUNS.finditer(view))
    for run in reversed(runs):  # collapse runs of three or more, exactly as robust() does
        start, end = run.span()
        spans[start:end] = [(spans[start][0], spans[end - 1][1])]
    return _RUNS.sub(_first, view) if runs else view, spans


_UNSPACED = "\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
# A Latin letter touching a character of a script written without spaces (bekko发簪).
_LATIN_BY_UNSPACED = re.compile(f"[a-z][{_UNSPACED}]|[{_UNSPACED}][a-z]")
# Two lone letters joined by a dot, dash, star or underscore (sung t.e giac).
_DOTTED_PAIR = re.compile(r"(?<!\w)[^\W\d_][.*_-][^\W\d_](?!\w)")
_LEET_DIGITS = frozenset("0134578 9@$!|".replace(" ", ""))


def needs_robust(folded: str) -> bool:
    """Whether folded text shows a sign of a disguise that the robust view could undo.

    Signs: two spaces in a row (a word put in for an emoji, or spacing games); a letter three
    times in a row (stretching); a digit or symbol read as a letter between two letters
    (``c@o``, ``h0t``) or next to one in a token of three or more letters (``1v0ry``; ``mp3``
    and ``4cm`` are not enough); ``@`` or ``|`` touching a letter anywhere (``ru@`` for rùa);
    a one-letter word followed by one digit read as a letter (``t3`` for tê, ``h0`` for hổ:
    Vietnamese words are short; model names such as ``i5`` fire too, a small cost, but units
    do not, which put the digits first: ``5g``, ``3d``, nor ``R$``); a Latin letter touching
    a Chinese, Japanese, Korean or Thai character (``m@c@w幼鸟``); one digit or leet symbol
    between two Thai, two Han or two Arabic characters (``ต@กวด``, ``辐射6龟``, ``عا@ج``); two
    digits or symbols read as letters between two letters (``1v00r``); two lone letters joined
    by a dot or dash (``t.e``); three one-character tokens in a row (``r.h.i.n.o``), or two for
    non-Latin scripts (``象 牙``), for Thai even with two-letter Thai tokens between them
    (``ดี ห มี แ ท้``). Clean text shows none, and skips the robust scan. The C kernel
    implements the same rules.
    """
    if "  " in folded or _LATIN_BY_UNSPACED.search(folded) or _DOTTED_PAIR.search(folded):
        return True
    if not folded.isascii() and _SCRIPT_DISGUISE.search(folded):
        return True
    for a, b, c in zip(folded, folded[1:], folded[2:]):
        if a == b == c and a.isalpha():
            return True
    single_run = single_non_ascii = 0
    for token in tokens(folded):
        letters = sum(ch.isalpha() for ch in token)
        leet_by_letter = leet_within = False
        for k, ch in enumerate(token):
            if ch in _LEET_DIGITS and not ch.isalpha():
                before = k > 0 and token[k - 1].isalpha()
                after = k + 1 < len(token) and token[k + 1].isalpha()
                leet_by_letter = leet_by_letter or before or after
                leet_within = leet_within or (before and after)
                if ch in "@|" and (before or after):
                    return True
                if before and k + 2 < len(token) and token[k + 1] in _LEET_DIGITS and (
                    token[k + 2].isalpha()
                ):
                    return True  # two digits for letters inside a word (1v00r)
        if leet_within or (leet_by_letter and letters >= 3):
            return True
        if len(token) == 2 and token[0].isalpha() and token[1] in _LEET_DIGITS and (
            token[1] not in "$!"
        ):
            return True  # a one-letter word and a digit for its vowel (t3 for tê, h0 for hổ)
        if len(token) == 1:
            single_run += 1
            single_non_ascii = single_non_ascii + 1 if not token.isascii() else 0
            if single_run >= 3 or single_non_ascii >= 2:
                return True
        elif len(token) == 2 and all("\u0e00" <= ch <= "\u0e7f" for ch in token):
            single_run = 0  # a Thai syllable among spread-out Thai letters (ดี ห มี แ ท้)
        else:
            single_run = single_non_ascii = 0
    return False


def tokens(folded: str) -> list[str]:
    """Maximal runs of characters the robust view keeps (separators split them)."""
    separators = _separators()
    tokens: list[str] = []
    current: list[str] = []
    for char in folded:
        if char in separators:
            if current:
                tokens.append("".join(current))
                current = []
        else:
            current.append(char)
    if current:
        tokens.append("".join(current))
    return tokens


def letters(folded: str) -> str:
    """What a piece of folded text spells, run lengths kept: leetspeak read as letters,
    separators dropped, Thai look-alikes read as Thai letters, and each disguise character (see
    the module docstring) written as :data:`DISGUISE`. :func:`reads_as` compares it with a
    term's letters."""
    if not folded.isascii():
        folded = _READINGS.sub(_letters_reading, folded)
    return folded.translate(_table())


def _runs(text: str) -> list[tuple[str, int]]:
    """Run-length encoding; each DISGUISE character is a run of its own."""
    runs: list[tuple[str, int]] = []
    for char in text:
        if runs and runs[-1][0] == char and char != DISGUISE:
            runs[-1] = (char, runs[-1][1] + 1)
        else:
            runs.append((char, 1))
    return runs


def reads_as(written: str, word: str) -> bool:
    """Whether ``written`` (from :func:`letters`) reads as ``word`` (a term's letters).

    The same letters in the same order, each run as long as in ``word``, or stretched to three
    or more (``roodstaaaart`` reads as ``roodstaart`` and ``ivoooory`` as ``ivory``; ``robe``
    never as ``robbe``). A Thai disguise character stands for nothing or for exactly one Thai
    vowel or tone mark of ``word``. Linear in the two lengths (a set of at most a few states
    per disguise character).
    """
    if DISGUISE not in written and written == word:
        return True
    expected = _runs(word)
    states = {0}
    for char, count in _runs(written):
        following: set[int] = set()
        for state in states:
            if char == DISGUISE:
                following.add(state)
                if state < len(expected) and expected[state] == (expected[state][0], 1) and (
                    expected[state][0] in THAI_MARKS
                ):
                    following.add(state + 1)
            elif state < len(expected):
                letter, length = expected[state]
                if letter == char and (count == length or count >= 3):
                    following.add(state + 1)
        if not following:
            return False
        states = following
    return len(expected) in states
