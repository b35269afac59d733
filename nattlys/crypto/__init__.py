"""Encryption at rest of clinical text: the data keys, the encrypted column
types the models use, and re-encryption under the newest key."""
