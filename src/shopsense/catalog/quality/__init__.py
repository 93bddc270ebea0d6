"""The data-quality gate: cleaning at ingest, declarative checks, scores, the report."""
