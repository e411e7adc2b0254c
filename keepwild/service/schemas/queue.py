"""Claiming and deciding queue items."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from keepwild.service.schemas.common import Strict

__all__ = ["ClaimIn", "DecisionIn"]


class ClaimIn(Strict):
    limit: int = Field(10, ge=1, description="How many items to lease (at most max_claim)")


class DecisionIn(Strict):
    action: Literal["remove", "allow", "escalate"]
    policy_reason: Literal["prohibited_species", "prohibited_product", "live_animal",
                           "coded_offer", "legal_exemption", "not_wildlife",
                           "insufficient_evidence", "other"]
    note: str = Field("", max_length=2000)
