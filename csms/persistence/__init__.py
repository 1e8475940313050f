"""Persistence: SQLAlchemy Core tables, repositories returning domain objects, group commit.

Alembic migrations under `migrations/` are the only schema creator; `tables.py` mirrors them.
"""
