"""Lexicon terms are literals: regex syntax in a term is matched as text, never executed."""

from __future__ import annotations

from keepwild import Scanner
from keepwild.lexicon.model import Lexicon
from keepwild.lexicon.schema import Term


def test_regex_metacharacters_are_literal(small_lexicon: Lexicon) -> None:
    hostile = Term(term="(a+)+$ ivory", lang="en", kind="product", category="ivory",
                   weight=0.9, source="test", added="2026-11-23")
    scanner = Scanner(small_lexicon.with_terms([*small_lexicon.terms, hostile]))
    # A catastrophic-backtracking input for the pattern (a+)+$ if it were a regex.
    evil = "a" * 19_000 + "!"
    result = scanner.scan({"id": "1", "title": "bowl", "description": evil})
    assert result.verdict == "allow"
    literal = scanner.scan({"id": "2", "title": "(a+)+$ ivory for sale", "description": ""})
    assert any(m.term == "(a+)+$ ivory" for m in literal.matches)


def test_long_listing_with_many_hits_is_scanned_fully(small_scanner: Scanner) -> None:
    text = "ivory bangle for sale " * 900  # ~20,000 characters, thousands of hits
    result = small_scanner.scan({"id": "1", "title": "", "description": text[:20_000]})
    assert result.verdict == "block"
    assert sum(m.term == "ivory bangle" for m in result.matches) >= 900
