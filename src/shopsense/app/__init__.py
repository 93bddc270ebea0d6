"""Composition root: Settings in, wired services out (no HTTP here)."""
