"""Query understanding: intent, attribute parsing, spelling."""
