"""Listings as platforms send them (documentation of the body; validation is
:func:`keepwild.service.listings.parse_listing`, the same rules as the CLI)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from keepwild.detect.listing import MAX_IMAGES, MAX_TEXT_CHARS

__all__ = ["ListingIn", "ListingBatchIn", "ScanOut", "IngestedOut", "IngestOut"]


class ListingIn(BaseModel):
    id: str = Field(max_length=256, description="The platform's id for the listing")
    title: str = Field("", max_length=MAX_TEXT_CHARS)
    description: str = Field("", max_length=MAX_TEXT_CHARS)
    price: float | None = Field(None, ge=0)
    currency: str | None = Field(None, max_length=16)
    seller: str | None = Field(None, max_length=2048)
    url: str | None = Field(None, max_length=2048)
    images: list[str] = Field(default_factory=list, max_length=MAX_IMAGES)
    lang: str | None = Field(None, max_length=16, description="ISO 639-1, if known")


class ListingBatchIn(BaseModel):
    listings: list[ListingIn] = Field(description="At most max_batch listings (default 1000)")


class ScanOut(BaseModel):
    id: str
    verdict: str
    score: float
    categories: list[str]
    species: list[str]
    language: str
    matches: list[dict[str, object]]
    reasons: list[dict[str, object]]
    policy: str
    lexicon_version: str
    model_version: str | None


class IngestedOut(BaseModel):
    id: str
    listing: int
    status: str = Field(description="created, updated (content changed) or unchanged")
    verdict: str
    score: float
    categories: list[str]
    queued: bool = Field(description="waiting in the review queue")


class IngestOut(BaseModel):
    results: list[IngestedOut]
