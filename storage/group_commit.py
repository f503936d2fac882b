"""Group commit: writes from many request threads share one transaction and one commit.

Each caller blocks until its own write is committed (so "persist, then acknowledge" holds),
but concurrent callers in the same process are committed together: one writer thread takes
whatever is queued, runs it in one transaction (the same statement's rows as one executemany),
commits, and wakes every caller. When nothing else is queued a write is committed on its own
at once, so idle latency does not grow.

Writes must not depend on their order within a batch (the message upserts do not: a unique
key and "newer edit wins, deletion wins" decide). If a batch fails, each of its writes is
retried alone, so one bad write cannot fail the others.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.sql.base import Executable

log = logging.getLogger(__name__)

Write = tuple[Executable, dict[str, Any]]


class GroupCommit:
    def __init__(self, engine: Engine, *, max_batch: int = 64) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[Write, Future[None]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def execute(self, statement: Executable, params: dict[str, Any], *, timeout: float = 10.0) -> None:
        """Execute the statement with these parameters and return once it is committed; raise
        if it could not be."""
        self._ensure_started()
        future: Future[None] = Future()
        self._queue.put(((statement, params), future))
        future.result(timeout=timeout)

    def _ensure_started(self) -> None:
        # Started lazily, so a gunicorn worker starts its own thread after the fork.
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="group-commit", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._commit(batch)

    def _commit(self, batch: list[tuple[Write, Future[None]]]) -> None:
        by_statement: dict[int, tuple[Executable, list[dict[str, Any]]]] = {}
        for (statement, params), _ in batch:
            by_statement.setdefault(id(statement), (statement, []))[1].append(params)
        try:
            with self.engine.begin() as connection:
                for statement, rows in by_statement.values():
                    connection.execute(statement, rows if len(rows) > 1 else rows[0])
        except Exception as error:
            if len(batch) == 1:
                batch[0][1].set_exception(error)
                return
            log.warning("a batch of %d writes failed (%s); retrying each alone", len(batch), error.__class__.__name__)
            for item in batch:
                self._commit([item])
            return
        for _, future in batch:
            future.set_result(None)
