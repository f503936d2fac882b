"""Incident phases, their aliases and the order they must keep."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.core.record import PHASES

PHASE_ALIASES: dict[str, str] = {
    "detected": "detected",
    "detect": "detected",
    "detection": "detected",
    "acknowledged": "acknowledged",
    "acknowledge": "acknowledged",
    "ack": "acknowledged",
    "acked": "acknowledged",
    "mitigated": "mitigated",
    "mitigate": "mitigated",
    "mitigation": "mitigated",
    "resolved": "resolved",
    "resolve": "resolved",
    "resolution": "resolved",
}

PHASE_LABELS: dict[str, str] = {
    "detected": "Detected",
    "acknowledged": "Acknowledged",
    "mitigated": "Mitigated",
    "resolved": "Resolved",
}


class PhaseError(ValueError):
    """A marker that cannot be accepted; the message is for the person who typed it."""


def normalize_phase(word: str) -> str:
    phase = PHASE_ALIASES.get(word.strip().lower())
    if phase is None:
        raise PhaseError(
            f"“{word[:40]}” is not a phase. Use one of: detected, acknowledged, mitigated, resolved "
            "(or ack, mitigate, resolve)."
        )
    return phase


def order_conflicts(current: Mapping[str, datetime | None], phase: str, at: datetime) -> list[tuple[str, datetime]]:
    """The phases whose times the new marker would put out of order.

    The order is detected <= acknowledged <= mitigated <= resolved; equal times are allowed.
    """
    index = PHASES.index(phase)
    conflicts: list[tuple[str, datetime]] = []
    for other_index, other in enumerate(PHASES):
        other_at = current.get(other)
        if other == phase or other_at is None:
            continue
        if (other_index < index and other_at > at) or (other_index > index and other_at < at):
            conflicts.append((other, other_at))
    return conflicts


def check_order(current: Mapping[str, datetime | None], phase: str, at: datetime) -> None:
    """Raise PhaseError, showing the conflicting times, if ``phase`` at ``at`` breaks the order."""
    conflicts = order_conflicts(current, phase, at)
    if not conflicts:
        return
    shown = "; ".join(f"{PHASE_LABELS[other]} is {other_at:%Y-%m-%d %H:%M} UTC" for other, other_at in conflicts)
    raise PhaseError(
        f"{PHASE_LABELS[phase]} at {at:%Y-%m-%d %H:%M} UTC would break the phase order "
        f"(detected ≤ acknowledged ≤ mitigated ≤ resolved): {shown}. "
        "Correct the other marker first, or give a different time."
    )
