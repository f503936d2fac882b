"""Reading the due dates people type for action items.

Every function here is pure: the user's local date (`today`) is always passed in.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from bot.core.typed_words import TimeParseError, clean_input, show, split_prefix, unreadable
from bot.core.weekdays import weekday_number

MAX_DUE_AHEAD = relativedelta(years=2)
MAX_DUE_TOKENS = 3

DUE_EXAMPLES = "2026-12-01, today, tomorrow, friday, next monday, in 3 days or in 2 weeks"

_DUE = re.compile(
    r"""^(?: (?P<iso>\d{4}-\d{2}-\d{2}) | (?P<word>today|tomorrow)
           | (?:next\s+)?(?P<weekday>[a-z]+)
           | in\s+(?P<amount>\d+|an?)\s+(?P<unit>days?|weeks?|months?) )$""",
    re.IGNORECASE | re.ASCII | re.VERBOSE,
)


def parse_due_date(text: str, *, today: date) -> date:
    """Read a due date typed for an action item; `today` is the user's local date.

    A weekday name (`friday`, `fri`) is its next occurrence after today, so typing today's
    weekday means a week from today; `next friday` means the same as `friday`. `in N days`,
    `in N weeks`, `in N months` and `in a week` count from today. Dates before today, or more
    than two years ahead, are refused.
    """
    cleaned = clean_input(text, "due date", DUE_EXAMPLES)
    match = _DUE.match(cleaned)
    if match is None:
        raise unreadable(cleaned, "due date", DUE_EXAMPLES)
    try:
        due = _read_due(match, today)
    except (OverflowError, ValueError):
        raise TimeParseError(f"“{show(cleaned)}” is too far ahead for a due date; give one within two years.") from None
    if due is None:
        raise unreadable(cleaned, "due date", DUE_EXAMPLES)
    if due < today:
        raise TimeParseError(
            f"“{show(cleaned)}” is {due.isoformat()}, which is in the past (today is "
            f"{today.isoformat()}). Give today or a later date."
        )
    if due > today + MAX_DUE_AHEAD:
        raise TimeParseError(
            f"“{show(cleaned)}” is {due.isoformat()}, more than two years ahead. Give a due "
            "date within two years, so the item stays a real commitment."
        )
    return due


def parse_due_prefix(words: str, *, today: date) -> tuple[date, str]:
    """Split `DUE TEXT` into (due date, item text): the longest run of up to `MAX_DUE_TOKENS`
    leading words that reads as a due date, then the rest, stripped."""
    return split_prefix(
        words,
        MAX_DUE_TOKENS,
        lambda part: parse_due_date(part, today=today),
        "due date",
        DUE_EXAMPLES,
    )


def _read_due(match: re.Match[str], today: date) -> date | None:
    if match["iso"]:
        return date.fromisoformat(match["iso"])
    if match["word"]:
        return today + timedelta(days=0 if match["word"].lower() == "today" else 1)
    if match["weekday"]:
        weekday = weekday_number(match["weekday"])
        if weekday is None:
            return None
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    amount = 1 if match["amount"].isalpha() else int(match["amount"])
    unit = match["unit"].lower()[0]
    if unit == "m":
        return today + relativedelta(months=amount)
    return today + timedelta(days=amount * (7 if unit == "w" else 1))
