"""Adapters: the only importers of torch, transformers and packaged model weights."""
