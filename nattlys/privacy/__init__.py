"""The patient's rights over what Nattlys holds: a copy of everything (GDPR
art. 15 and 20) and erasure after a waiting period (art. 17)."""
