"""The `nattlys` command, and `python -m nattlys`: the commands of nattlys/cli.py
on an app made from the environment."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from nattlys import create_app
from nattlys.cli import keys_group, vapid_group
from nattlys.config import ConfigError


def _create_app() -> Flask:
    try:
        return create_app()
    except ConfigError as exc:
        click.echo(f"nattlys: {exc}", err=True)
        sys.exit(2)


def main() -> None:
    cli = FlaskGroup(create_app=_create_app, add_default_commands=False, add_version_option=False)
    # Making keys needs no configuration (it is how the configuration gets them).
    cli.add_command(vapid_group)
    cli.add_command(keys_group)
    cli.main(prog_name="nattlys")


if __name__ == "__main__":
    main()
