"""Sale signals that are patterns rather than words: prices and phone numbers.

Both run only on listings that already carry wildlife evidence, and both are linear: prices
are numbers with a currency in the few characters around them (each number is found once,
and only a bounded window around it is examined), and phone numbers are found by a single pass
over runs of digit characters.
"""

from __future__ import annotations

import re

__all__ = ["has_price", "has_phone_number"]

_CURRENCY_WORDS = (
    "usd|eur|gbp|idr|rp|vnd|thb|kes|ksh|tzs|tsh|ugx|myr|rm|rmb|cny|aed|sar|egp|mad|brl|mxn|cop|"
    "pen|chf|dollars?|euros?|baht|dong|shillings?|rupiah|reais|pesos?|yuan|dirhams?|riyals?|"
    "juta|jt|ribu|rb|trieu|nghin|k"
)
_SYMBOLS = "$€£¥₫฿₹₦元块"
_NUMBER = re.compile(r"\d[\d.,]*")
# Checked only on the few characters around each number, never across the whole text.
_BEFORE = re.compile(rf"(?:[{_SYMBOLS}]|\b(?:{_CURRENCY_WORDS}))\s?$")
_AFTER = re.compile(rf"\s?(?:[{_SYMBOLS}]|บาท|ريال|درهم|جنيه|دولار|(?:{_CURRENCY_WORDS})\b)")
# Runs of at least 8 characters only: a shorter one cannot hold 8 digits, and skipping it in the
# regex spares a Python check per price or date. (Possessive: a run is never re-read shorter.)
_DIGIT_RUN = re.compile(r"[\d+][\d\s().-]{7,}+")


def has_price(folded: str) -> bool:
    """Whether folded text states a price (a number next to a currency)."""
    for number in _NUMBER.finditer(folded):
        start, end = number.span()
        # The currency after first: it needs no slice of the text.
        if _AFTER.match(folded, end) or _BEFORE.search(folded[max(0, start - 10):start]):
            return True
    return False


def has_phone_number(folded: str) -> bool:
    """Whether folded text holds something dialable: a run with at least 8 digits."""
    # sum(map(...)) counts in C; a run holds only \d characters, spaces and ()+.- anyway.
    return any(sum(map(str.isdigit, m.group())) >= 8 for m in _DIGIT_RUN.finditer(folded))
