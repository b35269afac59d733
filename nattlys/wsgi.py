"""Entry point for gunicorn (gevent worker, one worker per instance)."""

from nattlys import create_app

app = create_app()
