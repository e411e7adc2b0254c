"""Sale signals that are patterns rather than words: prices and phone numbers.

Both run only on listings that already carry wildlife evidence, and both are linear: the price
pattern starts only at the beginning of a number (look-behind) and uses possessive repeats, and
phone numbers are found by a single pass over runs of digit characters.
"""

from __future__ import annotations

import re

__all__ = ["has_price", "has_phone_number"]

_CURRENCY_WORDS = (
    "usd|eur|gbp|idr|rp|vnd|thb|kes|ksh|tzs|tsh|ugx|myr|rm|rmb|cny|aed|sar|egp|mad|brl|mxn|cop|"
    "pen|chf|dollars?|euros?|baht|dong|shillings?|rupiah|reais|pesos?|yuan|dirhams?|riyals?|"
    "juta|jt|ribu|rb|trieu|nghin|k"
)
_PRICE = re.compile(
    rf"(?:[$€£¥₫฿₹₦]|\b(?:{_CURRENCY_WORDS})\b)\s?\d"
    rf"|(?<![\d.,])\d[\d.,]*+\s?(?:[$€£¥₫฿₹₦元块]|บาท|ريال|درهم|جنيه|دولار|(?:{_CURRENCY_WORDS})\b)"
)
_DIGIT_RUN = re.compile(r"[\d+][\d\s().-]*+")


def has_price(folded: str) -> bool:
    """Whether folded text states a price (a number next to a currency)."""
    return _PRICE.search(folded) is not None


def has_phone_number(folded: str) -> bool:
    """Whether folded text holds something dialable: a run with at least 8 digits."""
    return any(sum(c.isdigit() for c in m.group()) >= 8 for m in _DIGIT_RUN.finditer(folded))
