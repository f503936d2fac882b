"""Waiting for work done after the answer (Bolt's lazy listeners run in a thread)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import OutboxMessage

T = TypeVar("T")


def wait_for(
    check: Callable[[], T], *, timeout: float = 10.0, interval: float = 0.02, what: str = "the condition"
) -> T:
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
