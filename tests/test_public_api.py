"""The public surface is what ``keepwild.__all__`` says, and nothing drifts out of it."""

from __future__ import annotations

import keepwild


def test_every_exported_name_exists() -> None:
    for name in keepwild.__all__:
        assert hasattr(keepwild, name), name


def test_exports_are_the_documented_set() -> None:
    assert set(keepwild.__all__) == {
        "Scanner", "Listing", "ScanResult", "Match", "Reason", "Policy", "load_policy",
        "Lexicon", "Term", "Species", "load_lexicon", "normalise", "detect_language",
        "KeepwildError", "InputError", "LexiconError", "PolicyError",
    }


def test_errors_share_one_root_and_are_value_errors() -> None:
    for error in (keepwild.InputError, keepwild.LexiconError, keepwild.PolicyError):
        assert issubclass(error, keepwild.KeepwildError)
        assert issubclass(error, ValueError)
