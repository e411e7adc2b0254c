"""Named exit codes, so scripts can tell failures apart."""

from __future__ import annotations

import sys
from enum import IntEnum
from typing import NoReturn

import typer

__all__ = ["Exit", "fail"]


class Exit(IntEnum):
    OK = 0
    BAD_RECORDS = 1  # some input records were malformed (the rest were processed)
    USAGE = 2  # wrong arguments (Typer's own code)
    INVALID = 3  # a lexicon or policy failed validation
    ERROR = 4  # anything else keepwild refused to do


def fail(message: str, code: Exit = Exit.ERROR) -> NoReturn:
    print(f"keepwild: {message}", file=sys.stderr)
    raise typer.Exit(int(code))
