"""Webhook endpoints."""

from __future__ import annotations

from pydantic import Field, field_validator

from keepwild.service.schemas.common import Strict
from keepwild.service.urls import normalise_url

__all__ = ["WebhookIn"]


class WebhookIn(Strict):
    url: str = Field(max_length=2048)
    secret: str | None = Field(None, min_length=16, max_length=128,
                               description="Default: a random secret, returned once")

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        normalise_url(value)
        return value
