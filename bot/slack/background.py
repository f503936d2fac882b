"""The pool Bolt runs its lazy listeners on (its ``listener_executor``): the work that follows an
answer (bot/slack/after_answer.py) runs here, so ``wait_for_background`` lets tests and
shutdown wait for everything in flight. Work runs in a copy of the
submitter's context, so its log lines name the Slack request it came from (bot.logs).

Bolt starts a request's lazy listeners before it hands its answer back (with
``process_before_response``), so they would run while the answer is still on its way, in the
same process. :func:`after_the_answer` holds what a request submits until its answer has been
written, so a draft being built never delays the answer that asked for it.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

_in_flight: set[Future[Any]] = set()
_lock = threading.Lock()

Start = Callable[[], None]
_held: contextvars.ContextVar[list[Start] | None] = contextvars.ContextVar("scribe_held_work", default=None)
"""While a request is answered: the work it submitted, started once the answer is written."""


class _TrackedExecutor(ThreadPoolExecutor):
    """A thread pool that remembers what is still running, for wait_for_background, and runs
    each task in the context it was submitted from (held until the answer is out, when
    submitted while one is being written)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        context = contextvars.copy_context()
        context.run(_held.set, None)  # what the work submits in turn is not held again
        held = _held.get()
        if held is None:
            return self._track(super().submit(context.run, fn, *args, **kwargs))
        placeholder: Future[Any] = Future()
        self._track(placeholder)

        def start() -> None:
            started = super(_TrackedExecutor, self).submit(context.run, fn, *args, **kwargs)
            started.add_done_callback(lambda done: _settle(placeholder, done))

        held.append(start)
        return placeholder

    @staticmethod
    def _track(future: Future[Any]) -> Future[Any]:
        with _lock:
            _in_flight.add(future)
        future.add_done_callback(_forget)
        return future


def _settle(placeholder: Future[Any], done: Future[Any]) -> None:
    error = done.exception()
    if error is not None:
        placeholder.set_exception(error)
    else:
        placeholder.set_result(done.result())


executor = _TrackedExecutor(max_workers=8, thread_name_prefix="scribe-after-ack")


def _forget(future: Future[Any]) -> None:
    with _lock:
        _in_flight.discard(future)


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def after_the_answer(app: WsgiApp) -> WsgiApp:
    """``app``, with the work it submits to :data:`executor` started only once its answer has
    been written (the body read to its end, or closed, as a WSGI server does after sending it)."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        held: list[Start] = []
        token = _held.set(held)
        try:
            body = app(environ, start_response)
        except BaseException:
            _release(held)
            raise
        finally:
            _held.reset(token)
        return _Answer(body, held)

    return wsgi


class _Answer:
    """A response body that starts the held work when the server is done with it."""

    def __init__(self, body: Iterable[bytes], held: list[Start]) -> None:
        self._body = body
        self._held = held

    def __iter__(self) -> Iterator[bytes]:
        yield from self._body
        _release(self._held)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            _release(self._held)


def _release(held: list[Start]) -> None:
    while True:
        try:
            start = held.pop(0)
        except IndexError:
            return
        start()


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
