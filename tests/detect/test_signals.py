"""Price and phone-number signals, in the formats of the markets keepwild serves."""

from __future__ import annotations

import pytest

from keepwild.detect.signals import has_phone_number, has_price
from keepwild.text.fold import fold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Price 1500 USD", True), ("$ 45", True), ("45€", True), ("Rp 2.500.000", True),
        ("harga 2jt nego", True), ("500k", True), ("1200 บาท", True), ("¥6000一对", True),
        ("4000 درهم", True), ("Bei Ksh 350,000", True), ("R$ 1.200", True),
        ("made 1989, size 42", False), ("12 cm long", False), ("5 kg", False),
    ],
)
def test_price(text: str, expected: bool) -> None:
    assert has_price(fold(text)) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call +255 712 345 678", True), ("WA 0812-3456-7890", True), ("(021) 555 1234", True),
        ("size 42, 3 pieces", False), ("year 2019", False),
    ],
)
def test_phone_number(text: str, expected: bool) -> None:
    assert has_phone_number(fold(text)) is expected


def test_long_digit_runs_stay_fast_and_correct() -> None:
    text = "1" * 20_000 + "x"
    assert has_phone_number(text) and not has_price(text)
