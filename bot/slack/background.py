"""Work that runs after Slack has its answer: the ack path stays well under 3 s.

This is what a Bolt lazy listener does on a long-running server (a thread pool), made available
to subcommands, which answer through the shared ``/incident`` dispatcher. Failures are logged;
``wait_for_background`` lets tests and shutdown wait for what is in flight.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

log = logging.getLogger(__name__)

_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="scribe-after-ack")
_in_flight: set[Future[None]] = set()
_lock = threading.Lock()


def after_ack(work: Callable[[], None], *, what: str) -> Future[None]:
    """Run ``work`` on the background pool; an exception is logged with ``what`` and kept on the future."""

    def run() -> None:
        try:
            work()
        except Exception:
            log.exception("%s failed", what)
            raise

    future = _executor.submit(run)
    with _lock:
        _in_flight.add(future)
    future.add_done_callback(_forget)
    return future


def _forget(future: Future[None]) -> None:
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
