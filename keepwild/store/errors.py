"""Errors of the storage layer."""

from __future__ import annotations

from keepwild.errors import KeepwildError

__all__ = ["StoreError"]


class StoreError(KeepwildError):
    """The database cannot be opened, migrated or trusted; the message says why."""
