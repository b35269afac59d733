"""The API's declaration of endpoints, its JSON errors and its OpenAPI document."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from nattlys.api import errors
    from nattlys.api.routes import bp

    errors.init_app(app)
    app.register_blueprint(bp)
