"""Boundaries per script, and both literal engines behaving the same."""

from __future__ import annotations

import pytest

from keepwild.detect.literals import AhoCorasickIndex, HyperscanIndex
from keepwild.detect.matcher import Matcher
from keepwild.lexicon.model import Lexicon
from keepwild.lexicon.schema import Term
from keepwild.text.normalise import normalise


def term(text: str, lang: str, kind: str = "product", boundary: str = "") -> Term:
    return Term(term=text, lang=lang, kind=kind, category="ivory", weight=0.8,
                boundary=boundary, source="test", added="2026-11-23")


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(Lexicon("test", terms=(
        term("عاج", "ar"), term("ivory", "en"), term("elfenbein", "de", boundary="prefix"),
        term("象牙", "zh"), term("งาช้าง", "th"), term("bile d'ours", "fr"),
        term("affe", "de", kind="species"),
    )))


def found(matcher: Matcher, text: str) -> list[str]:
    norm = normalise(text)
    return [norm.original_text(h.start, h.end) for h in matcher.find(norm.text, norm.robust)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ivory bangle", ["ivory"]),
        ("ivorycoast", []),  # word boundary: no match inside a longer word
        ("Elfenbeinschnitzerei", ["Elfenbein"]),  # prefix: compounds match
        ("Schnitzerei aus elfenbein.", ["elfenbein"]),
        ("قطعة عاج أصلية", ["عاج"]),
        ("والعاج للبيع", ["عاج"]),  # Arabic clitics before the word
        ("سوار عاجي", ["عاج"]),  # adjectival suffix
        ("خبر عاجل", []),  # 'urgent' is not ivory
        ("出售象牙手镯", ["象牙"]),  # no spaces in Chinese: substring
        ("ขายงาช้างแท้", ["งาช้าง"]),
        ("capsules de bile d'ours", ["bile d'ours"]),  # punctuation inside a term
        ("capsules de bile d\u2019ours", ["bile d\u2019ours"]),  # a phone's curly apostrophe
        ("Kaffeemaschine", []),  # a term inside another word stays unmatched
        ("a.f.f.e zu verkaufen", ["a.f.f.e"]),
    ],
)
def test_boundaries(matcher: Matcher, text: str, expected: list[str]) -> None:
    assert found(matcher, text) == expected


PATTERNS = [b" ivory ", b"ivory", b"\xe8\xb1\xa1\xe7\x89\x99", b"a", b"aa"]


@pytest.mark.parametrize("engine", [HyperscanIndex, AhoCorasickIndex])
def test_engines_report_every_occurrence(engine: type) -> None:
    index = engine(PATTERNS)
    data = " ivory ivory aaa 象牙".encode()
    assert sorted(index.find(data)) == sorted(AhoCorasickIndex(PATTERNS).find(data))
    assert (0, 0, 7) in index.find(data)
    assert sum(1 for p, _, _ in index.find(data) if p == 3) == 3  # overlapping 'a's
    assert sum(1 for p, _, _ in index.find(data) if p == 4) == 2


@pytest.mark.parametrize("engine", [HyperscanIndex, AhoCorasickIndex])
def test_engines_handle_no_patterns(engine: type) -> None:
    assert engine([]).find(b"anything") == []
