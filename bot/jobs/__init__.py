"""The clock: work that is due at a moment, run once by `scribe jobs run` or by the scheduler.

Each job looks at the database to decide what is due at ``now``, so a restart or a missed run
only catches up. Jobs register themselves with :func:`job`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient

import bot.slack.app
from bot.services import drafts, outbox
from bot.slack.after_answer import run_work
from bot.slack.deps import Deps
from bot.slack.draft_blocks import draft_message
from bot.slack.oauth import clients, senders

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Deps, WebClient, datetime], None]
    every_seconds: int = 60


JOBS: list[Job] = []


def job(
    name: str, *, every_seconds: int = 60
) -> Callable[[Callable[[Deps, WebClient, datetime], None]], Callable[[Deps, WebClient, datetime], None]]:
    def register(function: Callable[[Deps, WebClient, datetime], None]) -> Callable[[Deps, WebClient, datetime], None]:
        JOBS.append(Job(name, function, every_seconds))
        return function

    return register


@job("deferred", every_seconds=15)
def finish_deferred_work(deps: Deps, client: WebClient, now: datetime) -> None:
    """Finish work accepted in an answer whose process died before doing it (or that failed
    and waits for a retry); a request's own lazy listener normally does it at once."""
    report = run_work(deps, clients(deps, client), team_id=None)
    if report.done or report.failed or report.retried or report.recovered:
        log.info("deferred work: %s", report)


@job("drafts", every_seconds=60)
def build_reserved_drafts(deps: Deps, client: WebClient, now: datetime) -> None:
    """Catch up on postmortem drafts reserved by a process that died before building them."""
    queued = drafts.enqueue_reserved_drafts(deps.sessions, settings=deps.settings, message_for=draft_message)
    if queued:
        log.info("drafts: queued %d reserved draft versions", queued)


@job("outbox", every_seconds=15)
def deliver_outbox(deps: Deps, client: WebClient, now: datetime) -> None:
    """Send (or retry) every post the app owes Slack."""
    report = outbox.deliver_due(deps.sessions, senders(deps, client), clock=outbox.running_from(now))
    if report.sent or report.failed or report.retried or report.uncertain or report.lost_claims:
        log.info("outbox: %s", report)


def run_due(deps: Deps, client: WebClient, now: datetime) -> list[str]:
    """Run every job once for ``now``; a failing job is logged and does not stop the others."""
    ran = []
    for registered in JOBS:
        try:
            registered.run(deps, client, now)
            ran.append(registered.name)
        except Exception:
            log.exception("job %s failed", registered.name)
    return ran


def run_scheduler(deps: Deps, client: WebClient) -> None:
    """Long-running clock: APScheduler in UTC, coalesced, one instance of each job at a time."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(
        timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
    )
    for registered in JOBS:
        scheduler.add_job(
            lambda r=registered: r.run(deps, client, deps.clock()),
            "interval",
            seconds=registered.every_seconds,
            id=registered.name,
            next_run_time=deps.clock(),
        )
    log.info("scheduler started with %d jobs", len(JOBS))
    scheduler.start()


import bot.jobs.followup  # noqa: E402  (registers the follow-up jobs)
import bot.jobs.retention  # noqa: E402  (registers the retention job)
import bot.jobs.spool  # noqa: E402,F401  (registers the spool replay)
