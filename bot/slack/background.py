"""The pool Bolt runs its lazy listeners on (its ``listener_executor``): the work that follows an
answer (bot/slack/after_answer.py) runs here, so ``wait_for_background`` lets tests and
shutdown wait for everything in flight. Work runs in a copy of the
submitter's context, so its log lines name the Slack request it came from (bot.logs).
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

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
