"""Folding: every obfuscation family reads as plain text, and every span maps back exactly."""

from __future__ import annotations

import pytest
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
        ("ρangolin", "pangolin"),  # Greek rho
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


def test_prices_phone_numbers_and_years_stay_digits() -> None:
    assert fold("Price 1500 USD, call +62 812 3456 7890, made 1989") == (
        "price 1500 usd, call +62 812 3456 7890, made 1989"
    )


@settings(max_examples=300)
@given(st.text())
def test_translate_equals_pieces(text: str) -> None:
    assert fold(text) == "".join(piece(c) for c in text)


@settings(max_examples=300)
@given(st.text(min_size=1))
def test_every_piece_maps_back_to_its_character(text: str) -> None:
    norm = normalise(text)
    position = 0
    for index, char in enumerate(text):
        length = len(piece(char))
        if length:
            assert norm.to_original(position, position + length) == (index, index + 1)
        position += length
    assert position == len(norm.text)


def test_match_span_maps_to_exact_original_text() -> None:
    text = "Ｖｅｎｄｓ： iv\u200bоry 🐘 défense !"
    norm = normalise(text)
    start = norm.text.index("ivory")
    assert norm.original_text(start, start + 5) == "iv\u200bоry"
    start = norm.text.index("elephant")
    assert norm.original_text(start, start + 8) == "🐘"
    start = norm.text.index("defense")
    assert norm.original_text(start, start + 7) == "défense"
