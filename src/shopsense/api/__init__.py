"""HTTP API shell over shopsense.app."""
