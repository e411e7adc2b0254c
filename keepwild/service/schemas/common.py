"""Shared pieces of the API's shapes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Strict", "ErrorOut"]


class Strict(BaseModel):
    """A request body: unknown fields are refused, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ErrorOut(BaseModel):
    """Every error: a machine code and a sentence for the person reading it."""

    error: str
    reason: str
