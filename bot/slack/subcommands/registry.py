"""The ``/incident`` subcommands: each feature module registers its own words here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.services import deferred, repeats
from bot.services.deferred import Work
from bot.services.people import UTC_ZONE, known_zone, user_zone
from bot.slack.client import name_and_zone
from bot.slack.deps import Deps


class NeedsSlack(Exception):
    """The command cannot be answered from what we know: it needs the Web API (the typist's
    zone, say), which is never called before the answer. It is deferred instead."""


@dataclass
class CommandCall:
    """One ``/incident`` invocation, translated out of the Slack payload.

    On the answer path (``work`` is None) nothing here calls the Web API: a zone not yet cached
    raises :class:`NeedsSlack`. Run again as deferred work after the answer, the same call may
    ask Slack, and its first write completes that work in the same transaction.
    """

    deps: Deps
    client: WebClient
    team_id: str
    channel_id: str
    user_id: str
    args: str
    now: datetime
    trigger_id: str | None = None
    response_url: str | None = None
    text: str = ""
    """The whole command text, as typed (what a repeat is recognised by)."""
    work: Work | None = None
    """Set when the call runs as deferred work, after the answer."""
    _zone: ZoneInfo | None = field(default=None, repr=False)
    _claimed: bool = field(default=False, repr=False)

    @property
    def after_answer(self) -> bool:
        return self.work is not None

    def zone(self) -> ZoneInfo:
        """The caller's Slack timezone: from the cache, or (after the answer only) users.info."""
        if self._zone is None:
            zone = known_zone(self.deps.sessions, team_id=self.team_id, user_id=self.user_id)
            if zone is None:
                if not self.after_answer:
                    raise NeedsSlack("the typist's timezone")
                zone = user_zone(
                    self.deps.sessions, team_id=self.team_id, user_id=self.user_id, now=self.now, fetch=self.fetch_user
                )
            self._zone = zone
        return self._zone

    def display_zone(self) -> ZoneInfo:
        """The zone to show times in: the caller's when known, else UTC alone (never waits on Slack)."""
        if self._zone is not None:
            return self._zone
        return known_zone(self.deps.sessions, team_id=self.team_id, user_id=self.user_id) or UTC_ZONE

    def fetch_user(self, user_id: str) -> tuple[str | None, str | None]:
        return name_and_zone(self.client, user_id)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """The transaction of the command's effect. Its first use claims the command: on the
        answer path a repeat of it moments ago raises :class:`repeats.Repeated` (nothing is
        written); as deferred work it completes that work, so the effect happens once."""
        with self.deps.sessions.begin() as session:
            if not self._claimed:
                if self.work is not None:
                    if not deferred.complete(session, self.work, now=self.deps.clock()):
                        raise repeats.Repeated("This command was already carried out; nothing was done again.")
                else:
                    repeats.claim_command(
                        session,
                        team_id=self.team_id,
                        channel_id=self.channel_id,
                        user_id=self.user_id,
                        text=self.text,
                        now=self.now,
                    )
                self._claimed = True
            yield session


@dataclass(frozen=True)
class Reply:
    text: str
    blocks: list[dict[str, Any]] | None = None
    public: bool = False
    """Posted in the channel for everyone (True) or only to the person who typed it."""


Handler = Callable[[CommandCall], Reply]

SUBCOMMANDS: dict[str, Handler] = {}


def subcommand(*names: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in names:
            if name in SUBCOMMANDS:
                raise ValueError(f"/incident {name} is registered twice")
            SUBCOMMANDS[name] = handler
        return handler

    return register
