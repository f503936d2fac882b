"""Group commit: writes from many request threads share one transaction and one commit.

Each caller blocks until its own write is committed (so "persist, then acknowledge" holds),
but concurrent callers in the same process are committed together: one writer thread takes
whatever is queued, runs it in one transaction (the same statement's rows as one executemany),
commits, and wakes every caller. When nothing else is queued a write is committed on its own
at once, so idle latency does not grow.

While writes keep coming the writer keeps one connection for batch after batch (no pool
checkout, ping or reset between them) and gives it back to the pool as soon as the queue is
empty; after ``idle_seconds`` without writes the thread ends, to start again with the next.

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

from sqlalchemy import Connection, Engine
from sqlalchemy.sql.base import Executable

log = logging.getLogger(__name__)

Write = tuple[Executable, dict[str, Any]]
Batch = list[tuple[Write, "Future[None]"]]


class GroupCommit:
    def __init__(self, engine: Engine, *, max_batch: int = 64, idle_seconds: float = 2.0) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.idle_seconds = idle_seconds
        self._queue: queue.SimpleQueue[tuple[Write, Future[None]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def execute(self, statement: Executable, params: dict[str, Any], *, timeout: float = 10.0) -> None:
        """Execute the statement with these parameters and return once it is committed; raise
        if it could not be."""
        future: Future[None] = Future()
        self._queue.put(((statement, params), future))
        self._ensure_started()
        future.result(timeout=timeout)

    def _ensure_started(self) -> None:
        # Started lazily, so a gunicorn worker starts its own thread after the fork.
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="group-commit", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        connection: Connection | None = None
        try:
            while True:
                try:
                    first = self._queue.get(timeout=self.idle_seconds)
                except queue.Empty:
                    with self._lock:  # a write queued after this check finds no thread and starts one
                        if self._queue.empty():
                            self._thread = None
                            return
                    continue
                batch = [first]
                while len(batch) < self.max_batch:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                connection = self._commit(batch, connection)
                if connection is not None and self._queue.empty():
                    connection.close()  # back to the pool: held only while writes keep coming
                    connection = None
        finally:
            if connection is not None:
                connection.close()

    def _commit(self, batch: Batch, connection: Connection | None) -> Connection | None:
        """Commit the batch; return the connection to keep using (None after a failure)."""
        by_statement: dict[int, tuple[Executable, list[dict[str, Any]]]] = {}
        for (statement, params), _ in batch:
            by_statement.setdefault(id(statement), (statement, []))[1].append(params)
        try:
            connection = connection if connection is not None else self.engine.connect()
            with connection.begin():
                for statement, rows in by_statement.values():
                    connection.execute(statement, rows if len(rows) > 1 else rows[0])
        except Exception as error:
            if connection is not None:
                connection.invalidate()  # its state is unknown: never reuse it
                connection.close()
            if len(batch) == 1:
                batch[0][1].set_exception(error)
                return None
            log.warning("a batch of %d writes failed (%s); retrying each alone", len(batch), error.__class__.__name__)
            for item in batch:
                alone = self._commit([item], None)
                if alone is not None:
                    alone.close()
            return None
        for _, future in batch:
            future.set_result(None)
        return connection
