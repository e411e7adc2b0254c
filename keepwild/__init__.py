"""keepwild: find online listings of prohibited wildlife, in any language, and explain why.

The public API is re-exported here; everything else is internal and may change.
"""

from keepwild.detect import Listing, Match, Policy, Reason, Scanner, ScanResult, load_policy
from keepwild.errors import InputError, KeepwildError, LexiconError, PolicyError
from keepwild.lexicon import Lexicon, Species, Term, load_lexicon
from keepwild.text import detect_language, normalise

__version__ = "0.1.0"

__all__ = [
    "Scanner",
    "Listing",
    "ScanResult",
    "Match",
    "Reason",
    "Policy",
    "load_policy",
    "Lexicon",
    "Term",
    "Species",
    "load_lexicon",
    "normalise",
    "detect_language",
    "KeepwildError",
    "InputError",
    "LexiconError",
    "PolicyError",
]
