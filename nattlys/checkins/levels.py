"""The rules that turn a check-in's answers into a level. The ONE place these
rules live: review this file with the clinicians.

Answers
    pressure            pressure/tension now, 0 (none) to 10 (unbearable)
    mood                1 (very low) to 5 (very good)
    sleep               sleep last night: good | ok | poor | none
    warning_signs       the patient's own warning signs (from the crisis plan) ticked as present
    self_harm_urge      urge to self-harm: none | some | strong
    suicidal_thoughts   thoughts of suicide: none | some | strong
    wants_contact       "do you want someone to contact you tonight?" -- does NOT change the
                        level: a chat is started whatever the level (nobody has to escalate
                        to be taken seriously)

Rules, checked from the top. The level is that of the first group with a rule
that matches; every matching rule of that group is reported as a reason.

    RED (show the plan and the emergency numbers at once, offer the chat,
         alert the supporters on duty)
      red.suicidal_strong        thoughts of suicide: strong
      red.self_harm_strong       urge to self-harm: strong
      red.suicidal_and_pressure  thoughts of suicide: some, AND pressure 8 or more

    YELLOW (show the patient's own "what I can do myself" steps)
      yellow.pressure            pressure 6 or more
      yellow.warning_signs       one or more of the patient's own warning signs present
      yellow.suicidal_some       thoughts of suicide: some
      yellow.self_harm_some      urge to self-harm: some
      yellow.sleep_and_pressure  slept poorly or not at all, AND pressure 5 or more
      yellow.mood_very_low       mood 1 (very low)

    GREEN
      everything else

Changing a threshold here changes it everywhere (the check-in answer, the
alerts, the trends and the supporters' lists), and tests/test_checkin_levels.py
holds the table that documents each rule with an example.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    green = "green"
    yellow = "yellow"
    red = "red"


LEVEL_ORDER = {Level.red: 0, Level.yellow: 1, Level.green: 2}

SLEEP_VALUES = ("good", "ok", "poor", "none")
INTENSITY_VALUES = ("none", "some", "strong")
PRESSURE_MIN, PRESSURE_MAX = 0, 10
MOOD_MIN, MOOD_MAX = 1, 5


@dataclass(frozen=True)
class Answers:
    pressure: int
    mood: int
    sleep: str
    warning_signs: Sequence[str]
    self_harm_urge: str
    suicidal_thoughts: str


@dataclass(frozen=True)
class Assessment:
    level: Level
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    code: str
    level: Level
    words: str  # the rule in plain words, as in the docstring above
    matches: Callable[[Answers], bool]


RULES: tuple[Rule, ...] = (
    Rule(
        "red.suicidal_strong",
        Level.red,
        "thoughts of suicide: strong",
        lambda a: a.suicidal_thoughts == "strong",
    ),
    Rule(
        "red.self_harm_strong", Level.red, "urge to self-harm: strong", lambda a: a.self_harm_urge == "strong"
    ),
    Rule(
        "red.suicidal_and_pressure",
        Level.red,
        "thoughts of suicide: some, and pressure 8 or more",
        lambda a: a.suicidal_thoughts == "some" and a.pressure >= 8,
    ),
    Rule("yellow.pressure", Level.yellow, "pressure 6 or more", lambda a: a.pressure >= 6),
    Rule(
        "yellow.warning_signs",
        Level.yellow,
        "one or more of my own warning signs",
        lambda a: len(a.warning_signs) > 0,
    ),
    Rule(
        "yellow.suicidal_some",
        Level.yellow,
        "thoughts of suicide: some",
        lambda a: a.suicidal_thoughts == "some",
    ),
    Rule(
        "yellow.self_harm_some", Level.yellow, "urge to self-harm: some", lambda a: a.self_harm_urge == "some"
    ),
    Rule(
        "yellow.sleep_and_pressure",
        Level.yellow,
        "slept poorly or not at all, and pressure 5 or more",
        lambda a: a.sleep in ("poor", "none") and a.pressure >= 5,
    ),
    Rule("yellow.mood_very_low", Level.yellow, "mood 1 (very low)", lambda a: a.mood == 1),
)


def assess(answers: Answers) -> Assessment:
    """The level of these answers and the codes of the rules behind it."""
    for level in (Level.red, Level.yellow):
        reasons = tuple(r.code for r in RULES if r.level == level and r.matches(answers))
        if reasons:
            return Assessment(level, reasons)
    return Assessment(Level.green, ())


def worst_first(level: str) -> int:
    """Sort key: red, then yellow, then green."""
    return LEVEL_ORDER.get(Level(level), 3) if level in Level.__members__ else 3
