"""Ranking: features, learning-to-rank, explanations."""
