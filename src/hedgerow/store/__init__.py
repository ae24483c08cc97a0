"""Persistence adapters: the immutable snapshot store (Parquet) and the ledger database (SQLAlchemy)."""
