"""Per-character folding: the one definition of keepwild's matchable text.

Every character of a listing is replaced by its *piece*: a string of zero, one or more
characters. The matchable form of a text is the concatenation of its pieces, so

* the whole text folds in a single ``str.translate`` call (C speed, the hot path), and
* the offset map back to the original is simply the running sum of piece lengths, computed
  only for listings that matched something.

A piece is NFKC, then case folding, then, per resulting character: invisible characters
(zero-width, bidi controls, variation selectors, skin-tone modifiers) vanish; animal emoji become
their word with spaces around, other emoji, punctuation and symbols (but currency signs) a
space, so that every separator in folded text is ASCII; combining accents vanish (Latin and
Vietnamese diacritics, Arabic tashkeel) while Thai marks stay; Latin letters without a
decomposition are transliterated (đ, ø, ł); look-alike letters from other scripts become the
Latin letter they imitate (Unicode confusables); Arabic letter variants and digits fold to one
form; traditional Chinese characters become simplified (OpenCC).

Look-alikes are looked up on the character as written, before NFKC and case folding, and again
on what those produce. The first lookup matters because both steps can turn a look-alike into a
character that no longer looks like the same Latin letter: NFKC turns the lunate sigma ``Ϲ``
(a C) into ``Σ``, whose lower case ``σ`` imitates an o; Greek capital nu ``Ν`` (an N) folds
to ``ν``, which imitates a v. A capital that Unicode lists as imitating ``l`` (``Ι``, ``І``,
``Ⲓ``) reads ``i``, as a Latin capital I does.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import confusable_homoglyphs
import opencc
from confusable_homoglyphs import categories as _scripts
from unidecode import unidecode

__all__ = ["FoldTable", "fold_table", "fold", "piece", "emoji_words"]

# Arabic letter variants and digits, folded the way Arabic search engines do.
_ARABIC = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ة": "ه", "ى": "ي", "ئ": "ي", "ؤ": "و", "ی": "ي", "ې": "ي", "ک": "ك", "ڪ": "ك",
    "ـ": "",  # tatweel: stretches words, never meaningful
}
_ARABIC.update({chr(0x0660 + d): str(d) for d in range(10)})  # Arabic-Indic digits
_ARABIC.update({chr(0x06F0 + d): str(d) for d in range(10)})  # Persian digits

# Apostrophes as keyboards write them (phones' "smart punctuation" types ’ in "d’ivoire"),
# folded to the ASCII apostrophe lexicon terms are written with.
_APOSTROPHES = frozenset("\u2019\u2018\u02bc\u2032")

# Combining marks that are accents (dropped) rather than Thai vowels or tone marks (kept).
_ACCENT_RANGES = (
    (0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F),
    (0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06ED),  # Arabic tashkeel and Quranic marks
)
_INVISIBLE_RANGES = (
    (0xFE00, 0xFE0F), (0xE0100, 0xE01EF),  # variation selectors
    (0x1F3FB, 0x1F3FF),  # skin-tone modifiers
    (0xE0000, 0xE007F),  # tag characters
)
# Scripts whose look-alikes must never be folded to Latin: keepwild reads these languages.
_PROTECTED_SCRIPTS = {"ARABIC", "THAI", "HAN", "HIRAGANA", "KATAKANA", "HANGUL"}


def _in_ranges(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= code <= hi for lo, hi in ranges)


@lru_cache(maxsize=1)
def emoji_words() -> dict[str, str]:
    """Emoji that stand for an animal or product in listings, with the word they stand for."""
    text = files("keepwild.text").joinpath("data/emoji_words.tsv").read_text(encoding="utf-8")
    words: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            emoji, word = line.split("\t")
            words[emoji] = word
    return words


def _look_alike_letters() -> Iterator[tuple[str, str]]:
    """(non-ASCII letter, the ASCII letter it imitates as written in Unicode's confusables),
    outside the scripts whose own letters must stay themselves."""
    path = Path(confusable_homoglyphs.__file__).with_name("confusables.json")
    data: dict[str, list[dict[str, str]]] = json.loads(path.read_text(encoding="utf-8"))
    for target in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ":
        for glyph in data.get(target, ()):
            char = glyph["c"]
            if len(char) != 1 or char.isascii() or not char.isalpha():
                continue
            if _scripts.alias(char) not in _PROTECTED_SCRIPTS:
                yield char, target


@lru_cache(maxsize=1)
def _confusables() -> dict[str, str]:
    """Non-Latin look-alike letter -> the lower-case ASCII letter or digit it imitates."""
    table: dict[str, str] = {}
    for char, target in _look_alike_letters():
        table.setdefault(char.casefold(), target.lower())
        table.setdefault(char, target.lower())
    return table


@lru_cache(maxsize=1)
def _written_confusables() -> dict[str, str]:
    """Look-alike letter *as written* -> the lower-case ASCII letter it imitates.

    Only letters whose NFKC and case folding do not already give an ASCII letter (full-width and
    mathematical letters do): for those, folding first would lose what the letter looks like.
    """
    table: dict[str, str] = {}
    for char, target in _look_alike_letters():
        if unicodedata.normalize("NFKC", char).casefold().isascii():
            continue
        table.setdefault(char, "i" if target == "l" and char.isupper() else target.lower())
    return table


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _is_emoji(char: str) -> bool:
    code = ord(char)
    return unicodedata.category(char) == "So" and (
        0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or 0x2B00 <= code <= 0x2BFF
    )


def _fold_char(char: str) -> str:
    """Fold one character that NFKC and case folding already produced."""
    code = ord(char)
    if char.isascii():
        return char
    words = emoji_words()
    if char in words:
        return f" {words[char]} "
    if char in _APOSTROPHES:
        return "'"
    category = unicodedata.category(char)
    if category == "Cf" or _in_ranges(code, _INVISIBLE_RANGES):
        return ""
    if _is_emoji(char) or category[0] in "PZ" or category in ("So", "Sm", "Sk"):
        return " "  # other emoji, punctuation and symbols separate words (currency signs stay)
    if category == "Mn":
        return "" if _in_ranges(code, _ACCENT_RANGES) else char
    if char in _ARABIC:
        return _ARABIC[char]
    if char in _confusables():
        return _confusables()[char]
    if category.startswith("L"):
        script = _scripts.alias(char)
        if script == "LATIN":
            base = "".join(
                c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) != "Mn"
            )
            return base if base.isascii() else unidecode(base).lower() or base
        if script == "HAN":
            simplified = _t2s().convert(char)
            return simplified if len(simplified) == 1 else char
    if category == "Nd":
        return str(unicodedata.digit(char))
    return char


def piece(char: str) -> str:
    """The matchable form of one original character (see the module docstring)."""
    if len(char) != 1:
        raise ValueError("piece() takes exactly one character")
    look_alike = _written_confusables().get(char)
    if look_alike is not None:
        return look_alike
    folded = unicodedata.normalize("NFKC", char).casefold()
    return "".join(_fold_char(c) for c in folded)


class FoldTable(dict[int, str]):
    """A ``str.translate`` table filled on first sight of each character.

    Precomputing pieces for all of Unicode would cost seconds at start-up; a listing stream
    only ever meets a few thousand distinct characters, each folded once.
    """

    def __missing__(self, code: int) -> str:
        value = piece(chr(code))
        self[code] = value
        return value


@lru_cache(maxsize=1)
def fold_table() -> FoldTable:
    """The process-wide fold table, warmed with ASCII so the common case never misses."""
    table = FoldTable()
    for code in range(128):
        table[code] = chr(code).lower()
    return table


def fold(text: str) -> str:
    """The matchable form of ``text``: the concatenation of its characters' pieces."""
    return text.translate(fold_table())
