"""The `nattlys scheduler` process (the command execs into this module): gevent
patches the standard library before anything else is imported, so the jobs run
as greenlets, as they do inside `nattlys serve`, and the evening's pushes are
sent by greenlets that wait on the network without holding up each other."""

from gevent import monkey

monkey.patch_all()

import sys  # noqa: E402 - after the patch, by design

from nattlys import create_app  # noqa: E402
from nattlys.config import ConfigError  # noqa: E402
from nattlys.scheduler import run_forever  # noqa: E402


def main() -> None:
    try:
        app = create_app()
    except ConfigError as exc:
        print(f"nattlys: {exc}", file=sys.stderr)
        sys.exit(2)
    with app.app_context():
        run_forever(app)


if __name__ == "__main__":
    main()
