"""Reports from the public and Cyber Spotters."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from keepwild.service.schemas.common import Strict
from keepwild.service.urls import normalise_url

__all__ = ["ReportIn", "ReceiptOut", "ReceiptStatusOut"]

ReportCategory = Literal["ivory", "rhino_horn", "pangolin", "big_cats", "bear",
                         "marine_turtle", "hornbill", "totoaba", "primates", "birds",
                         "reptiles", "other", "unknown"]


class ReportIn(Strict):
    listing_id: str | None = Field(None, min_length=1, max_length=256,
                                   description="The platform's listing id")
    url: str | None = Field(None, max_length=2048, description="The listing's address")
    category: ReportCategory = "unknown"
    text: str = Field("", max_length=5000, description="What the reporter saw")
    contact: str | None = Field(None, max_length=256,
                                description="Optional: how to reach the reporter")

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None:
            normalise_url(value)  # raises ValueError with the reason
        return value

    @model_validator(mode="after")
    def _names_a_listing(self) -> ReportIn:
        if not self.listing_id and not self.url:
            raise ValueError("give the listing's 'url' or its 'listing_id'")
        return self


class ReceiptOut(BaseModel):
    receipt: str
    status: str
    duplicate: bool = Field(description="you had already reported this listing")
    known_listing: bool


class ReceiptStatusOut(BaseModel):
    receipt: str
    status: str
    received_at: datetime
    outcome: str | None
