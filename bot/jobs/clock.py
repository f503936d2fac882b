"""Running jobs: once for a given moment (``scribe jobs run``), or for ever on a clock
(``scribe scheduler``). Which jobs there are is listed in ``bot.jobs``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient

from bot.slack.deps import Deps

log = logging.getLogger(__name__)

JobFunction = Callable[[Deps, WebClient, datetime], None]


@dataclass(frozen=True)
class Job:
    name: str
    run: JobFunction
    every_seconds: int = 60


def run_once(jobs: Sequence[Job], deps: Deps, client: WebClient, now: datetime) -> list[str]:
    """Run every job once for ``now``; a failing job is logged and does not stop the others."""
    ran = []
    for registered in jobs:
        try:
            registered.run(deps, client, now)
            ran.append(registered.name)
        except Exception:
            log.exception("job %s failed", registered.name)
    return ran


def run_on_clock(jobs: Sequence[Job], deps: Deps, client: WebClient) -> None:
    """Long-running clock: APScheduler in UTC, coalesced, one instance of each job at a time."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(
        timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
    )
    for registered in jobs:
        scheduler.add_job(
            lambda r=registered: r.run(deps, client, deps.clock()),
            "interval",
            seconds=registered.every_seconds,
            id=registered.name,
            next_run_time=deps.clock(),
        )
    log.info("scheduler started with %d jobs", len(jobs))
    scheduler.start()
