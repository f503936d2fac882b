"""The ``/incident`` subcommands: each feature module registers its own words here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.services.people import user_zone
from bot.slack.client import name_and_zone
from bot.slack.deps import Deps


@dataclass
class CommandCall:
    """One ``/incident`` invocation, translated out of the Slack payload."""

    deps: Deps
    client: WebClient
    team_id: str
    channel_id: str
    user_id: str
    args: str
    now: datetime
    trigger_id: str | None = None
    response_url: str | None = None
    _zone: ZoneInfo | None = field(default=None, repr=False)

    def zone(self) -> ZoneInfo:
        """The caller's Slack timezone (users.info, cached)."""
        if self._zone is None:
            self._zone = user_zone(
                self.deps.sessions, team_id=self.team_id, user_id=self.user_id, now=self.now, fetch=self.fetch_user
            )
        return self._zone

    def fetch_user(self, user_id: str) -> tuple[str | None, str | None]:
        return name_and_zone(self.client, user_id)


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
