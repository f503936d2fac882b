"""The clock: work that is due at a moment, run once by `scribe jobs run` or by the scheduler.

Each job looks at the database to decide what is due at ``now``, so a restart or a missed run
only catches up. This module is the list of jobs: the modules that hold them know nothing of it.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient

from bot.jobs.clock import Job, run_on_clock, run_once
from bot.jobs.followup import send_nudges, send_weekly_review
from bot.jobs.identity import learn_workspace_identity
from bot.jobs.owed import build_reserved_drafts, deliver_outbox, finish_deferred_work
from bot.jobs.reminders import send_update_reminders
from bot.jobs.retention import purge_old_message_text
from bot.jobs.spool import replay_spool
from bot.jobs.tickets import deliver_owed_tickets, poll_linked_tickets
from bot.slack.deps import Deps

JOBS: tuple[Job, ...] = (
    Job("identity", learn_workspace_identity, every_seconds=60),
    Job("deferred", finish_deferred_work, every_seconds=15),
    Job("drafts", build_reserved_drafts, every_seconds=60),
    Job("tickets", deliver_owed_tickets, every_seconds=15),
    Job("ticket-poll", poll_linked_tickets, every_seconds=300),
    Job("outbox", deliver_outbox, every_seconds=15),
    Job("nudges", send_nudges, every_seconds=300),
    Job("update-reminders", send_update_reminders, every_seconds=60),
    Job("weekly-review", send_weekly_review, every_seconds=900),
    Job("retention", purge_old_message_text, every_seconds=3600),
    Job("spool", replay_spool, every_seconds=60),
)
"""Every job, in the order one pass runs them (the workspace identity first, deferred work and
the outbox before the jobs that queue more posts)."""


def run_due(deps: Deps, client: WebClient, now: datetime) -> list[str]:
    """Run every job once for ``now``; a failing job is logged and does not stop the others."""
    return run_once(JOBS, deps, client, now)


def run_scheduler(deps: Deps, client: WebClient) -> None:
    """Run every job on its interval until the process is stopped."""
    run_on_clock(JOBS, deps, client)
