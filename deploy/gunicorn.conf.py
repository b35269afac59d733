"""gunicorn settings for one Nattlys web instance (production and the local cluster).

    gunicorn -c deploy/gunicorn.conf.py nattlys.wsgi:app

Flask-SocketIO needs exactly one worker per process: scale out with more
instances (nattlys-web@PORT), never with more workers. Everything here can be
overridden from the environment file.
"""

import os

bind = os.environ.get("NATTLYS_BIND", "127.0.0.1:8001")
worker_class = "gevent"
workers = 1
# Open sockets one instance holds (each patient or supporter with the app open
# holds one WebSocket).
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "5000"))
# On stop or restart, wait this long for open requests; open WebSockets keep the
# worker up until then, after which it is killed and clients reconnect to
# another instance.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "10"))
timeout = 30
keepalive = 5
# Several instances run side by side on one machine; gunicorn's control socket
# would be shared between them.
control_socket_disable = True
# nginx on this machine sets X-Forwarded-Proto; trust it from loopback only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The app writes one JSON line per request (route rule, never the raw path);
# gunicorn's own access log would repeat the raw path (a calendar token).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = f"nattlys-web-{bind.rsplit(':', 1)[-1]}"

_CHECK = """
import sys
from nattlys.config import ConfigError, Settings, check_services
try:
    settings = Settings.from_env()
    if settings.STARTUP_CHECKS == "on" and settings.ENV != "testing":
        check_services(settings)
except ConfigError as exc:
    print(f"nattlys: {exc}", file=sys.stderr)
    sys.exit(2)
"""


def on_starting(server):
    """Refuse to start with one line (a wrong DATABASE_URL, Redis down, a
    default SECRET_KEY, no push keys in production) instead of a worker that
    fails to boot with a traceback. Checked in a child process: the master
    must not import the database drivers before the gevent worker patches."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _CHECK], check=False)  # noqa: S603 - fixed argv
    if done.returncode != 0:
        sys.exit(done.returncode)
