"""The Slack side of tickets: who an item's owner is (users.info, after the answer only), and
the tracker work a request owes, done right after its answer."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services.ticket_sync import Person, PersonOf, UserByEmail, deliver_tickets
from bot.slack.deps import Deps

log = logging.getLogger(__name__)


def person_of(client_for: Callable[[str], WebClient]) -> PersonOf:
    """users.info of an owner: the name and the profile email (``users:read.email``) that map
    them to a person in the tracker. Cannot tell → nobody is assigned, the name is written."""
    seen: dict[tuple[str, str], Person] = {}

    def find(team_id: str, user_id: str) -> Person:
        if (team_id, user_id) not in seen:
            try:
                user = client_for(team_id).users_info(user=user_id)["user"]
                profile = user.get("profile") or {}
                seen[team_id, user_id] = Person(
                    profile.get("real_name") or user.get("real_name") or user.get("name"), profile.get("email")
                )
            except SlackApiError as error:
                log.warning("could not read %s's profile for their ticket: %s", user_id, error.response.get("error"))
                return Person(None, None)
        return seen[team_id, user_id]

    return find


def user_by_email(client_for: Callable[[str], WebClient]) -> UserByEmail:
    """users.lookupByEmail: the Slack user a tracker's assignee is; None when nobody is."""

    def find(team_id: str, email: str) -> str | None:
        try:
            user = client_for(team_id).users_lookupByEmail(email=email)["user"]
        except SlackApiError as error:
            log.info("no Slack user for a tracker's assignee: %s", error.response.get("error"))
            return None
        return str(user["id"]) if user.get("id") else None

    return find


def deliver_owed_tickets(deps: Deps, client: WebClient, team_id: str) -> None:
    """Right after an answer: file, close, reopen or update what it owed this workspace's
    tracker; the clock retries what fails."""
    report = deliver_tickets(
        deps.sessions,
        settings=deps.settings,
        person_of=person_of(lambda _team: client),
        user_by_email=user_by_email(lambda _team: client),
        clock=deps.clock,
        team_id=team_id,
    )
    if report.sent or report.failed or report.retried or report.uncertain or report.recovered:
        log.info("tickets: %s", report)
