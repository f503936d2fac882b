"""Waiting for work done after the answer (Bolt's lazy listeners run in a thread)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import OutboxMessage

T = TypeVar("T")


def wait_for(check: Callable[[], T], *, timeout: float = 10.0, interval: float = 0.02, what: str = "the condition") -> T:
    """Call ``check`` until it returns something truthy, and return that; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def outbox_settled(sessions: sessionmaker[Session]) -> bool:
    """True when the outbox holds nothing pending or being sent: the delivery pass has finished."""
    with sessions() as session:
        busy = select(OutboxMessage.id).where(OutboxMessage.state.in_(("pending", "sending"))).limit(1)
        return session.scalar(busy) is None


LAZY_FRAME = "request_wired_func_wrapper"
"""The frame slack_bolt's lazy listener runner wraps every lazy function in."""


def lazy_listeners_running() -> bool:
    current = threading.get_ident()
    for ident, frame in sys._current_frames().items():
        if ident == current:
            continue
        walker: FrameType | None = frame
        while walker is not None:
            if walker.f_code.co_name == LAZY_FRAME:
                return True
            walker = walker.f_back
    return False


def wait_for_lazy_listeners(*, timeout: float = 15.0, quiet_polls: int = 3, interval: float = 0.02) -> None:
    """Wait until no Bolt lazy listener has run for ``quiet_polls`` polls in a row, so work left
    after an answer does not outlive the test's database and fake Slack."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < quiet_polls:
        if time.monotonic() >= deadline:
            raise AssertionError(f"Bolt lazy listeners still running after {timeout}s")
        quiet = 0 if lazy_listeners_running() else quiet + 1
        time.sleep(interval)
