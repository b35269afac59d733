"""Invitation links: the password a new user chooses, the token in a link, and
looking a link up without logging in."""

from __future__ import annotations

from typing import Any

from flask import Flask

NEW_PASSWORD = "mitt eget passord"


def link_token(invitation: dict[str, Any]) -> str:
    marker = "/#/invitasjon/"
    assert marker in invitation["url"]
    return invitation["url"].split(marker, 1)[1]


def lookup_link(app: Flask, token: str) -> Any:
    return app.test_client().post("/api/invitations/lookup", json={"token": token})
