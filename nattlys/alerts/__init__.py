"""Alerts that keep moving until a person answers, and the log of every time a
patient was alone or waited without an answer."""
