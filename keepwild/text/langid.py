"""Which language a listing is written in.

Scripts that only one supported language writes (Thai, Arabic, Chinese) are recognised from the
characters alone; everything else goes to CLD2 (Chromium's compact language detector, whose
tables are compiled into the ``pycld2`` wheel, so nothing is downloaded at run time). CLD2 has
a fixed cost of some 25 µs a call, so the script shortcut and a caller-supplied ``lang`` matter
for throughput.
"""

from __future__ import annotations

import pycld2

__all__ = ["SUPPORTED_LANGUAGES", "UNDETERMINED", "detect_language"]

SUPPORTED_LANGUAGES = ("en", "fr", "nl", "id", "ar", "zh", "vi", "th", "es", "pt", "de", "sw")
UNDETERMINED = "und"

# CLD2 codes that stand for a supported language in the markets keepwild serves.
_CLD2_ALIASES = {"zh-Hant": "zh", "ms": "id", "iw": "he", "tl": "fil"}

# Single-language scripts among the supported languages: (first, last code point, language).
_SCRIPT_RANGES = (
    (0x0E00, 0x0E7F, "th"),
    (0x0600, 0x06FF, "ar"),
    (0x0750, 0x077F, "ar"),
    (0x4E00, 0x9FFF, "zh"),
    (0x3400, 0x4DBF, "zh"),
)


def _script_language(text: str) -> str | None:
    """The language of a text mostly written in a single-language script, if any."""
    counts: dict[str, int] = {}
    letters = 0
    for char in text:
        if not char.isalpha():
            continue
        letters += 1
        code = ord(char)
        for low, high, lang in _SCRIPT_RANGES:
            if low <= code <= high:
                counts[lang] = counts.get(lang, 0) + 1
                break
    if not counts:
        return None
    lang, count = max(counts.items(), key=lambda item: item[1])
    return lang if count * 2 >= letters else None


def detect_language(text: str) -> str:
    """ISO 639-1 code of the language of ``text``, or ``"und"`` when it cannot be told."""
    if not text.isascii():
        by_script = _script_language(text)
        if by_script:
            return by_script
    try:
        reliable, _, details = pycld2.detect(text, bestEffort=True)
    except pycld2.error:
        # CLD2 rejects invalid UTF-8 (lone surrogates); drop them and try once more.
        cleaned = text.encode("utf-8", "ignore").decode("utf-8")
        reliable, _, details = pycld2.detect(cleaned, bestEffort=True)
    code = details[0][1]
    if code in ("un", "xxx"):
        return UNDETERMINED
    return _CLD2_ALIASES.get(code, code)
