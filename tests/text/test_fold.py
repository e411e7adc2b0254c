"""Folding: every obfuscation family reads as plain text, and every span maps back exactly."""

from __future__ import annotations

import json
import string
import unicodedata
from pathlib import Path

import confusable_homoglyphs
import pytest
from confusable_homoglyphs import categories as _scripts
from hypothesis import given, settings
from hypothesis import strategies as st

from keepwild.text.fold import fold, piece
from keepwild.text.normalise import normalise


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("IVORY Bangle", "ivory bangle"),  # case
        ("ÉLÉPHANT défense", "elephant defense"),  # French accents
        ("Bán NGÀ VOI thật đẹp", "ban nga voi that dep"),  # Vietnamese tones and đ
        ("Straße Elfenbein", "strasse elfenbein"),  # German sharp s
        ("ivоry", "ivory"),  # Cyrillic o (U+043E)
        ("défense d\u2019éléphant", "defense d'elephant"),  # phones' curly apostrophe
        ("l\u2018ivoire, d\u02bcivoire", "l'ivoire, d'ivoire"),  # other apostrophe marks
        ("ρangolin", "pangolin"),  # Greek rho
        ("Vẹt Ϲockatoo", "vet cockatoo"),  # Greek capital lunate sigma (NFKC would make it Σ)
        ("ϲockatoo ΝΥΜΡΗ", "cockatoo nymph"),  # capitals whose lower case imitates another letter
        ("ＩＶＯＲＹ", "ivory"),  # full-width
        ("iv\u200bo\u200dry", "ivory"),  # zero-width space and joiner
        ("\u202eivory\u202c", "ivory"),  # bidi controls
        ("象牙手鐲 犀牛角", "象牙手镯 犀牛角"),  # traditional -> simplified
        ("أنياب إفريقية آلة", "انياب افريقيه اله"),  # hamza/alef variants, ta marbuta
        ("عَاجٌ", "عاج"),  # tashkeel
        ("عـــاج", "عاج"),  # tatweel
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("٥٠٠ ريال", "500 ريال"),  # Arabic-Indic digits
        ("🐘 tusk", " elephant  tusk"),  # animal emoji become their word
        ("🦏🏽", " rhino "),  # skin tone modifier vanishes
        ("ﬁne", "fine"),  # ligature (NFKC)
        ("ขายงาช้าง", "ขายงาช้าง"),  # Thai marks are kept
        ("象、牙。", "象 牙 "),  # CJK punctuation becomes a space
    ],
)
def test_folds_obfuscation_family(written: str, folded: str) -> None:
    assert fold(written) == folded


@pytest.mark.parametrize(("char", "letter"), [
    ("Ϲ", "c"), ("ϲ", "c"), ("Ꮯ", "c"), ("ℂ", "c"), ("Ⅽ", "c"), ("ⅽ", "c"), ("С", "c"),
    ("у", "y"), ("Υ", "y"), ("ı", "i"), ("Ι", "i"), ("І", "i"), ("Ⲓ", "i"), ("ꞵ", "b"),
    ("Ν", "n"), ("ν", "v"), ("Н", "h"), ("Ꮮ", "l"), ("ɑ", "a"), ("ο", "o"), ("ѕ", "s"),
])
def test_look_alike_letters(char: str, letter: str) -> None:
    assert piece(char) == letter


def _confusable_letters() -> dict[str, set[str]]:
    path = Path(confusable_homoglyphs.__file__).with_name("confusables.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    targets: dict[str, set[str]] = {}
    for target in string.ascii_letters:
        for glyph in data.get(target, ()):
            char = glyph["c"]
            if len(char) == 1 and not char.isascii() and char.isalpha():
                targets.setdefault(char, set()).add(target)
    return targets


def test_every_look_alike_letter_reads_as_a_letter_it_imitates() -> None:
    """The whole family from the Unicode confusables data, every script but the ones keepwild
    reads (Arabic, Thai, CJK): a letter folds to a Latin letter it is listed as imitating. A
    capital listed as imitating ``l`` reads ``i`` (it is a capital I); the long s ``ſ`` reads
    ``s`` (NFKC: it is an s)."""
    wrong = {}
    for char, targets in _confusable_letters().items():
        if _scripts.alias(char) in {"ARABIC", "THAI", "HAN", "HIRAGANA", "KATAKANA", "HANGUL"}:
            continue
        allowed = {t.lower() for t in targets}
        if "l" in targets and char.isupper():
            allowed.add("i")
        if char == "ſ":
            allowed = {"s"}
        if piece(char) not in allowed:
            wrong[char] = (piece(char), sorted(targets))
    assert not wrong


def test_prices_phone_numbers_and_years_stay_digits() -> None:
    assert fold("Price 1500 USD, call +62 812 3456 7890, made 1989") == (
        "price 1500 usd, call +62 812 3456 7890, made 1989"
    )


@settings(max_examples=300)
@given(st.text())
def test_translate_equals_pieces(text: str) -> None:
    assert fold(text) == "".join(piece(c) for c in text)


def _marks_after(text: str, index: int) -> int:
    """How many combining marks that fold to nothing follow ``text[index]``."""
    count = 0
    while (index + 1 + count < len(text) and not piece(text[index + 1 + count])
           and unicodedata.category(text[index + 1 + count])[0] == "M"):
        count += 1
    return count


def _assert_pieces_map_back(text: str) -> None:
    norm = normalise(text)
    position = 0
    for index, char in enumerate(text):
        length = len(piece(char))
        if length:
            end = index + 1 + _marks_after(text, index)  # its combining accents come with it
            assert norm.to_original(position, position + length) == (index, end)
        position += length
    assert position == len(norm.text)


@settings(max_examples=300)
@given(st.text(min_size=1))
def test_every_piece_maps_back_to_its_character(text: str) -> None:
    _assert_pieces_map_back(text)


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("mongh o\u0301\u0302\u0309\u0323\u0300 .ổà\u200b"),
               min_size=1))
def test_combining_accents_stay_with_their_letter(text: str) -> None:
    _assert_pieces_map_back(text)


@pytest.mark.parametrize(("written", "term", "text"), [
    ("M o\u0301 n g h o\u0302\u0309 th\u00e2\u0323t", "m o n g h o", "M o\u0301 n g h o\u0302\u0309"),
    ("Mo\u0301ng ho\u0302\u0309!", "mong ho", "Mo\u0301ng ho\u0302\u0309"),
    ("n g a\u0300 voi", "n g a", "n g a\u0300"),
])
def test_span_ends_after_the_accents_of_its_last_letter(written: str, term: str,
                                                        text: str) -> None:
    norm = normalise(written)
    start = norm.text.index(term)
    assert norm.original_text(start, start + len(term)) == text


def test_match_span_maps_to_exact_original_text() -> None:
    text = "Ｖｅｎｄｓ： iv\u200bоry 🐘 défense !"
    norm = normalise(text)
    start = norm.text.index("ivory")
    assert norm.original_text(start, start + 5) == "iv\u200bоry"
    start = norm.text.index("elephant")
    assert norm.original_text(start, start + 8) == "🐘"
    start = norm.text.index("defense")
    assert norm.original_text(start, start + 7) == "défense"
