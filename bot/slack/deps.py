"""What every listener needs, handed over once when the app is built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.services.incidents import MessageWrites, message_writes
from bot.settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    settings: Settings
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime] = utc_now
    writes: MessageWrites = field(default=None)  # type: ignore[arg-type]
    """Group commit for the ingest hot path; made from the sessions' engine when not given."""

    def __post_init__(self) -> None:
        if self.writes is None:
            object.__setattr__(self, "writes", message_writes(self.sessions.kw["bind"]))
