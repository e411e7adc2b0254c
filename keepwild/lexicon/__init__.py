"""Lexicon stage: species, terms and their curation (schema, files, validation, statistics)."""

from keepwild.lexicon.files import load_lexicon
from keepwild.lexicon.model import Lexicon
from keepwild.lexicon.schema import CATEGORIES, LANGUAGES, Kind, Species, Status, Term

__all__ = ["Lexicon", "load_lexicon", "Term", "Species", "Kind", "Status", "CATEGORIES",
           "LANGUAGES"]
