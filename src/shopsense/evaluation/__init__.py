"""Evaluation: metrics, splits, judgments and benchmark runners."""
