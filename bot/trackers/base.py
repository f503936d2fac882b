"""The one small interface every tracker client keeps, and how a call to a tracker fails.

A client speaks HTTP (httpx, explicit timeouts, no retries of its own): whether and when a
failed call is tried again is decided by the outbox that owns the work
(bot/services/ticket_sync.py), after looking up whether a create whose answer was lost landed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx

from bot.core.ticket_info import Tracker
from bot.core.tickets import TicketDraft, TicketEvent

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
"""Every tracker call gives up after this; the outbox tries again later."""


@dataclass(frozen=True)
class Account:
    """Where a tracker is and how to sign in: from the settings, or a workspace's own
    (``scribe trackers add``)."""

    tracker: Tracker
    site: str
    """Jira's URL, GitHub's owner/name, Linear's team id."""
    token: str = field(repr=False)
    api_url: str | None = None
    login: str | None = None
    project: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class RemoteTicket:
    """A ticket as the tracker shows it."""

    key: str
    url: str
    remote_id: str | None
    state: str
    """open, done or canceled (bot.core.tickets)."""
    remote_state: str | None = None
    due: date | None = None
    updated_at: datetime | None = None
    etag: str | None = None


@dataclass(frozen=True)
class Linked:
    """A ticket we know of, as stored: what a push or a poll starts from."""

    key: str
    remote_id: str | None = None
    etag: str | None = None


@dataclass(frozen=True)
class Wanted:
    """How the ticket should be after a change here."""

    state: str
    """open or done (an item closed as not done here is not pushed)."""
    due: date | None
    assignee: str | None
    """The tracker's id of the owner, when the owner maps to someone there."""


class TrackerError(Exception):
    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        may_have_landed: bool = False,
        retry_after: timedelta | None = None,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.may_have_landed = may_have_landed
        """The tracker may have carried the call out although no answer said so."""
        self.retry_after = retry_after


class TrackerClient(Protocol):
    tracker: Tracker

    def create(self, draft: TicketDraft) -> RemoteTicket:
        """File a new ticket."""

    def find(self, marker: str, *, since: datetime) -> RemoteTicket | None:
        """The ticket carrying ``marker`` made since ``since``, if any: how a create whose answer
        was lost is found before it is tried again."""

    def get(self, key: str) -> RemoteTicket:
        """One ticket by its key."""

    def user_for_email(self, email: str) -> str | None:
        """The tracker's id of the person with this email, where the token may see it."""

    def push(self, ticket: Linked, wanted: Wanted) -> RemoteTicket:
        """Make the ticket as wanted (closed or reopened, due, assignee); doing it twice is harmless."""

    def poll(self, tickets: Sequence[Linked]) -> list[RemoteTicket]:
        """The tickets that changed, in as few requests as the tracker allows (those unchanged
        since their ETag are left out)."""


def failure(response: httpx.Response, what: str, *, writes: bool) -> TrackerError:
    """A tracker's refusal as a :class:`TrackerError`: 429 and 5xx are tried again (a 5xx to a
    write may have been carried out), the rest are permanent."""
    status = response.status_code
    if status == 429 or (status == 403 and response.headers.get("x-ratelimit-remaining") == "0"):
        return TrackerError(f"{what}: rate limited ({status})", retryable=True, retry_after=retry_after(response))
    if status >= 500:
        return TrackerError(
            f"{what}: tracker error {status}",
            retryable=True,
            may_have_landed=writes,
            retry_after=retry_after(response),
        )
    return TrackerError(f"{what}: refused ({status}) {response.text[:300]}", retryable=False)


def retry_after(response: httpx.Response) -> timedelta | None:
    """``Retry-After`` as seconds or an HTTP date (GitHub's ``x-ratelimit-reset`` as epoch seconds)."""
    value = response.headers.get("retry-after")
    if value:
        if value.strip().isdigit():
            return timedelta(seconds=int(value.strip()))
        try:
            then = parsedate_to_datetime(value)
            return max(then - datetime.now(then.tzinfo), timedelta(0))
        except (TypeError, ValueError):
            return None
    return None


def send(
    client: httpx.Client, method: str, url: str, *, what: str, writes: bool = False, **kwargs: Any
) -> httpx.Response:
    """One HTTP call; any failure raised as :class:`TrackerError`. A connection refused never
    reached the tracker; a timeout or a connection dropped after sending may have, for a write."""
    try:
        response = client.request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout) as error:
        raise TrackerError(f"{what}: cannot reach the tracker: {error!r}", retryable=True) from None
    except httpx.HTTPError as error:
        raise TrackerError(f"{what}: {error!r}", retryable=True, may_have_landed=writes) from None
    if response.status_code >= 400 and response.status_code != 304:
        raise failure(response, what, writes=writes)
    return response


def parse_day(value: Any) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time from a tracker (``…Z``, ``+0000`` or ``+00:00``), aware; None when unreadable."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-2] + ":" + text[-2:]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def events_of(tickets: Sequence[RemoteTicket], tracker: Tracker, *, now: datetime) -> list[TicketEvent]:
    """What a poll found, as events (the state only: dates and people come by webhook or push)."""
    return [TicketEvent(tracker, t.key, t.remote_id, t.updated_at or now, state=t.state, url=t.url) for t in tickets]
