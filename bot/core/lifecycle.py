"""An incident has an end: when its channel may stop being recorded, and start again.

Closing is for a resolved incident (its record is complete once it is resolved: closing an
unresolved one would cut the record short without anyone saying it was over). Reopening takes
the channel's most recently closed incident, and only while no incident is open there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

RESOLVED = "resolved"


class LifecycleError(ValueError):
    """A close or reopen that cannot be done now; the message is for the person who asked."""


@dataclass(frozen=True)
class IncidentState:
    title: str
    status: str
    """"active" or "resolved"."""
    closed_at: datetime | None


def check_may_close(incident: IncidentState) -> None:
    """Refuse to close an incident that is not resolved yet, or is closed already."""
    if incident.closed_at is not None:
        raise LifecycleError(
            f"“{incident.title}” was closed at {incident.closed_at:%Y-%m-%d %H:%M} UTC; this channel is not "
            "being recorded. `/incident reopen` resumes recording it."
        )
    if incident.status != RESOLVED:
        raise LifecycleError(
            f"“{incident.title}” is not resolved yet, so it stays open and every message here is still "
            "recorded. Mark it resolved first (`/incident mark resolved [at TIME]`), then `/incident close`."
        )


def check_may_reopen(*, open_incident: IncidentState | None, last_closed: IncidentState | None) -> None:
    """Refuse to reopen while an incident is open, or when none was closed; what is reopened
    is ``last_closed``, the channel's most recently closed incident."""
    if open_incident is not None:
        raise LifecycleError(
            f"“{open_incident.title}” is open and every message here is being recorded: there is nothing "
            "to reopen. (`/incident reopen ID` reopens action item ID.)"
        )
    if last_closed is None:
        raise LifecycleError("No incident of this channel has been closed, so there is nothing to reopen.")
