"""Slack ``ts`` strings: exact conversion to aware UTC, without floating point."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TypeGuard

_TS = re.compile(r"^(\d{1,12})(?:\.(\d{1,6}))?$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def is_ts(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and _TS.match(value) is not None


def ts_to_datetime(ts: str) -> datetime:
    """``"1700000000.123456"`` → 2023-11-14 22:13:20.123456 UTC, exactly (split on the dot)."""
    match = _TS.match(ts) if isinstance(ts, str) else None
    if match is None:
        raise ValueError(f"not a Slack ts: {ts!r}")
    seconds, fraction = match.group(1), match.group(2) or ""
    micros = int(fraction.ljust(6, "0")) if fraction else 0
    return _EPOCH + timedelta(seconds=int(seconds), microseconds=micros)


def datetime_to_ts(at: datetime) -> str:
    """The inverse of ts_to_datetime, for messages we synthesise (tests, imports)."""
    delta = at.astimezone(UTC) - _EPOCH
    seconds = delta.days * 86400 + delta.seconds
    return f"{seconds}.{delta.microseconds:06d}"


def ts_sort_key(ts: str) -> tuple[int, int]:
    seconds, _, fraction = ts.partition(".")
    return int(seconds), int(fraction.ljust(6, "0")) if fraction else 0
