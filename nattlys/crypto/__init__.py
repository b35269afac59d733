"""Encryption at rest of clinical text: the data keys, the encrypted column
types the models use, and re-encryption under the newest key."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from nattlys.crypto import keys

    keys.init_app(app, app.config["SETTINGS"].data_keys())
