"""care circles area."""
