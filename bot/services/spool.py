"""A local, durable spool for message events the database could not take on Slack's last try.

Why: Slack redelivers an unacknowledged event three times over about five minutes, then drops
it, and disables event delivery for an app that fails more than 95% of deliveries for an hour.
A shorter database outage is covered by those redeliveries alone (we answer 5xx). On Slack's
last retry, if SCRIBE_SPOOL_DIR is set, the event is written here and acknowledged only once
the file is fsynced (file and directory), so an outage longer than Slack's window loses
nothing that reached us, and Slack never sees us failing every delivery.

Shape: one file per event, written to a temporary name, fsynced, then renamed into place, so a
crash never leaves half an event. Replay claims a file by renaming it (atomic: one process
wins), applies it, then deletes it. Applying is an idempotent upsert on the message's unique
key (workspace, channel, ts), so a replay that crashes after applying and before deleting is
harmless when it runs again; a claim older than ``STALE_CLAIM_SECONDS`` is taken over.

Trade-offs: the spool is the disk of the process that took the event; with several hosts each
replays its own (at its next stored event, or from the clock when it shares the disk). On a
platform whose disk is wiped on restart the spool is only as durable as that disk. Message
text sits in these files (mode 0600) until replayed; retention applies after replay.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger(__name__)

SUFFIX = ".event.json"
CLAIMED = ".claimed"
STALE_CLAIM_SECONDS = 300
REPLAY_EVERY_SECONDS = 5.0


class Spool:
    def __init__(self, directory: str | Path, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.directory = Path(directory)
        self.monotonic = monotonic
        self._last_look = float("-inf")

    def keep(self, record: dict[str, Any]) -> Path:
        """Write one record durably; returns only after it is on disk under its final name."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex}"
        temporary = self.directory / f".{name}.tmp"
        final = self.directory / f"{name}{SUFFIX}"
        data = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(descriptor, data)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.rename(temporary, final)
        _fsync_directory(self.directory)
        return final

    def waiting(self) -> int:
        if not self.directory.is_dir():
            return 0
        return sum(1 for entry in os.scandir(self.directory) if entry.name.endswith((SUFFIX, CLAIMED)))

    def replay(self, apply: Callable[[dict[str, Any]], None], *, limit: int = 500) -> int:
        """Apply up to ``limit`` kept records, oldest first; returns how many were applied. Stops
        at the first failure (the database is probably still down) and leaves that record."""
        if not self.directory.is_dir():
            return 0
        applied = 0
        for path in self._candidates()[:limit]:
            claimed = path if path.name.endswith(CLAIMED) else path.with_name(f"{path.name}.{os.getpid()}{CLAIMED}")
            if claimed != path:
                try:
                    os.rename(path, claimed)
                except FileNotFoundError:
                    continue  # another process claimed it
            try:
                record = json.loads(claimed.read_bytes())
                apply(record)
            except Exception as error:  # noqa: BLE001 (the event stays on disk for the next try; it is logged)
                log.warning("spool: could not replay a kept event yet (%s); will try again", error.__class__.__name__)
                return applied
            claimed.unlink(missing_ok=True)
            applied += 1
        if applied:
            _fsync_directory(self.directory)
            log.info("spool: replayed %d kept message events", applied)
        return applied

    def replay_now_and_then(self, apply: Callable[[dict[str, Any]], None]) -> int:
        """For the request path: look at the directory at most every few seconds."""
        now = self.monotonic()
        if now - self._last_look < REPLAY_EVERY_SECONDS:
            return 0
        self._last_look = now
        if not self.waiting():
            return 0
        return self.replay(apply)

    def _candidates(self) -> list[Path]:
        stale_before = time.time() - STALE_CLAIM_SECONDS
        found = []
        for entry in os.scandir(self.directory):
            if entry.name.endswith(SUFFIX):
                found.append(Path(entry.path))
            elif entry.name.endswith(CLAIMED):
                try:
                    if entry.stat().st_mtime < stale_before:
                        found.append(Path(entry.path))
                except FileNotFoundError:
                    continue
        return sorted(found, key=lambda p: p.name)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def is_database_down(error: BaseException) -> bool:
    """The database could not be reached or did not answer in time (not a bug or a bad row)."""
    if isinstance(error, (OperationalError, InterfaceError, PoolTimeout, TimeoutError)):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def kept_event(team_id: str, channel_id: str, event: dict[str, Any]) -> dict[str, Any]:
    return {"team_id": team_id, "channel_id": channel_id, "event": event}
