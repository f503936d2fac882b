"""An item's ticket as plain values: the trackers, the states, and what the lists and drafts show.
Imports nothing of the project, so the record and the draft can hold a ticket."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Tracker(StrEnum):
    JIRA = "jira"
    GITHUB = "github"
    LINEAR = "linear"


TRACKER_NAMES = {Tracker.JIRA: "Jira", Tracker.GITHUB: "GitHub", Tracker.LINEAR: "Linear"}

PENDING = "pending"
OPEN = "open"
DONE = "done"
CANCELED = "canceled"
FAILED = "failed"
ITEM_STATUS_OF = {OPEN: "open", DONE: "done", CANCELED: "canceled"}
"""The item status a ticket state means."""


@dataclass(frozen=True)
class TicketInfo:
    """An item's ticket as the drafts and the lists show it (every field is the tracker's data)."""

    tracker: str
    key: str | None
    """None while the ticket is pending."""
    url: str | None
    state: str

    def as_json(self) -> dict[str, str | None]:
        return {"tracker": self.tracker, "key": self.key, "url": self.url, "state": self.state}

    def label(self) -> str:
        """``Jira OPS-12``, or ``ticket pending`` until it exists."""
        if self.key is None:
            return "ticket failed" if self.state == FAILED else "ticket pending"
        name = TRACKER_NAMES.get(Tracker(self.tracker), self.tracker) if self.tracker in set(Tracker) else self.tracker
        return f"{name} {'#' + self.key if self.tracker == Tracker.GITHUB else self.key}"
