"""Shared fixtures: the small test lexicon and scanners built on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from keepwild import Scanner, load_lexicon
from keepwild.lexicon.model import Lexicon

DATA = Path(__file__).parent / "data"

pytest_plugins = ["db_fixtures"]  # SQLite and PostgreSQL databases for store/service tests


@pytest.fixture(scope="session")
def small_lexicon_dir() -> Path:
    return DATA / "small_lexicon"


@pytest.fixture(scope="session")
def small_lexicon(small_lexicon_dir: Path) -> Lexicon:
    return load_lexicon(small_lexicon_dir)


@pytest.fixture(scope="session")
def small_scanner(small_lexicon: Lexicon) -> Scanner:
    return Scanner(small_lexicon)
