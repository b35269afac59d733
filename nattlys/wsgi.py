"""Entry point for gunicorn (gevent worker, one worker per instance)."""

from server import create_app

app = create_app()
