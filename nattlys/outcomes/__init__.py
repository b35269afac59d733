"""Outcome figures for administrators (is Nattlys helping?), and the "what
happened" record staff add after a red night."""
