"""Reading the times people type into `/incident` commands, and showing times back to them.

Every function here is pure: the current moment (`now`, aware UTC) is always passed in. A time
typed without a zone is read in the typing user's zone. Due dates are read in `duedate`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from bot.core.typed_words import TimeParseError as TimeParseError  # re-exported: the error of time input
from bot.core.typed_words import clean_input, show, split_prefix, unreadable

MAX_LOOKBACK = timedelta(days=365)
MAX_TIME_TOKENS = 4

TIME_EXAMPLES = (
    "14:05, 2:05pm, 14:05 UTC, 14:05 +02:00, 14:05 Europe/Paris, 2026-11-29 14:05, "
    "yesterday 23:50, 10m ago, 1h30m ago or now"
)

# Abbreviations people commonly type that name more than one zone (IST, CST, BST...) or hide
# whether daylight saving applies; refused rather than guessed.
AMBIGUOUS_ABBREVIATIONS = frozenset(
    [
        "acdt",
        "acst",
        "adt",
        "aedt",
        "aest",
        "akdt",
        "akst",
        "ast",
        "awst",
        "bst",
        "cat",
        "cdt",
        "cest",
        "cet",
        "cst",
        "ct",
        "eat",
        "edt",
        "eest",
        "eet",
        "est",
        "et",
        "hkt",
        "hst",
        "ist",
        "jst",
        "kst",
        "mdt",
        "msk",
        "mst",
        "mt",
        "nzdt",
        "nzst",
        "pdt",
        "pht",
        "pst",
        "pt",
        "sast",
        "sgt",
        "wat",
        "west",
        "wet",
    ]
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


class _FutureError(TimeParseError):
    """The text names a moment after `now`."""


ZoneSource = ZoneInfo | Callable[[], ZoneInfo]
"""The user's zone, or how to learn it: asked only when the text has no zone of its own."""


def parse_moment(text: str, *, now: datetime, tz: ZoneSource) -> datetime:
    """Read a moment a person typed, as aware UTC, never after `now`.

    A clock time without a date is its latest occurrence at or before `now` (today, else
    yesterday); a time without a zone is read in `tz`; `today`/`yesterday` are dates in the zone
    the time is read in. An ambiguous wall time (clocks going back) is the latest of its two
    readings that is not after `now`; a wall time the clocks skip is refused. Moments more than
    `MAX_LOOKBACK` before `now` are refused as typos.
    """
    _require_aware(now)
    cleaned = clean_input(text, "time", TIME_EXAMPLES)
    if cleaned.lower() == "now":
        return now.astimezone(UTC)
    if _RELATIVE.match(cleaned):
        return _parse_relative(cleaned, now)
    match = _ABSOLUTE.match(cleaned)
    if match is None or (match["minute"] is None and match["meridiem"] is None):
        if _DATE_ONLY.match(cleaned):
            raise TimeParseError(
                f"“{show(cleaned)}” is a date without a time of day; a phase needs both, for example “{cleaned} 14:05”."
            )
        raise unreadable(cleaned, "time", TIME_EXAMPLES)
    zone = _read_zone(match["zone"], cleaned) if match["zone"] else _typists_zone(tz)
    clock = _read_clock(match, cleaned)
    moment = _place(match, clock, zone, now, cleaned)
    if now - moment > MAX_LOOKBACK:
        raise TimeParseError(
            f"“{show(cleaned)}” is {_utc(moment)}, more than a year ago, which looks like a typo. Check the date."
        )
    return moment


def _typists_zone(tz: ZoneSource) -> ZoneInfo:
    """The zone a time without one is read in; asked for only then (it may need Slack)."""
    return tz if isinstance(tz, ZoneInfo) else tz()


def parse_at_clause(words: str, *, now: datetime, tz: ZoneSource) -> tuple[datetime, str]:
    """Split the text after `at` into (moment, note).

    The moment is the longest run of up to `MAX_TIME_TOKENS` leading words that reads as a time;
    the note is the rest, stripped. A run that is recognisably a time but refused (in the
    future, skipped by the clocks, an ambiguous zone abbreviation) is reported, not shortened.
    """
    return split_prefix(
        words,
        MAX_TIME_TOKENS,
        lambda part: parse_moment(part, now=now, tz=tz),
        "time",
        TIME_EXAMPLES,
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


def _parse_relative(cleaned: str, now: datetime) -> datetime:
    seconds = 0
    for part in _RELATIVE_PARTS.finditer(cleaned[: -len("ago")]):
        amount = 1 if part["amount"].isalpha() else int(part["amount"])
        seconds += amount * _UNIT_SECONDS[part["unit"][0].lower()]
    if seconds > MAX_LOOKBACK.total_seconds():
        raise TimeParseError(
            f"“{show(cleaned)}” is more than a year ago, which looks like a typo. Give a "
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
    raise unreadable(cleaned, "time", TIME_EXAMPLES)


def _read_offset(text: str) -> tzinfo:
    match = _OFFSET.match(text)
    hours = int(match["hours"]) if match else 24
    minutes = int(match["minutes"] or 0) if match else 0
    if hours > 23 or minutes > 59:
        raise TimeParseError(f"“{text}” is not a UTC offset I can use; give hours and minutes like +02:00 or -05:30.")
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
            f"“{show(cleaned)}” is not a time of day: hours go from 0 to 23 (1 to 12 with "
            "am/pm), minutes and seconds from 0 to 59."
        )
    return time(hour, minute, second, micro)


def _place(match: re.Match[str], clock: time, zone: tzinfo, now: datetime, cleaned: str) -> datetime:
    """Put the clock time on its date in `zone` and return the chosen reading in UTC."""
    if match["date"]:
        try:
            day = date.fromisoformat(match["date"])
        except ValueError:
            raise TimeParseError(f"“{match['date']}” is not a date on the calendar; write it as YYYY-MM-DD.") from None
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
        raise TimeParseError(f"“{show(cleaned)}” is too far from today to use.") from None
    real = [r for r in readings if r.astimezone(zone).replace(tzinfo=None) == wall]
    past = [r for r in real if r <= now]
    if past:
        return max(past)
    if real or readings[0] > now:
        raise _FutureError(
            f"“{show(cleaned)}” is {_utc((real or readings)[0])}, which is in the future (it is "
            f"now {_utc(now)}). A phase can be marked now or earlier, not later."
        )
    raise TimeParseError(
        f"{wall:%Y-%m-%d %H:%M} does not exist in {zone}: the clocks skipped it when daylight "
        "saving time began. Give the time in UTC or with an offset, like “14:05 UTC” or "
        "“14:05 +02:00”."
    )


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
