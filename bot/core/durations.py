"""Phase durations measured from detection, and the human formats they are shown in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.core.record import PhaseTimes

MEASURED_PHASES: tuple[str, ...] = ("acknowledged", "mitigated", "resolved")


@dataclass(frozen=True)
class PhaseDurations:
    """Time from detection to each later phase; None where either end is not marked,
    or where the phase is marked before detection (see `inverted`)."""

    acknowledged: timedelta | None = None
    mitigated: timedelta | None = None
    resolved: timedelta | None = None
    inverted: tuple[str, ...] = ()
    """Phases marked before detection: their duration is unknown, not negative."""

    def get(self, phase: str) -> timedelta | None:
        duration: timedelta | None = getattr(self, phase)
        return duration

    def as_seconds(self) -> dict[str, int | None]:
        return {
            phase: None if (value := self.get(phase)) is None else int(value.total_seconds())
            for phase in MEASURED_PHASES
        }


def measure_phases(phases: PhaseTimes) -> PhaseDurations:
    detected = phases.detected
    if detected is None:
        return PhaseDurations()
    values: dict[str, timedelta | None] = {}
    inverted: list[str] = []
    for phase in MEASURED_PHASES:
        at = phases.get(phase)
        if at is None:
            values[phase] = None
        elif at < detected:
            values[phase] = None
            inverted.append(phase)
        else:
            values[phase] = at - detected
    return PhaseDurations(**values, inverted=tuple(inverted))


def format_duration(value: timedelta) -> str:
    """ "45s", "4m", "1h 15m", "2d 3h": the two largest units, rounded down."""
    seconds = max(0, int(value.total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m"
    return f"{seconds}s"


def format_instant(at: datetime, *, with_date: bool) -> str:
    """UTC "HH:MM", or "YYYY-MM-DD HH:MM" when the date matters."""
    if at.tzinfo is not UTC:
        at = at.astimezone(UTC)
    if with_date:
        return f"{at.year:04d}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}"
    return f"{at.hour:02d}:{at.minute:02d}"


def spans_days(instants: list[datetime]) -> bool:
    """True when the instants do not all fall on one UTC date."""
    if not instants:
        return False
    return min(instants).astimezone(UTC).date() != max(instants).astimezone(UTC).date()
