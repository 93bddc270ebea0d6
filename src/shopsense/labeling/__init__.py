"""Labeling: annotation and label quality."""
