"""The clock's part in tickets: retry the tracker work owed (a request's own after-answer work
normally does it at once), and poll the trackers that send no webhook."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient

from bot.services import outbox
from bot.services.ticket_sync import deliver_tickets, poll_tickets
from bot.slack.action_blocks import ticket_line_post
from bot.slack.deps import Deps
from bot.slack.oauth import clients
from bot.slack.tickets import person_of, user_by_email

log = logging.getLogger(__name__)


def deliver_owed_tickets(deps: Deps, client: WebClient, now: datetime) -> None:
    report = deliver_tickets(
        deps.sessions,
        settings=deps.settings,
        person_of=person_of(clients(deps, client)),
        user_by_email=user_by_email(clients(deps, client)),
        clock=outbox.running_from(now),
    )
    if report.sent or report.failed or report.retried or report.uncertain or report.recovered:
        log.info("tickets: %s", report)


def poll_linked_tickets(deps: Deps, client: WebClient, now: datetime) -> None:
    report = poll_tickets(deps.sessions, settings=deps.settings, now=now, render=ticket_line_post)
    if report.changed:
        log.info("ticket poll: %s", report)
