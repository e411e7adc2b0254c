"""Disguises found in the wild that the scanner must see through, with the shipped lexicon."""

from __future__ import annotations

import pytest

from keepwild import Scanner


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


@pytest.mark.parametrize("title, term, family", [
    ("C@o h0 c0t, lạng 100g", "cao hổ cốt", "leet"),  # leet in short Vietnamese words
    ("V.ẹ.t x.á.m non 4 tháng", "vẹt xám", "spaced"),  # a two-word name spelt letter by letter
    ("o w a  j a w a anakan", "owa jawa", "spaced"),
    ("قرن و ح ي د ا ل ق ر ن للبيع", "وحيد القرن", "spaced"),  # Arabic letters spread out
    ("m@c@w幼鸟预定", "macaw", "leet"),  # Latin word run into Chinese, no space between
    ("Iiivoren beeldjes", "ivoren", "repeat"),  # stretched first letter
])
def test_disguised_item_terms_are_found(scanner: Scanner, title: str, term: str,
                                        family: str) -> None:
    result = scanner.scan({"id": "1", "title": title})
    found = {match.term: match for match in result.matches}
    assert term in found, [m.term for m in result.matches]
    match = found[term]
    assert title[match.start:match.end] == match.text
    assert family in match.obfuscation


def test_latin_term_run_into_chinese_is_found(scanner: Scanner) -> None:
    result = scanner.scan({"id": "3", "title": "bekko发簪 日本回流，懂的来"})
    assert [m.text for m in result.matches if m.category == "marine_turtle"] == ["bekko"]


@pytest.mark.parametrize("title", [
    "Mini tripod 4cm, mp3 player and 100g of coffee",
    "Vet exam for my cat next week",  # 'vet' and 'xam'-like letters, but no spaced spelling
    "Macaroni and cheese, ivory-coloured plates",
])
def test_innocent_text_is_not_read_as_a_disguise(scanner: Scanner, title: str) -> None:
    result = scanner.scan({"id": "2", "title": title})
    disguised = [m for m in result.matches if {"spaced", "leet"} & set(m.obfuscation)]
    assert not disguised
