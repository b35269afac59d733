"""Secure chat routed by the roster."""
