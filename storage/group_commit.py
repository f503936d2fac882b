"""Group commit: writes from many request threads share one batch and one commit.

Each caller returns only once its own write is committed (so "persist, then acknowledge"
holds), but concurrent callers in the same process are written together. There is no writer
thread: the first caller to find nobody writing becomes the leader, takes everything queued
(its own write included), writes it as one batch, wakes the callers it wrote for, and hands
the lead to the first caller that arrived meanwhile, who writes the next batch. A caller alone
is written at once, with no hand-over between threads, and each waiting caller is woken once.

The batch goes to a ``BatchWriter`` on a driver connection that the group commit keeps for
itself (detached from the engine's pool, so no checkout, ping or reset per batch). It is
pinged before use after a quiet second, like the pool's pre-ping, and replaced after any
failure; with an engine that keeps no connections (NullPool) a new one is opened each time.

Writes must be idempotent and not depend on their order within a batch (the message upserts
are: see storage/live_writer.py). If a batch fails, each of its writes is retried alone, so
one bad write cannot fail the others, and a write that was in fact stored before the failure is
harmlessly stored again.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)

PING_AFTER_IDLE_SECONDS = 1.0


class BatchWriter(Protocol[T_contra]):
    def configure(self, connection: Any) -> None:
        """Prepare a newly opened driver connection (autocommit, isolation…)."""

    def write(self, connection: Any, items: Sequence[T_contra]) -> None:
        """Write and commit the items, or raise."""


def _held_lock() -> threading.Lock:
    lock = threading.Lock()
    lock.acquire()
    return lock


@dataclass(eq=False)
class _Pending(Generic[T]):
    item: T
    done: bool = False
    error: BaseException | None = None
    lead: bool = False
    """Handed the lead: this caller writes the next batch."""
    wake: threading.Lock = field(default_factory=_held_lock)
    """Released exactly once, by whoever finished this write or handed this caller the lead."""


class GroupCommit(Generic[T]):
    def __init__(self, engine: Engine, writer: BatchWriter[T], *, max_batch: int = 64) -> None:
        self.engine = engine
        self.writer = writer
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Pending[T]] = []
        self._leading = False
        self._idle = threading.Condition(self._lock)
        self._connection: Any = None
        self._pid = os.getpid()
        self._last_used = 0.0
        self._closer: weakref.finalize[[], Any] | None = None
        self._fresh_each_time = isinstance(engine.pool, NullPool)
        """An engine that keeps no connections asked for a new one each time: so do we."""

    def execute(self, item: T, *, timeout: float = 10.0) -> None:
        """Write the item and return once it is committed; raise if it could not be."""
        pending = _Pending(item)
        with self._lock:
            self._queue.append(pending)
            pending.lead = not self._leading
            self._leading = True
        if not pending.lead:
            self._wait(pending, timeout)
        while not pending.done:  # leading: write batches until our own write is among them
            self._lead_one_batch(pending)
        if pending.error is not None:
            raise pending.error

    def _lead_one_batch(self, leader: _Pending[T]) -> None:
        with self._lock:
            batch = self._queue[: self.max_batch]
            del self._queue[: self.max_batch]
        try:
            self._commit(batch)
        finally:
            for other in batch:
                if not other.done:  # only if the leader itself was interrupted
                    other.error, other.done = RuntimeError("the write was interrupted"), True
                if other is not leader:
                    other.wake.release()
            with self._lock:
                if self._queue:
                    successor = self._queue[0]
                    successor.lead = True
                    successor.wake.release()
                else:
                    self._leading = False
                    self._idle.notify_all()

    def _wait(self, pending: _Pending[T], timeout: float) -> None:
        """Sleep until our write is done or we are handed the lead."""
        if pending.wake.acquire(timeout=timeout):
            return
        with self._lock:
            if pending.done or pending.lead:
                return  # woken just as we gave up: as good as woken in time
            if pending in self._queue:
                self._queue.remove(pending)
        # Given up, not undone: if a leader already holds the write it may still land, which
        # is harmless (writes are idempotent, and Slack redelivers an unanswered event).
        raise TimeoutError("the database did not answer in time")

    def close(self) -> None:
        """Close the kept connection once no batch is being written (it is also closed when
        this object is collected). A later write opens a new one."""
        with self._lock:
            while self._leading:
                self._idle.wait()
            self._discard()

    def _commit(self, batch: list[_Pending[T]]) -> None:
        try:
            self._write([pending.item for pending in batch])
        except Exception as error:  # noqa: BLE001 (each write is retried alone, and a lone failure goes to its caller)
            if len(batch) > 1:
                log.warning(
                    "a batch of %d writes failed (%s); retrying each alone", len(batch), error.__class__.__name__
                )
                for pending in batch:
                    self._commit([pending])
                return
            batch[0].error = error
        for pending in batch:
            pending.done = True

    def _write(self, items: list[T]) -> None:
        connection, fresh = self._usable_connection()
        dbapi_error = self.engine.dialect.loaded_dbapi.Error
        try:
            self.writer.write(connection, items)
        except dbapi_error as error:
            self._discard()
            disconnected = self.engine.dialect.is_disconnect(error, connection, None)
            if disconnected and not fresh:
                # The kept connection died since its last use (a database restart, an idle
                # timeout): the writes are idempotent, so write them again on a new one.
                return self._write(items)
            raise self._wrapped(error, disconnected) from error
        except BaseException:
            self._discard()
            raise
        self._last_used = time.monotonic()
        if self._fresh_each_time:
            self._discard()
        return None

    def _usable_connection(self) -> tuple[Any, bool]:
        """The kept connection, or a new one; and whether it is new."""
        if self._pid != os.getpid():  # inherited across a fork: the parent's, not ours to use or close
            if self._closer is not None:
                self._closer.detach()
            self._connection, self._closer, self._pid = None, None, os.getpid()
        if self._connection is not None and time.monotonic() - self._last_used > PING_AFTER_IDLE_SECONDS:
            try:
                self.engine.dialect.do_ping(self._connection)
            except Exception:  # noqa: BLE001 (a connection that fails its ping, however, is replaced)
                self._discard()
        if self._connection is not None:
            return self._connection, False
        try:
            pooled = self.engine.raw_connection()  # the engine's connect events apply
        except self.engine.dialect.loaded_dbapi.Error as error:
            raise self._wrapped(error, True) from error
        connection: Any = pooled.driver_connection  # the driver's own connection (DB-API: untyped)
        pooled.detach()
        try:
            self.writer.configure(connection)
        except BaseException:
            connection.close()
            raise
        self._connection = connection
        self._closer = weakref.finalize(self, connection.close)
        return connection, True

    def _wrapped(self, error: Exception, disconnected: bool) -> StatementError:
        """The driver's error as SQLAlchemy's (OperationalError, IntegrityError…), as elsewhere in
        the app, without the parameters (they hold message text)."""
        dbapi_error = self.engine.dialect.loaded_dbapi.Error
        return DBAPIError.instance(
            None,
            None,
            error,
            dbapi_error,
            hide_parameters=True,
            connection_invalidated=disconnected,
            dialect=self.engine.dialect,
        )

    def _discard(self) -> None:
        if self._closer is not None:
            self._closer()  # closes the connection, once
        self._connection, self._closer = None, None
