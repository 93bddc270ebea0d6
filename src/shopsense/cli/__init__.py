"""Command-line shell over shopsense.app."""
