"""On-call rosters and "who is on duty now"."""
