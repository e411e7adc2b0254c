"""Service settings: one frozen value built from arguments or ``KEEPWILD_*`` environment
variables, handed to :func:`keepwild.service.create_app` (tests build their own)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

__all__ = ["Settings", "utcnow"]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Settings:
    """Everything the service can be told. Sizes and rates bound what one caller can cost."""

    database_url: str | None = None  # None: KEEPWILD_DATABASE_URL or the embedded SQLite
    lexicon: str | None = None  # lexicon directory or export; None: the shipped one
    policy: str = "coalition"
    model: str = "default"  # "default" (shipped), a model file, or "none"
    migrate: bool = True  # bring the schema to head at start-up
    background: bool = True  # run the webhook dispatcher and the lexicon watcher
    # request limits
    max_body_bytes: int = 4 * 1024 * 1024
    max_batch: int = 1000
    max_claim: int = 50
    max_page: int = 500
    # review queue
    lease_seconds: int = 300
    # reports: per client and hour
    reports_per_hour_public: int = 20
    reports_per_hour_spotter: int = 500
    client_salt: str = "keepwild"  # set KEEPWILD_SECRET so client hashes are not guessable
    trust_forwarded_for: bool = False  # behind a reverse proxy: client IP from X-Forwarded-For
    # auth
    auth_cache_seconds: float = 10.0  # a revoked key may work this long on other workers
    session_hours: int = 12
    # background work
    lexicon_poll_seconds: float = 5.0
    webhook_poll_seconds: float = 1.0
    webhook_timeout: float = 5.0
    webhook_backoff_base: float = 2.0
    webhook_backoff_max: float = 600.0
    clock: Callable[[], datetime] = field(default=utcnow, repr=False, compare=False)

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Settings from ``KEEPWILD_<NAME>`` variables (e.g. ``KEEPWILD_LEASE_SECONDS``),
        with ``overrides`` winning; ``KEEPWILD_SECRET`` sets ``client_salt``."""
        values: dict[str, Any] = {}
        for item in fields(cls):
            if item.name == "clock":
                continue
            raw = os.environ.get(f"KEEPWILD_{item.name.upper()}")
            if item.name == "client_salt":
                raw = os.environ.get("KEEPWILD_SECRET", raw)
            if raw is None:
                continue
            default = item.default
            if isinstance(default, bool):
                values[item.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            elif isinstance(default, int):
                values[item.name] = int(raw)
            elif isinstance(default, float):
                values[item.name] = float(raw)
            else:
                values[item.name] = raw
        values.update(overrides)
        return cls(**values)
