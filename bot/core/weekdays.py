"""The days of the week, by the number ``datetime.weekday()`` gives them (0 is Monday)."""

from __future__ import annotations

WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_NUMBERS = {
    **dict.fromkeys(("monday", "mon"), 0),
    **dict.fromkeys(("tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("wednesday", "wed"), 2),
    **dict.fromkeys(("thursday", "thu", "thur", "thurs"), 3),
    **dict.fromkeys(("friday", "fri"), 4),
    **dict.fromkeys(("saturday", "sat"), 5),
    **dict.fromkeys(("sunday", "sun"), 6),
}


def weekday_number(word: str) -> int | None:
    """The number of the weekday ``word`` names (``friday``, ``Fri``, ``thurs``…), or None."""
    return _NUMBERS.get(word.lower())


def short_name(number: int) -> str:
    """``mon`` … ``sun``: the three letters a setting such as ``SCRIBE_REVIEW_AT`` uses."""
    return WEEKDAYS[number][:3].lower()
