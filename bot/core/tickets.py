"""Tickets in a tracker (Jira, GitHub Issues, Linear) linked to action items: the values and the
rules, with no I/O.

- A ticket reference typed by a person (``/incident action link ID URL_OR_KEY``) is read here.
- A change heard from a tracker is a :class:`TicketEvent`; :func:`changes_for` decides what it
  does to the item, by the tracker's own event time (an event no newer than the last one applied
  changes nothing: a redelivery, or a late delivery after a newer change).
- Ticket states: ``pending`` (not created yet), ``open``, ``done``, ``canceled`` (won't do, not
  planned: closed as not done), ``failed`` (filing gave up).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from bot.core.grammar import CommandError
from bot.core.ticket_info import (
    ITEM_STATUS_OF,
    Tracker,
)


@dataclass(frozen=True)
class TicketRef:
    tracker: Tracker
    key: str
    """The Jira key, the GitHub issue number or the Linear identifier."""
    url: str


@dataclass(frozen=True)
class TrackerPlaces:
    """Where the configured trackers are, to read and build ticket addresses."""

    jira_url: str | None = None
    github_repo: str | None = None
    github_web_url: str = "https://github.com"
    linear: bool = False
    preferred: Tracker | None = None

    def configured(self) -> tuple[Tracker, ...]:
        found = []
        if self.jira_url:
            found.append(Tracker.JIRA)
        if self.github_repo:
            found.append(Tracker.GITHUB)
        if self.linear:
            found.append(Tracker.LINEAR)
        return tuple(found)


LINK_USAGE = (
    "`/incident action link ID URL_OR_KEY`, for example `/incident action link 12 OPS-42`, "
    "`/incident action link 12 https://github.com/acme/api/issues/7` or `/incident action link 12 #7`"
)
_KEY = re.compile(r"[A-Z][A-Z0-9_]{0,30}-[1-9][0-9]{0,11}")
_NUMBER = re.compile(r"#?([1-9][0-9]{0,11})")
_SLACK_LINK = re.compile(r"<([^<>|]*)(?:\|[^<>]*)?>")


def jira_browse_url(jira_url: str, key: str) -> str:
    return f"{jira_url.rstrip('/')}/browse/{key}"


def github_issue_url(web_url: str, repo: str, number: str) -> str:
    return f"{web_url.rstrip('/')}/{repo}/issues/{number}"


def linear_issue_url(identifier: str) -> str:
    return f"https://linear.app/issue/{identifier}"


def parse_ticket_ref(text: str, places: TrackerPlaces) -> TicketRef:
    """A ticket typed by a person: a Jira key or browse URL, a GitHub issue URL (bare or as
    Slack sends it, ``<https://…>``) or ``#N``, a Linear issue URL or identifier. Raises
    :class:`CommandError` with what to type instead."""
    word = text.strip()
    slack = _SLACK_LINK.fullmatch(word)
    if slack:
        word = slack.group(1).strip()
    configured = places.configured()
    if not configured:
        raise CommandError(
            "No tracker is set up here (JIRA_URL, GITHUB_REPO or LINEAR_API_KEY, or `scribe trackers add`)."
        )
    if not word or " " in word:
        raise CommandError(f"Give one ticket: {LINK_USAGE}.")
    if word.lower().startswith(("http://", "https://")):
        return _from_url(word, places)
    number = _NUMBER.fullmatch(word)
    if number and word.startswith("#"):
        if not places.github_repo:
            raise CommandError("`#N` names a GitHub issue, and GitHub is not set up here (GITHUB_REPO).")
        return TicketRef(
            Tracker.GITHUB,
            number.group(1),
            github_issue_url(places.github_web_url, places.github_repo, number.group(1)),
        )
    if _KEY.fullmatch(word.upper()):
        key = word.upper()
        keyed = [t for t in configured if t in (Tracker.JIRA, Tracker.LINEAR)]
        if not keyed:
            raise CommandError(f"{key} looks like a Jira key or a Linear identifier, and neither is set up here.")
        tracker = places.preferred if places.preferred in keyed else keyed[0]
        if tracker is Tracker.JIRA:
            assert places.jira_url is not None
            return TicketRef(Tracker.JIRA, key, jira_browse_url(places.jira_url, key))
        return TicketRef(Tracker.LINEAR, key, linear_issue_url(key))
    raise CommandError(f"That is not a ticket I can read: {LINK_USAGE}.")


def _from_url(url: str, places: TrackerPlaces) -> TicketRef:
    if any(ord(c) < 32 or c in '|<>"' for c in url):
        raise CommandError(f"That address holds characters a link cannot: {LINK_USAGE}.")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = [p for p in parts.path.split("/") if p]
    if places.jira_url and host == (urlsplit(places.jira_url).hostname or "").lower():
        if len(path) >= 2 and path[-2] == "browse" and _KEY.fullmatch(path[-1].upper()):
            key = path[-1].upper()
            return TicketRef(Tracker.JIRA, key, jira_browse_url(places.jira_url, key))
        selected = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p).get("selectedIssue", "")
        if _KEY.fullmatch(selected.upper()):
            return TicketRef(Tracker.JIRA, selected.upper(), jira_browse_url(places.jira_url, selected.upper()))
        raise CommandError(f"That Jira address names no issue; give its key or its /browse/KEY address: {LINK_USAGE}.")
    if host == (urlsplit(places.github_web_url).hostname or "").lower() and places.github_repo:
        if len(path) == 4 and path[2] == "issues" and _NUMBER.fullmatch(path[3]) and not path[3].startswith("#"):
            repo = f"{path[0]}/{path[1]}"
            if repo.lower() != places.github_repo.lower():
                raise CommandError(f"Only issues of {places.github_repo} can be linked here, not of {repo}.")
            return TicketRef(
                Tracker.GITHUB, path[3], github_issue_url(places.github_web_url, places.github_repo, path[3])
            )
        raise CommandError(f"That GitHub address is not an issue (…/OWNER/REPO/issues/N): {LINK_USAGE}.")
    if host == "linear.app" and places.linear:
        if "issue" in path:
            at = path.index("issue")
            if at + 1 < len(path) and _KEY.fullmatch(path[at + 1].upper()):
                key = path[at + 1].upper()
                return TicketRef(Tracker.LINEAR, key, linear_issue_url(key))
        raise CommandError(f"That Linear address is not an issue (…/issue/ENG-123/…): {LINK_USAGE}.")
    raise CommandError(f"That address is not an issue of a tracker set up here: {LINK_USAGE}.")


def item_marker(team_id: str, item_id: int) -> str:
    """The label (no spaces) that names an item in its ticket: how a create whose answer was lost
    is found again before any retry."""
    return f"scribe-item-{team_id.lower()}-{item_id}"


def label_word(text: str) -> str:
    """A label as Jira takes it: no spaces."""
    return re.sub(r"\s+", "-", text.strip())[:100] or "-"


@dataclass(frozen=True)
class TicketDraft:
    """What a new ticket says."""

    marker: str
    title: str
    text: str
    due: date | None
    owner_name: str | None
    """Named in the description when the owner maps to nobody in the tracker."""
    assignee: str | None
    """The tracker's id of the owner (Jira accountId, GitHub login, Linear user id), when mapped."""
    channel_url: str | None
    page_url: str | None
    labels: tuple[str, ...]


def ticket_title(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= 200 else one_line[:199] + "…"


def description_lines(draft: TicketDraft) -> list[str]:
    lines = [draft.text, ""]
    if draft.due is not None:
        lines.append(f"Due: {draft.due.isoformat()}")
    if draft.owner_name and not draft.assignee:
        lines.append(f"Owner: {draft.owner_name}")
    if draft.channel_url:
        lines.append(f"Incident channel: {draft.channel_url}")
    if draft.page_url:
        lines.append(f"Incident page: {draft.page_url}")
    lines.append(f"Filed by Incident Scribe ({draft.marker}).")
    return lines


UNCHANGED = object()


@dataclass(frozen=True)
class TicketEvent:
    """A change heard from a tracker (a webhook or a poll), in plain values."""

    tracker: Tracker
    key: str | None
    remote_id: str | None
    at: datetime
    """The tracker's own time of the change: conflicts are decided by it."""
    state: str | None = None
    """open, done or canceled; None when the event does not say."""
    due: date | object | None = UNCHANGED
    assignee_email: str | object | None = UNCHANGED
    url: str | None = None


@dataclass(frozen=True)
class ItemChanges:
    status: str | None = None
    due: date | object | None = UNCHANGED
    assignee_email: str | object | None = UNCHANGED

    def any(self) -> bool:
        return self.status is not None or self.due is not UNCHANGED or self.assignee_email is not UNCHANGED


def changes_for(
    event: TicketEvent, *, status: str, due: date | None, last_event_at: datetime | None
) -> ItemChanges | None:
    """What an event does to the item (``status``, ``due`` as they are here). None when the
    event is no newer than the last applied one; no change when it says what is already so
    (our own change coming back: no echo)."""
    if last_event_at is not None and event.at <= last_event_at:
        return None
    new_status = ITEM_STATUS_OF.get(event.state or "")
    return ItemChanges(
        status=new_status if new_status is not None and new_status != status else None,
        due=event.due if event.due is not UNCHANGED and event.due is not None and event.due != due else UNCHANGED,
        assignee_email=event.assignee_email,
    )
