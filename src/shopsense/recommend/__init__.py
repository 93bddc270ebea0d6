"""Recommendation: collaborative, content, session and hybrid models."""
