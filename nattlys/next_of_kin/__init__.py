"""Next of kin the patient includes: consent, invitation, shared plan, worry signal."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from nattlys.checkins.service import red_checkin
    from nattlys.next_of_kin.routes import bp
    from nattlys.next_of_kin.service import tell_about_red

    app.register_blueprint(bp)
    red_checkin.connect(tell_about_red)
