"""Duplicate and cross-shop product matching: blocking, pair evidence, scoring, clusters."""
