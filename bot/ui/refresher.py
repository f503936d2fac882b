"""The web pages' own small pool that asks Slack who may read what (bot/services/
channel_access.py): at most one refresh in flight per (workspace, person), however many pages
ask, and never on the pool that runs Slack's deferred work (bot/slack/background.py), so a
slow Web API cannot hold up what a command owes."""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

log = logging.getLogger(__name__)

WORKERS = 2

_refreshers: weakref.WeakSet[AccessRefresher] = weakref.WeakSet()
_registry_lock = threading.Lock()


class AccessRefresher:
    def __init__(self, refresh: Callable[[str, str], None], *, workers: int = WORKERS) -> None:
        self._refresh = refresh
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scribe-ui-access")
        self._running: dict[tuple[str, str], Future[None]] = {}
        self._lock = threading.Lock()
        with _registry_lock:
            _refreshers.add(self)

    def request(self, team_id: str, user_id: str) -> bool:
        """Refresh this person's lists after this answer, unless a refresh of theirs is already
        queued or running. True when this call queued one."""
        key = (team_id, user_id)
        with self._lock:
            if key in self._running:
                return False
            self._running[key] = self._pool.submit(self._run, key)
        return True

    def _run(self, key: tuple[str, str]) -> None:
        try:
            self._refresh(*key)
        except Exception:
            log.warning("could not read the channel lists of %s in %s", key[1], key[0], exc_info=True)
        finally:
            with self._lock:
                self._running.pop(key, None)

    def wait(self, timeout: float) -> None:
        with self._lock:
            pending = list(self._running.values())
        _, not_done = wait(pending, timeout=timeout)
        if not_done:
            raise TimeoutError(f"{len(not_done)} channel-list refresh(es) still running after {timeout:.0f} s")


def wait_for_refreshes(timeout: float = 60.0) -> None:
    """Wait until every refresh queued so far, in every app of this process, is done."""
    with _registry_lock:
        refreshers = list(_refreshers)
    for refresher in refreshers:
        refresher.wait(timeout)
