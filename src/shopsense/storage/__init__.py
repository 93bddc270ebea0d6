"""Relational storage: engine, tables and migrations (SQLite by default, PostgreSQL by URL)."""
