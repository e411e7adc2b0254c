"""What a lexicon entry is: species, terms and the closed vocabularies they draw on.

The schema is documented for curators in ``docs/lexicon.md``; the names here are the CSV column
names, so a spreadsheet, the JSON export and the Python objects all say the same thing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from enum import StrEnum

from keepwild.text.langid import SUPPORTED_LANGUAGES

__all__ = [
    "CATEGORIES",
    "LANGUAGES",
    "ITEM_KINDS",
    "Kind",
    "Status",
    "Boundary",
    "Species",
    "Term",
    "TERM_COLUMNS",
    "SPECIES_COLUMNS",
]

LANGUAGES = SUPPORTED_LANGUAGES
CATEGORIES = (
    "ivory",
    "rhino_horn",
    "pangolin",
    "big_cats",
    "bear",
    "marine_turtle",
    "hornbill",
    "totoaba",
    "primates",
    "birds",
    "reptiles",
    "other",
)

CITES_APPENDICES = ("I", "II", "III")
SPECIES_GROUPS = ("mammal", "bird", "reptile", "fish", "amphibian", "invertebrate", "coral")


class Kind(StrEnum):
    """What a term tells about a listing."""

    SPECIES = "species"
    PRODUCT = "product"
    CODEWORD = "codeword"
    SALE = "sale"
    CONTACT = "contact"
    BENIGN = "benign"
    NEGATION = "negation"
    #: A body part or product noun ("teeth", "Krallen", "أسنان", "เขี้ยว"): not wildlife on its
    #: own, but next to a species name it makes that name a product ("Jaguar Zähne").
    PART = "part"


#: Kinds that name the wildlife item itself (as opposed to the context around it).
ITEM_KINDS = frozenset({Kind.SPECIES, Kind.PRODUCT, Kind.CODEWORD})


class Status(StrEnum):
    """Where a term stands in curation."""

    ACTIVE = "active"
    CANDIDATE = "candidate"  # raises a listing to review, never blocks alone
    RETIRED = "retired"  # kept for history and sharing, never matched


class Boundary(StrEnum):
    """How a match must sit among its neighbouring letters."""

    WORD = "word"  # whole words only
    PREFIX = "prefix"  # may be followed by more letters (compounds, inflections)
    NONE = "none"  # anywhere (scripts without spaces)
    CLITIC = "clitic"  # Arabic: may carry clitic prefixes (al-, wa-, bi-...) and suffixes


@dataclass(frozen=True, slots=True)
class Species:
    """A CITES-listed taxon the lexicon's species terms point to."""

    scientific_name: str
    common_name: str
    cites_appendix: str
    category: str
    group: str
    source: str


@dataclass(frozen=True, slots=True)
class Term:
    """One word or phrase in one language, with what it means and where it came from."""

    term: str
    lang: str
    kind: str
    category: str = ""
    species: str = ""
    weight: float = 0.5
    status: str = Status.ACTIVE.value
    boundary: str = ""
    source: str = ""
    added: str = ""
    note: str = ""
    tp: int = 0
    fp: int = 0

    @property
    def is_matchable(self) -> bool:
        """Retired terms stay in the files but never match."""
        return self.status != Status.RETIRED

    @property
    def precision(self) -> float | None:
        """Share of moderator decisions that confirmed listings this term fired on."""
        total = self.tp + self.fp
        return self.tp / total if total else None

    def to_row(self) -> dict[str, str]:
        """The term as CSV cells (strings), in ``TERM_COLUMNS`` order."""
        row = asdict(self)
        return {name: _cell(row[name]) for name in TERM_COLUMNS}


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


TERM_COLUMNS = tuple(f.name for f in fields(Term))
SPECIES_COLUMNS = tuple(f.name for f in fields(Species))
