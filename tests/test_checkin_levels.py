"""The level rules of nattlys/checkins/levels.py, one row per rule and its
edges: this table is what to read together with the clinicians."""

from __future__ import annotations

import pytest

from nattlys.checkins.levels import RULES, Answers, assess


def answers(
    pressure: int = 2,
    mood: int = 3,
    sleep: str = "good",
    signs: tuple[str, ...] = (),
    self_harm: str = "none",
    suicidal: str = "none",
) -> Answers:
    return Answers(
        pressure=pressure,
        mood=mood,
        sleep=sleep,
        warning_signs=signs,
        self_harm_urge=self_harm,
        suicidal_thoughts=suicidal,
    )


TABLE = [
    # (what, answers, level, reasons)
    ("calm evening", answers(), "green", ()),
    ("pressure 5 alone is green", answers(pressure=5), "green", ()),
    ("poor sleep with low pressure is green", answers(sleep="poor", pressure=4), "green", ()),
    ("mood 2 alone is green", answers(mood=2), "green", ()),
    ("pressure 6", answers(pressure=6), "yellow", ("yellow.pressure",)),
    ("pressure 10, nothing else", answers(pressure=10), "yellow", ("yellow.pressure",)),
    ("a warning sign", answers(signs=("Slutter å spise",)), "yellow", ("yellow.warning_signs",)),
    (
        "some thoughts of suicide, pressure 7",
        answers(suicidal="some", pressure=7),
        "yellow",
        ("yellow.pressure", "yellow.suicidal_some"),
    ),
    ("some urge to self-harm", answers(self_harm="some"), "yellow", ("yellow.self_harm_some",)),
    ("no sleep and pressure 5", answers(sleep="none", pressure=5), "yellow", ("yellow.sleep_and_pressure",)),
    (
        "poor sleep and pressure 5",
        answers(sleep="poor", pressure=5),
        "yellow",
        ("yellow.sleep_and_pressure",),
    ),
    ("very low mood", answers(mood=1), "yellow", ("yellow.mood_very_low",)),
    (
        "strong thoughts of suicide, pressure 0",
        answers(suicidal="strong", pressure=0),
        "red",
        ("red.suicidal_strong",),
    ),
    ("strong urge to self-harm", answers(self_harm="strong"), "red", ("red.self_harm_strong",)),
    (
        "some thoughts of suicide and pressure 8",
        answers(suicidal="some", pressure=8),
        "red",
        ("red.suicidal_and_pressure",),
    ),
    (
        "both strong",
        answers(suicidal="strong", self_harm="strong", pressure=9),
        "red",
        ("red.suicidal_strong", "red.self_harm_strong"),
    ),
]


@pytest.mark.parametrize(("what", "given", "level", "reasons"), TABLE, ids=[row[0] for row in TABLE])
def test_level_rules(what: str, given: Answers, level: str, reasons: tuple[str, ...]) -> None:
    result = assess(given)
    assert result.level == level, what
    assert result.reasons == reasons, what


def test_every_rule_is_exercised_by_the_table() -> None:
    covered = {code for *_, reasons in TABLE for code in reasons}
    assert covered == {rule.code for rule in RULES}


def test_every_rule_is_written_in_the_module_docstring() -> None:
    import nattlys.checkins.levels as levels

    for rule in RULES:
        assert rule.code in (levels.__doc__ or ""), rule.code
