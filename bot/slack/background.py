"""Work that runs after Slack has its answer: the ack path stays well under 3 s.

This is what a Bolt lazy listener does on a long-running server (a thread pool), made available
to subcommands, which answer through the shared ``/incident`` dispatcher. The Bolt app runs its
own lazy listeners on the same pool (``executor``), so ``wait_for_background`` lets tests and
shutdown wait for everything in flight. Failures are logged. Work runs in a copy of the
submitter's context, so its log lines name the Slack request it came from (bot.logs).
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

log = logging.getLogger(__name__)

_in_flight: set[Future[Any]] = set()
_lock = threading.Lock()


class _TrackedExecutor(ThreadPoolExecutor):
    """A thread pool that remembers what is still running, for wait_for_background, and runs
    each task in the context it was submitted from."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(contextvars.copy_context().run, fn, *args, **kwargs)
        with _lock:
            _in_flight.add(future)
        future.add_done_callback(_forget)
        return future


executor = _TrackedExecutor(max_workers=8, thread_name_prefix="scribe-after-ack")


def after_ack(work: Callable[[], None], *, what: str) -> Future[None]:
    """Run ``work`` on the background pool; an exception is logged with ``what`` and kept on the future."""

    def run() -> None:
        try:
            work()
        except Exception:
            log.exception("%s failed", what)
            raise

    return executor.submit(run)


def _forget(future: Future[Any]) -> None:
    with _lock:
        _in_flight.discard(future)


def wait_for_background(timeout: float = 60.0) -> None:
    """Wait until the work submitted so far is done; raise the first failure, if any."""
    with _lock:
        pending = set(_in_flight)
    done, not_done = wait(pending, timeout=timeout)
    if not_done:
        raise TimeoutError(f"{len(not_done)} background task(s) still running after {timeout:.0f} s")
    for future in done:
        error = future.exception()
        if error is not None:
            raise error
