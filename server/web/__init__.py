"""web area."""
