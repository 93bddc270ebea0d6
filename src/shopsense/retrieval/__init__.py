"""Retrieval: lexical, vector and hybrid candidate generation."""
