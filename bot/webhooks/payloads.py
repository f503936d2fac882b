"""What every sender's payload translation shares: refusing a body that is not the sender's,
reading its times exactly, and reading its fields as strings."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.web_address import web_address


class NotThisSendersPayload(ValueError):
    """Valid JSON, but not the shape this sender documents: answered 400, nothing stored."""


_RFC3339 = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d+))?"
    r"(?P<zone>[Zz]|[+-]\d{2}:\d{2})$"
)

GO_ZERO_TIME = "0001-01-01T00:00:00Z"
"""Go's zero ``time.Time``: Alertmanager and Grafana send it as ``endsAt`` of an alert still firing."""


def rfc3339(value: object, *, name: str) -> datetime:
    """An RFC 3339 time as Go writes it (up to nanoseconds, ``Z`` or an offset), as aware UTC.
    Digits past microseconds are dropped, not rounded: a datetime holds no more, and rounding
    could move an instant into the next second."""
    if not isinstance(value, str):
        raise NotThisSendersPayload(f"{name} is not a time")
    match = _RFC3339.match(value.strip())
    if not match:
        raise NotThisSendersPayload(f"{name} is not an RFC 3339 time: {value[:40]!r}")
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    zone = match["zone"].upper().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(f"{match['date']}T{match['time']}.{fraction}{zone}")
    except ValueError:
        raise NotThisSendersPayload(f"{name} is not a valid time: {value[:40]!r}") from None
    return parsed.astimezone(UTC)


def is_go_zero_time(value: object) -> bool:
    return isinstance(value, str) and value.strip().startswith("0001-01-01T00:00:00")


def epoch(value: object, *, per_second: int, name: str) -> datetime:
    """An integer count of milliseconds (``per_second=1000``) or nanoseconds (``10**9``) since
    the epoch, as aware UTC, in integer arithmetic: a nanosecond count is beyond a float's exact
    range (2**53), and ``json`` reads a JSON integer as a Python ``int``, exactly."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise NotThisSendersPayload(f"{name} is not a whole number")
    if isinstance(value, str):
        if not value.strip().isdigit():
            raise NotThisSendersPayload(f"{name} is not a whole number")
        value = int(value.strip())
    seconds, rest = divmod(value, per_second)
    try:
        return datetime.fromtimestamp(seconds, tz=UTC) + timedelta(microseconds=rest * 1_000_000 // per_second)
    except (OverflowError, OSError, ValueError):
        raise NotThisSendersPayload(f"{name} is out of range") from None


def obj(value: object, *, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise NotThisSendersPayload(f"{name} is not an object")
    return value


def text(value: object) -> str | None:
    """A string field, or ``None`` when absent or empty; numbers are written as they were sent."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | str):
        shown = str(value).strip()
        return shown or None
    return None


def web_link(value: object) -> str | None:
    """A link back to the sender, kept only when it is a plain absolute http(s) address
    (:func:`bot.core.web_address.web_address`): it becomes an ``href`` on the pages and a link in
    Slack, where ``javascript:``, another scheme, or a ``|`` or ``>`` that would end Slack's link
    has no business (the sender is authenticated, but whoever configured its rules is not)."""
    return web_address(text(value))


def required(mapping: Mapping[str, Any], key: str, *, name: str) -> str:
    value = text(mapping.get(key))
    if value is None:
        raise NotThisSendersPayload(f"{name}.{key} is missing")
    return value


def string_map(value: object) -> dict[str, str]:
    """A map of labels or annotations, kept only where both sides are strings."""
    if not isinstance(value, Mapping):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def refusal_reason(error: BaseException) -> str:
    """Why a body was refused (400), in words for the sender's delivery log."""
    if isinstance(error, json.JSONDecodeError):
        return f"malformed JSON: {error.msg} at line {error.lineno} column {error.colno}"
    if isinstance(error, UnicodeDecodeError):
        return "the body is not UTF-8"
    if isinstance(error, RecursionError):
        return "malformed JSON: nested too deeply"
    return str(error)[:300]
