"""Which language a listing is written in.

Scripts that only one supported language writes (Thai, Arabic, Chinese) are recognised from the
characters alone; everything else goes to CLD2 (Chromium's compact language detector, whose
tables are compiled into the ``pycld2`` wheel). CLD2 is fast (some 25 µs a call) but misjudges
some short listings; when the caller has evidence pointing elsewhere (the languages of the
lexicon terms that matched), Lingua, slower and more accurate on short text, has the last word
between CLD2's answer and those languages. Lingua's cost grows with the number of languages it
weighs (~250 µs for all twelve, ~90 µs for three), so it weighs only the candidates. Both ship
their models in their wheels: nothing is downloaded at run time.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

import pycld2
from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

__all__ = ["SUPPORTED_LANGUAGES", "UNDETERMINED", "detect_language", "preload_models"]

SUPPORTED_LANGUAGES = ("en", "fr", "nl", "id", "ar", "zh", "vi", "th", "es", "pt", "de", "sw")
UNDETERMINED = "und"

# CLD2 codes that stand for a supported language in the markets keepwild serves.
_CLD2_ALIASES = {"zh-Hant": "zh", "ms": "id", "iw": "he", "tl": "fil"}

# Single-language scripts among the supported languages.
_SCRIPTS = (
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("ar", re.compile(r"[\u0600-\u06ff\u0750-\u077f]")),
    ("zh", re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")),
)
_LETTER = re.compile(r"[^\W\d_]")
# Language shows in the first lines; identifying on a bounded sample keeps the cost flat.
_SAMPLE_CHARS = 240


def _script_language(sample: str) -> str | None:
    """The language of a text mostly written in a single-language script, if any."""
    for lang, pattern in _SCRIPTS:
        found = len(pattern.findall(sample))
        if found and found * 2 >= len(_LETTER.findall(sample)):
            return lang
    return None


@lru_cache(maxsize=256)
def _lingua_among(codes: frozenset[str]) -> LanguageDetector:
    """A detector for these languages only. Building one is cheap (~0.2 ms): the language
    models are loaded once and shared by every detector; at most 256 sets are kept."""
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
                 for code in sorted(codes)]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def preload_models() -> None:
    """Load Lingua's models now rather than on the first ambiguous listing.

    Loading takes seconds and holds the interpreter; a service does it while starting, before
    it answers requests (and health checks).
    """
    _lingua_among(frozenset(SUPPORTED_LANGUAGES)).detect_language_of("keepwild")


def _lingua_language(text: str, candidates: frozenset[str]) -> str:
    found = _lingua_among(candidates).detect_language_of(text)
    return found.iso_code_639_1.name.lower() if found is not None else UNDETERMINED


def detect_language(text: str, hints: Collection[str] = ()) -> str:
    """ISO 639-1 code of the language of ``text``, or ``"und"`` when it cannot be told.

    ``hints`` are languages other evidence points to; if CLD2's answer is not among them,
    Lingua decides between CLD2's answer (when it is a supported language) and the hints.
    """
    sample = text[:_SAMPLE_CHARS]
    found = _cld2_language(sample)
    if hints and found not in hints:
        candidates = {lang for lang in hints if lang in SUPPORTED_LANGUAGES}
        if found in SUPPORTED_LANGUAGES:
            candidates.add(found)
        if len(candidates) > 1:
            return _lingua_language(sample, frozenset(candidates))
        if candidates:  # CLD2 named a language keepwild does not serve; the evidence decides
            return candidates.pop()
    return found


def _cld2_language(text: str) -> str:
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
