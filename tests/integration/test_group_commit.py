"""Group commit: each caller returns only after its own write is committed, and one bad write
never takes the others of its batch down with it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from storage.group_commit import GroupCommit
from storage.models import Workspace

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
STATEMENT = insert(Workspace.__table__)


def count(sessions) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Workspace)) or 0)


def test_a_write_is_committed_before_the_caller_returns(sessions) -> None:  # type: ignore[no-untyped-def]
    writes = GroupCommit(sessions.kw["bind"])
    writes.execute(STATEMENT, {"team_id": "T1", "name": "Acme", "url": None, "updated_at": NOW})
    assert count(sessions) == 1


def test_many_concurrent_writers_are_all_committed_exactly_once(sessions) -> None:  # type: ignore[no-untyped-def]
    writes = GroupCommit(sessions.kw["bind"])
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: writes.execute(STATEMENT, {"team_id": f"T{i}", "name": None, "url": None, "updated_at": NOW}), range(200)))
    assert count(sessions) == 200


def test_a_failing_write_fails_only_its_own_caller(sessions) -> None:  # type: ignore[no-untyped-def]
    writes = GroupCommit(sessions.kw["bind"])
    writes.execute(STATEMENT, {"team_id": "TDUP", "name": None, "url": None, "updated_at": NOW})
    release = threading.Event()
    outcomes: dict[str, object] = {}

    def write(team: str) -> None:
        release.wait()
        try:
            writes.execute(STATEMENT, {"team_id": team, "name": None, "url": None, "updated_at": NOW})
            outcomes[team] = "ok"
        except IntegrityError:
            outcomes[team] = "refused"

    threads = [threading.Thread(target=write, args=(team,)) for team in ("TA", "TDUP", "TB", "TC")]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join()
    assert outcomes == {"TA": "ok", "TDUP": "refused", "TB": "ok", "TC": "ok"}
    assert count(sessions) == 4


def test_a_write_to_an_unreachable_database_raises_to_its_caller(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from storage.session import make_engine

    writes = GroupCommit(make_engine(f"sqlite:///{tmp_path / 'no' / 'such.db'}"))
    with pytest.raises(Exception):
        writes.execute(STATEMENT, {"team_id": "T1", "name": None, "url": None, "updated_at": NOW})
