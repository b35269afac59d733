"""The patient's rights over what Nattlys holds: a copy of everything (GDPR
art. 15 and 20) and erasure after a waiting period (art. 17)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from nattlys.privacy.routes import bp

    app.register_blueprint(bp)
