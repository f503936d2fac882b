"""Reading the times and due dates people type into `/incident` commands.

Every function here is pure: the current moment (`now`, aware UTC) or the user's local date
(`today`) is always passed in. A time typed without a zone is read in the typing user's zone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo, available_timezones

from dateutil.relativedelta import relativedelta

MAX_INPUT_CHARS = 100
MAX_LOOKBACK = timedelta(days=365)
MAX_DUE_AHEAD = relativedelta(years=2)
MAX_TIME_TOKENS = 4
MAX_DUE_TOKENS = 3

TIME_EXAMPLES = (
    "14:05, 2:05pm, 14:05 UTC, 14:05 +02:00, 14:05 Europe/Paris, 2026-11-29 14:05, "
    "yesterday 23:50, 10m ago, 1h30m ago or now"
)
DUE_EXAMPLES = "2026-12-01, today, tomorrow, friday, next monday, in 3 days or in 2 weeks"

# Abbreviations people commonly type that name more than one zone (IST, CST, BST...) or hide
# whether daylight saving applies; refused rather than guessed.
AMBIGUOUS_ABBREVIATIONS = frozenset(
    "acdt acst adt aedt aest akdt akst ast awst bst cat cdt cest cet cst ct eat edt eest eet "
    "est et hkt hst ist jst kst mdt msk mst mt nzdt nzst pdt pht pst pt sast sgt wat west wet".split()
)

_FLAGS = re.IGNORECASE | re.ASCII | re.VERBOSE
_ABSOLUTE = re.compile(
    r"""^
    (?: (?P<day>today|yesterday)\s+ | (?P<date>\d{4}-\d{2}-\d{2})(?:t|\s+) )?
    (?P<hour>\d{1,2})
    (?: :(?P<minute>\d{2}) (?: :(?P<second>\d{2}) (?:\.(?P<fraction>\d{1,6}))? )? )?
    (?: \s*(?P<meridiem>am|pm|a\.m\.|p\.m\.)(?![\w/+-]) )?
    (?: \s*(?P<zone>[+-]\d{2}(?::?\d{2})? | [a-z][\w+\-/]*) )?
    $""",
    _FLAGS,
)
_DATE_ONLY = re.compile(r"^(?:\d{4}-\d{2}-\d{2}|today|yesterday)$", _FLAGS)
_RELATIVE_PART = (
    r"(?P<amount>\d+|an?)\s*"
    r"(?P<unit>seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w)"
)
_RELATIVE = re.compile(rf"^(?:{_RELATIVE_PART}\s*)+ago$", _FLAGS)
_RELATIVE_PARTS = re.compile(_RELATIVE_PART, _FLAGS)
_OFFSET = re.compile(r"^[+-](?P<hours>\d{2}):?(?P<minutes>\d{2})?$", _FLAGS)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_WHITESPACE = str.maketrans({c: " " for c in "\t\n\r\u00a0\u202f"})

_DUE = re.compile(
    r"""^(?: (?P<iso>\d{4}-\d{2}-\d{2}) | (?P<word>today|tomorrow)
           | (?:next\s+)?(?P<weekday>[a-z]+)
           | in\s+(?P<amount>\d+|an?)\s+(?P<unit>days?|weeks?|months?) )$""",
    _FLAGS,
)
_WEEKDAYS = {
    **dict.fromkeys(("monday", "mon"), 0),
    **dict.fromkeys(("tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("wednesday", "wed"), 2),
    **dict.fromkeys(("thursday", "thu", "thur", "thurs"), 3),
    **dict.fromkeys(("friday", "fri"), 4),
    **dict.fromkeys(("saturday", "sat"), 5),
    **dict.fromkeys(("sunday", "sun"), 6),
}

T = TypeVar("T")


class TimeParseError(ValueError):
    """Text a person typed that is not a usable time or date; the message is written for them."""


class _UnreadableError(TimeParseError):
    """The text has the shape of no accepted form (a shorter prefix may still be a time)."""


class _FutureError(TimeParseError):
    """The text names a moment after `now`."""


def parse_moment(text: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """Read a moment a person typed, as aware UTC, never after `now`.

    A clock time without a date is its latest occurrence at or before `now` (today, else
    yesterday); a time without a zone is read in `tz`; `today`/`yesterday` are dates in the zone
    the time is read in. An ambiguous wall time (clocks going back) is the latest of its two
    readings that is not after `now`; a wall time the clocks skip is refused. Moments more than
    `MAX_LOOKBACK` before `now` are refused as typos.
    """
    _require_aware(now)
    cleaned = _clean(text, "time", TIME_EXAMPLES)
    if cleaned.lower() == "now":
        return now.astimezone(UTC)
    if _RELATIVE.match(cleaned):
        return _parse_relative(cleaned, now)
    match = _ABSOLUTE.match(cleaned)
    if match is None or (match["minute"] is None and match["meridiem"] is None):
        if _DATE_ONLY.match(cleaned):
            raise TimeParseError(
                f"“{_show(cleaned)}” is a date without a time of day; a phase needs both, "
                f"for example “{cleaned} 14:05”."
            )
        raise _unreadable(cleaned, "time", TIME_EXAMPLES)
    zone = _read_zone(match["zone"], cleaned) if match["zone"] else tz
    clock = _read_clock(match, cleaned)
    moment = _place(match, clock, zone, now, cleaned)
    if now - moment > MAX_LOOKBACK:
        raise TimeParseError(
            f"“{_show(cleaned)}” is {_utc(moment)}, more than a year ago, which looks like a "
            "typo. Check the date."
        )
    return moment


def parse_at_clause(words: str, *, now: datetime, tz: ZoneInfo) -> tuple[datetime, str]:
    """Split the text after `at` into (moment, note).

    The moment is the longest run of up to `MAX_TIME_TOKENS` leading words that reads as a time;
    the note is the rest, stripped. A run that is recognisably a time but refused (in the
    future, skipped by the clocks, an ambiguous zone abbreviation) is reported, not shortened.
    """
    return _split_prefix(
        words, MAX_TIME_TOKENS, lambda part: parse_moment(part, now=now, tz=tz), "time",
        TIME_EXAMPLES,
    )


def parse_due_date(text: str, *, today: date) -> date:
    """Read a due date typed for an action item; `today` is the user's local date.

    A weekday name (`friday`, `fri`) is its next occurrence after today, so typing today's
    weekday means a week from today; `next friday` means the same as `friday`. `in N days`,
    `in N weeks`, `in N months` and `in a week` count from today. Dates before today, or more
    than two years ahead, are refused.
    """
    cleaned = _clean(text, "due date", DUE_EXAMPLES)
    match = _DUE.match(cleaned)
    if match is None:
        raise _unreadable(cleaned, "due date", DUE_EXAMPLES)
    try:
        due = _read_due(match, today)
    except (OverflowError, ValueError):
        raise TimeParseError(
            f"“{_show(cleaned)}” is too far ahead for a due date; give one within two years."
        ) from None
    if due is None:
        raise _unreadable(cleaned, "due date", DUE_EXAMPLES)
    if due < today:
        raise TimeParseError(
            f"“{_show(cleaned)}” is {due.isoformat()}, which is in the past (today is "
            f"{today.isoformat()}). Give today or a later date."
        )
    if due > today + MAX_DUE_AHEAD:
        raise TimeParseError(
            f"“{_show(cleaned)}” is {due.isoformat()}, more than two years ahead. Give a due "
            "date within two years, so the item stays a real commitment."
        )
    return due


def parse_due_prefix(words: str, *, today: date) -> tuple[date, str]:
    """Split `DUE TEXT` into (due date, item text): the longest run of up to `MAX_DUE_TOKENS`
    leading words that reads as a due date, then the rest, stripped."""
    return _split_prefix(
        words, MAX_DUE_TOKENS, lambda part: parse_due_date(part, today=today), "due date",
        DUE_EXAMPLES,
    )


def format_local(at: datetime, tz: ZoneInfo) -> str:
    """Show a moment in UTC and in the user's zone: `2026-11-29 14:05 UTC (15:05 CET)`.

    The local date is repeated when it differs from the UTC date
    (`2026-11-29 23:30 UTC (2026-11-30 05:00 IST)`); seconds appear only when not zero; a zone
    without a letter abbreviation shows its offset (`UTC-03:00`); a UTC user sees UTC alone.
    """
    _require_aware(at)
    utc = at.astimezone(UTC)
    local = at.astimezone(tz)
    clock = "%H:%M:%S" if utc.second else "%H:%M"
    shown = f"{utc:%Y-%m-%d} {utc.strftime(clock)} UTC"
    name = local.tzname() or ""
    if name == "UTC":
        return shown
    if not name.isalpha():
        name = "UTC" + _format_offset(local.utcoffset() or timedelta(0))
    day = "" if local.date() == utc.date() else f"{local:%Y-%m-%d} "
    return f"{shown} ({day}{local.strftime(clock)} {name})"


def _split_prefix(
    words: str, max_tokens: int, parse: Callable[[str], T], what: str, examples: str
) -> tuple[T, str]:
    tokens = list(re.finditer(r"\S+", words))[:max_tokens]
    for count in range(len(tokens), 0, -1):
        end = tokens[count - 1].end()
        try:
            value = parse(words[tokens[0].start() : end])
        except _UnreadableError:
            continue
        return value, words[end:].strip()
    if not tokens:
        raise _UnreadableError(f"You didn't give a {what}. Try one of: {examples}.")
    start = words[tokens[0].start() : tokens[-1].end()]
    raise _UnreadableError(
        f"I couldn't find a {what} at the start of “{_show(start)}”. Start with one of: "
        f"{examples}."
    )


def _clean(text: str, what: str, examples: str) -> str:
    """Collapse whitespace; refuse empty, over-long and non-ASCII or control-character text."""
    cleaned = re.sub(" +", " ", text.translate(_WHITESPACE)).strip()
    if not cleaned:
        raise _UnreadableError(f"You didn't give a {what}. Try one of: {examples}.")
    if len(cleaned) > MAX_INPUT_CHARS:
        raise _UnreadableError(
            f"“{_show(cleaned)}” is too long for a {what} ({len(cleaned)} characters; at most "
            f"{MAX_INPUT_CHARS}). Try one of: {examples}."
        )
    if not (cleaned.isascii() and cleaned.isprintable()):
        raise _unreadable(cleaned, what, examples)
    return cleaned


def _unreadable(cleaned: str, what: str, examples: str) -> _UnreadableError:
    return _UnreadableError(f"I couldn't read “{_show(cleaned)}” as a {what}. Try one of: {examples}.")


def _show(text: str, limit: int = 40) -> str:
    """The typed text made safe to echo: unprintable characters replaced, long text cut."""
    safe = "".join(c if c.isprintable() else "\ufffd" for c in text)
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


def _parse_relative(cleaned: str, now: datetime) -> datetime:
    seconds = 0
    for part in _RELATIVE_PARTS.finditer(cleaned[: -len("ago")]):
        amount = 1 if part["amount"].isalpha() else int(part["amount"])
        seconds += amount * _UNIT_SECONDS[part["unit"][0].lower()]
    if seconds > MAX_LOOKBACK.total_seconds():
        raise TimeParseError(
            f"“{_show(cleaned)}” is more than a year ago, which looks like a typo. Give a "
            "smaller amount, like 10m ago or 2h ago."
        )
    return now.astimezone(UTC) - timedelta(seconds=seconds)


def _read_zone(name: str, cleaned: str) -> tzinfo:
    lowered = name.lower()
    if lowered in {"z", "utc", "gmt"}:
        return UTC
    if lowered[0] in "+-":
        return _read_offset(name)
    if lowered in AMBIGUOUS_ABBREVIATIONS:
        raise TimeParseError(
            f"“{name}” could mean more than one time zone, so I won't guess. Give the time in "
            "UTC (14:05 UTC), with an offset (14:05 +02:00) or with a zone name "
            "(14:05 America/New_York), or leave the zone out to use your Slack time zone."
        )
    if "/" in lowered:
        key = _zone_keys().get(lowered)
        if key is None:
            raise TimeParseError(
                f"I don't know the time zone “{name}”. Use a name like Europe/Paris or "
                "America/New_York, UTC, or an offset like +02:00."
            )
        return ZoneInfo(key)
    raise _unreadable(cleaned, "time", TIME_EXAMPLES)


def _read_offset(text: str) -> tzinfo:
    match = _OFFSET.match(text)
    hours = int(match["hours"]) if match else 24
    minutes = int(match["minutes"] or 0) if match else 0
    if hours > 23 or minutes > 59:
        raise TimeParseError(
            f"“{text}” is not a UTC offset I can use; give hours and minutes like +02:00 or "
            "-05:30."
        )
    sign = -1 if text.startswith("-") else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _read_clock(match: re.Match[str], cleaned: str) -> time:
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    second = int(match["second"] or 0)
    micro = int((match["fraction"] or "0").ljust(6, "0"))
    meridiem = (match["meridiem"] or "").lower().replace(".", "")
    if meridiem:
        valid = 1 <= hour <= 12
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    else:
        valid = hour <= 23
    if not valid or minute > 59 or second > 59:
        raise TimeParseError(
            f"“{_show(cleaned)}” is not a time of day: hours go from 0 to 23 (1 to 12 with "
            "am/pm), minutes and seconds from 0 to 59."
        )
    return time(hour, minute, second, micro)


def _place(match: re.Match[str], clock: time, zone: tzinfo, now: datetime, cleaned: str) -> datetime:
    """Put the clock time on its date in `zone` and return the chosen reading in UTC."""
    if match["date"]:
        try:
            day = date.fromisoformat(match["date"])
        except ValueError:
            raise TimeParseError(
                f"“{match['date']}” is not a date on the calendar; write it as YYYY-MM-DD."
            ) from None
        return _pick(datetime.combine(day, clock), zone, now, cleaned)
    local_today = now.astimezone(zone).date()
    if match["day"]:
        back = 1 if match["day"].lower() == "yesterday" else 0
        return _pick(datetime.combine(local_today - timedelta(days=back), clock), zone, now, cleaned)
    try:
        return _pick(datetime.combine(local_today, clock), zone, now, cleaned)
    except _FutureError:
        return _pick(datetime.combine(local_today - timedelta(days=1), clock), zone, now, cleaned)


def _pick(wall: datetime, zone: tzinfo, now: datetime, cleaned: str) -> datetime:
    """The latest reading of a naive wall time in `zone` that is not after `now`."""
    try:
        readings = sorted({wall.replace(tzinfo=zone, fold=f).astimezone(UTC) for f in (0, 1)})
    except OverflowError:
        raise TimeParseError(f"“{_show(cleaned)}” is too far from today to use.") from None
    real = [r for r in readings if r.astimezone(zone).replace(tzinfo=None) == wall]
    past = [r for r in real if r <= now]
    if past:
        return max(past)
    if real or readings[0] > now:
        raise _FutureError(
            f"“{_show(cleaned)}” is {_utc((real or readings)[0])}, which is in the future (it is "
            f"now {_utc(now)}). A phase can be marked now or earlier, not later."
        )
    raise TimeParseError(
        f"{wall:%Y-%m-%d %H:%M} does not exist in {zone}: the clocks skipped it when daylight "
        "saving time began. Give the time in UTC or with an offset, like “14:05 UTC” or "
        "“14:05 +02:00”."
    )


def _read_due(match: re.Match[str], today: date) -> date | None:
    if match["iso"]:
        return date.fromisoformat(match["iso"])
    if match["word"]:
        return today + timedelta(days=0 if match["word"].lower() == "today" else 1)
    if match["weekday"]:
        weekday = _WEEKDAYS.get(match["weekday"].lower())
        if weekday is None:
            return None
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    amount = 1 if match["amount"].isalpha() else int(match["amount"])
    unit = match["unit"].lower()[0]
    if unit == "m":
        return today + relativedelta(months=amount)
    return today + timedelta(days=amount * (7 if unit == "w" else 1))


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("expected an aware datetime, got a naive one")


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@lru_cache(maxsize=1)
def _zone_keys() -> dict[str, str]:
    """IANA zone names by their lowercase spelling, so `europe/paris` finds Europe/Paris."""
    return {key.lower(): key for key in available_timezones()}
