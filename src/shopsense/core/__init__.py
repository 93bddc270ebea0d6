"""Types, ids, errors and top-k shared by every layer (stdlib + numpy only)."""
