"""Listing URLs reduced to one form, so a report of ``HTTPS://Shop.example/item/1/#photos``
finds the listing stored as ``https://shop.example/item/1``."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit, urlunsplit

__all__ = ["normalise_url", "url_digest"]


def normalise_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no trailing slash; raises ValueError if it is
    not an absolute http(s) URL."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http(s) URL")
    host = parts.hostname.lower()
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path.rstrip("/"), parts.query, ""))


def url_digest(url: str) -> str | None:
    """SHA-256 of the normalised URL (None for something that is not an http(s) URL)."""
    try:
        return hashlib.sha256(normalise_url(url).encode("utf-8")).hexdigest()
    except ValueError:
        return None
