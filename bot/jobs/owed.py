"""Work already owed, caught up on: the deferred work, the reserved drafts and the outbox."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient

import bot.slack.app  # noqa: F401  (its listeners register the kinds of deferred work)
from bot.services import drafts, outbox
from bot.slack.after_answer import run_work
from bot.slack.deps import Deps
from bot.slack.draft_blocks import draft_message
from bot.slack.oauth import clients, senders

log = logging.getLogger(__name__)


def finish_deferred_work(deps: Deps, client: WebClient, now: datetime) -> None:
    """Finish work accepted in an answer whose process died before doing it (or that failed
    and waits for a retry); a request's own lazy listener normally does it at once."""
    report = run_work(deps, clients(deps, client), team_id=None)
    if report.done or report.failed or report.retried or report.recovered:
        log.info("deferred work: %s", report)


def build_reserved_drafts(deps: Deps, client: WebClient, now: datetime) -> None:
    """Catch up on postmortem drafts reserved by a process that died before building them."""
    queued = drafts.enqueue_reserved_drafts(deps.sessions, settings=deps.settings, message_for=draft_message)
    if queued:
        log.info("drafts: queued %d reserved draft versions", queued)


def deliver_outbox(deps: Deps, client: WebClient, now: datetime) -> None:
    """Send (or retry) every post the app owes Slack."""
    report = outbox.deliver_due(deps.sessions, senders(deps, client), clock=outbox.running_from(now))
    if report.sent or report.failed or report.retried or report.uncertain or report.lost_claims:
        log.info("outbox: %s", report)
