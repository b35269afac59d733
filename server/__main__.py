"""`python -m server` is the same as the `nattlys` command."""

from server.cli import main

main()
