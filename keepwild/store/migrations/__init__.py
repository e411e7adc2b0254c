"""Alembic migrations of the keepwild schema (run by :meth:`keepwild.store.Database.upgrade`)."""
