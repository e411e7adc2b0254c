"""One exception tree for keepwild, so callers choose how broadly to catch.

    KeepwildError
    ├── InputError (also ValueError)      bad listing records or files
    ├── LexiconError (also ValueError)    a lexicon that does not load or validate
    └── PolicyError (also ValueError)     an unknown or malformed policy profile
"""

from __future__ import annotations

__all__ = ["KeepwildError", "InputError", "LexiconError", "PolicyError"]


class KeepwildError(Exception):
    """Root of every error keepwild raises on purpose."""


class InputError(KeepwildError, ValueError):
    """A listing record or input file is malformed; the message says where."""


class LexiconError(KeepwildError, ValueError):
    """The lexicon cannot be loaded or breaks its schema."""


class PolicyError(KeepwildError, ValueError):
    """A policy profile is unknown or malformed."""
