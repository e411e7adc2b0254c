"""Storage stage: the service's database (SQLite embedded, PostgreSQL deployed), its tables
and migrations, and the hash-chained audit log."""

from keepwild.store.audit import Verification, verify
from keepwild.store.database import Database, default_database_url
from keepwild.store.errors import StoreError

__all__ = ["Database", "default_database_url", "StoreError", "Verification", "verify"]

# Declares the hash bank tables on Base, so migrations and their comparison test see them.
from keepwild.store import banks as banks  # noqa: E402
