"""Text stage: folding against obfuscation, the robust view, and language identification."""

from keepwild.text.fold import fold
from keepwild.text.langid import SUPPORTED_LANGUAGES, detect_language
from keepwild.text.normalise import Normalised, normalise
from keepwild.text.robust import robust

__all__ = ["fold", "normalise", "Normalised", "robust", "detect_language", "SUPPORTED_LANGUAGES"]
