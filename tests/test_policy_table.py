"""The README's "Who may see what, when" says the same as the authorization
matrix: every row that names a route is checked, cell by cell, against the
status the matrix expects for that caller ("yes": 2xx; "no": refused)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.authorization_world import MATRIX

README = Path(__file__).resolve().parents[1] / "README.md"
COLUMNS = (
    "patient_self",
    "supporter_in_circle",
    "supporter_in_circle_off_duty",
    "primary_contact",
    "supporter_outside",
    "admin",
    "next_of_kin",
)


def _policy_rows() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Who may see what, when", 1)[1].split("\n## ", 1)[0]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| what ")
    ]
    assert rows, "the README has no policy table"
    return rows


def _route_key(cell: str) -> tuple[str, str] | None:
    found = re.fullmatch(r"`(GET|POST|PUT|PATCH|DELETE) (/\S+)`", cell)
    if not found:
        return None
    method, path = found.groups()
    by_shape = {(m, re.sub(r"<(?:int:)?[a-z_]+>", "<id>", rule)): (m, rule) for m, rule in MATRIX}
    key = by_shape.get((method, path))
    assert key is not None, f"README names a route the matrix does not list: {cell}"
    return key


def test_the_readme_policy_table_matches_the_authorization_matrix() -> None:
    checked = 0
    for row in _policy_rows():
        what, route, *cells = row
        assert len(cells) == len(COLUMNS), row
        key = _route_key(route)
        if key is None:
            continue
        expected = MATRIX[key][2]
        for caller, cell in zip(COLUMNS, cells, strict=True):
            allowed = 200 <= expected[caller] < 300
            assert cell.split()[0] in ("yes", "no"), (what, caller, cell)
            assert (cell.split()[0] == "yes") == allowed, (what, caller, cell, expected[caller])
        checked += 1
    assert checked >= 10
