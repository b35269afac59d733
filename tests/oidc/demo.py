"""`make run-eid`: the demo with a local OpenID provider for national eID.

Starts tests/oidc/provider.js on http://127.0.0.1:5055 (ID-porten shape for
patients, HelseID shape for staff, one test person per demo account), binds
each demo account to its test person as an enrolment would, and serves the app
on http://127.0.0.1:5000 configured for it. Ctrl-C stops both.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PROVIDER_PORT = 5055
APP = "http://127.0.0.1:5000"
ISSUER = f"http://127.0.0.1:{PROVIDER_PORT}"
SECRET = "demo-only-eid-client-secret-not-for-production"
PID_KEY = "demo-only-eid-pid-key-not-for-production-000"
# Made-up identity numbers of the demo's test persons (never real people).
PERSONS = {f"pasient{i}": f"0101800000{i}" for i in range(1, 6)} | {
    "bolig1": "02028000001",
    "kommune1": "02028000002",
    "dps1": "02028000003",
    "admin": "02028000009",
    "admin2": "02028000010",
}


def main() -> None:
    from sqlmodel import Session, select

    from nattlys import create_app
    from nattlys.accounts import oidc
    from nattlys.accounts.models import Role, User
    from nattlys.accounts.strong_models import EidIdentity
    from nattlys.db import get_engine

    env = {
        **os.environ,
        "PUBLIC_BASE_URL": APP,
        "EID_PID_KEY": PID_KEY,
        "EID_PATIENT_ISSUER": ISSUER,
        "EID_PATIENT_CLIENT_ID": "nattlys-demo",
        "EID_PATIENT_CLIENT_SECRET": SECRET,
        "EID_STAFF_ISSUER": ISSUER,
        "EID_STAFF_CLIENT_ID": "nattlys-demo",
        "EID_STAFF_CLIENT_SECRET": SECRET,
        "EID_STAFF_PID_CLAIM": "pid",
        "EID_STAFF_SCOPES": "openid profile",
    }
    os.environ.update(env)
    app = create_app()
    with app.app_context(), Session(get_engine(app)) as db:
        for username, pid in PERSONS.items():
            user = db.exec(select(User).where(User.username == username)).first()
            if user is None:
                continue
            kind = "patient" if user.role == Role.patient else "staff"
            hashed = oidc.pid_hash(pid)
            if db.exec(select(EidIdentity).where(EidIdentity.pid_hash == hashed)).first() is None:
                db.add(EidIdentity(user_id=user.id, provider=kind, pid_hash=hashed, bound_at=user.created_at))
        db.commit()

    config = ROOT / "instance" / "eid-provider.json"
    config.write_text(
        json.dumps(
            {
                "port": PROVIDER_PORT,
                "pid_claim": "pid",
                "accounts": {name: {"pid": pid, "name": name} for name, pid in PERSONS.items()},
                "clients": [
                    {
                        "client_id": "nattlys-demo",
                        "client_secret": SECRET,
                        "redirect_uris": [APP + "/api/auth/eid/callback"],
                        "post_logout_redirect_uris": [APP + "/"],
                    }
                ],
            }
        )
    )
    provider = subprocess.Popen(["node", str(ROOT / "tests" / "oidc" / "provider.js"), str(config)])
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "nattlys"), "serve", "--host", "127.0.0.1", "--port", "5000"], env=env
    )
    print(f"Nattlys with eID: {APP}  (test provider {ISSUER}; pick a test person there)", flush=True)
    # Stopped by Ctrl-C or by a TERM signal alike: both children stop with it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for child in (server, provider):
            child.terminate()
            child.wait(timeout=10)


if __name__ == "__main__":
    main()
