"""The benchmarks' verdict (tests/perf/rounds.py), without running a server:
a round with a refused send is left out of the ratio, and a round with no
answers at all is reported, not a crash."""

from __future__ import annotations

import re

from tests.perf.rounds import Round, ratio_line


def _round(server: str, number: int, events: int, *, refused: int = 0, cpu: float = 1.0) -> Round:
    return Round(
        server=server,
        number=number,
        seconds=10,
        latencies=[0.001 * (1 + i % 100) for i in range(events)],
        refused=refused,
        cpu=cpu,
    )


def test_the_ratio_leaves_out_a_round_with_refused_sends() -> None:
    pairs = [
        (_round("bare", 1, 3000), _round("nattlys", 1, 600)),
        (_round("bare", 2, 3000), _round("nattlys", 2, 6000, refused=1)),
        (_round("bare", 3, 2000), _round("nattlys", 3, 600)),
    ]

    line = ratio_line("chat", pairs)

    assert re.fullmatch(
        r"chat ratio: 0\.25 \(rounds 0\.20 0\.30; 1 not reported\), p99 99\.0 ms, "
        r"cpu/event 1\.67 ms \(bare: p99 99\.0 ms, cpu/event 0\.42 ms\)",
        line,
    ), line
    assert "not reported: 1 refused" in pairs[1][1].line("msg")


def test_rounds_without_any_answer_give_a_line_not_a_crash() -> None:
    empty = _round("nattlys", 1, 0)

    assert "not reported" in empty.line("msg")
    assert ratio_line("checkin", [(_round("bare", 1, 100), empty)]) == (
        "checkin ratio: none (every round had refused or lost events)"
    )
