"""Catalogue: product schema, ingestion with quarantine, product store."""
