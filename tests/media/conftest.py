"""Fixtures for the media tests: generated images and one OCR engine per test session."""

from __future__ import annotations

import pytest

from keepwild import Scanner
from keepwild.media.ocr import OcrEngine


@pytest.fixture(scope="session")
def ocr_engine() -> OcrEngine:
    """Loaded once: the models take about a second to load."""
    return OcrEngine()


@pytest.fixture(scope="session")
def full_scanner() -> Scanner:
    """The shipped lexicon in 12 languages (the small test lexicon has no Chinese terms)."""
    return Scanner()
