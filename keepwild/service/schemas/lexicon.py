"""Curator edits to the lexicon."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from keepwild.lexicon.schema import LANGUAGES
from keepwild.service.schemas.common import Strict

__all__ = ["TermEditIn"]

Language = Literal[LANGUAGES]  # type: ignore[valid-type]


class TermEditIn(Strict):
    """A new term, or new values for an existing one (found by language and spelling,
    as the matcher folds it). Omitted fields keep their value."""

    term: str = Field(min_length=1, max_length=200)
    lang: Language
    kind: Literal["species", "product", "codeword", "sale", "contact", "benign",
                  "negation", "part"] | None = None
    category: str | None = Field(None, max_length=32)
    species: str | None = Field(None, max_length=128)
    weight: float | None = Field(None, ge=0.05, le=1.0)
    status: Literal["active", "candidate", "retired"] | None = None
    boundary: Literal["word", "prefix", "none", "clitic", ""] | None = None
    source: str | None = Field(None, max_length=200)
    note: str | None = Field(None, max_length=500)
