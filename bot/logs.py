"""Log lines an operator can follow: one format for every process, tagged with the Slack request.

Every process (the ``scribe`` command, gunicorn's workers through ``bot.wsgi``, Socket Mode,
the clock) calls ``configure_logging`` once with ``LOG_LEVEL``. A line reads::

    2026-11-29T14:05:00.123Z INFO bot.slack.history team=T111 channel=C1 event=Ev0123: backfilled …

``team``, ``channel`` and ``event`` name the Slack request being handled (``-`` when unknown or
outside a request): the Bolt middleware in ``bot.slack.request_tags`` sets them, and work
handed to other threads takes them along (``bot.slack.background``).
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s team=%(team)s channel=%(channel)s event=%(event)s: %(message)s"
UNKNOWN = "-"
HANDLER_NAME = "scribe"
"""The root handler ``configure_logging`` installs, found again by this name on a second call."""

QUIET_LOGGERS = {"alembic.runtime.plugins": logging.WARNING}
"""Loggers that say nothing useful at INFO (alembic: one line per plugin at start-up)."""


@dataclass(frozen=True)
class RequestTags:
    """What identifies a Slack request in a log line; ids and kinds only, never text."""

    team: str = UNKNOWN
    channel: str = UNKNOWN
    event: str = UNKNOWN
    """The event id, or the kind (``/incident:mark``, ``block_actions:action_done``) without one."""


NO_REQUEST = RequestTags()
current_request: ContextVar[RequestTags] = ContextVar("current_request", default=NO_REQUEST)


def tag_request(*, team: str | None, channel: str | None, event: str | None) -> None:
    """Tag every log line from here on, in this context, with this request."""
    current_request.set(RequestTags(team or UNKNOWN, channel or UNKNOWN, event or UNKNOWN))


class RequestTagFilter(logging.Filter):
    """Adds ``team``, ``channel`` and ``event`` to every record, from the current context.

    A value given with ``extra=`` is kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        tags = current_request.get()
        for name in ("team", "channel", "event"):
            if not hasattr(record, name):
                setattr(record, name, getattr(tags, name))
        return True


class UtcFormatter(logging.Formatter):
    """``LOG_FORMAT`` with the time as ISO 8601 in UTC, to the millisecond (``…T14:05:00.123Z``)."""

    def __init__(self) -> None:
        super().__init__(LOG_FORMAT, defaults={"team": UNKNOWN, "channel": UNKNOWN, "event": UNKNOWN})

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _ConsoleHandler(logging.StreamHandler):
    """Writes to the given stream, or else to whatever ``sys.stderr`` is when the line is written
    (as logging's own last resort does), so a stderr replaced later is still honoured."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self._fixed = stream  # StreamHandler itself would pin today's sys.stderr

    @property
    def stream(self) -> TextIO:
        return self._fixed if self._fixed is not None else sys.stderr

    @stream.setter
    def stream(self, value: TextIO | None) -> None:
        self._fixed = value


def configure_logging(level: str = "INFO", *, stream: TextIO | None = None) -> logging.Handler:
    """Send every logger's lines at ``level`` and above to stderr (or ``stream``) in ``LOG_FORMAT``.

    Calling it again changes the level (and the stream, if given) and adds nothing: the handler
    is installed once. Loggers with their own handlers that do not propagate, such as gunicorn's
    error log, are left as they are."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == HANDLER_NAME), None)
    if handler is None:
        handler = _ConsoleHandler(stream)
        handler.set_name(HANDLER_NAME)
        handler.setFormatter(UtcFormatter())
        handler.addFilter(RequestTagFilter())
        root.addHandler(handler)
    elif stream is not None and isinstance(handler, logging.StreamHandler):
        handler.setStream(stream)
    root.setLevel(level.upper())
    for name, quiet in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet)
    return handler
