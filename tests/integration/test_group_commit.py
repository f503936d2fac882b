"""Group commit: each caller returns only after its own write is committed, one bad write never
takes the others of its batch down with it, and a kept connection that died is replaced."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from storage.group_commit import GroupCommit
from storage.models import Workspace


class WorkspaceNames:
    """A batch writer for the test: inserts workspace ids through the driver, in one transaction."""

    def __init__(self, dialect: str) -> None:
        self.sql = (
            "INSERT INTO workspaces (team_id, updated_at) VALUES "
            f"({'?' if dialect == 'sqlite' else '%s'}, CURRENT_TIMESTAMP)"
        )
        self.batches: list[int] = []

    def configure(self, connection: Any) -> None:
        pass

    def write(self, connection: Any, items: Sequence[str]) -> None:
        self.batches.append(len(items))
        cursor = connection.cursor()
        try:
            cursor.executemany(self.sql, [(item,) for item in items])
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            cursor.close()


def count(sessions) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Workspace)) or 0)


@pytest.fixture
def writes(sessions):
    engine = sessions.kw["bind"]
    commits = GroupCommit(engine, WorkspaceNames(engine.dialect.name))
    yield commits
    commits.close()


def test_a_write_is_committed_before_the_caller_returns(sessions, writes) -> None:
    writes.execute("T1")
    assert count(sessions) == 1


def test_many_concurrent_writers_are_all_committed_exactly_once_in_shared_batches(sessions, writes) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: writes.execute(f"T{i}"), range(400)))
    assert count(sessions) == 400
    assert sum(writes.writer.batches) == 400
    assert max(writes.writer.batches) > 1, "concurrent writes should have shared a batch"


def test_a_failing_write_fails_only_its_own_caller(sessions, writes) -> None:
    writes.execute("TDUP")
    release = threading.Event()
    outcomes: dict[str, object] = {}

    def write(team: str) -> None:
        release.wait()
        try:
            writes.execute(team)
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


def test_the_connection_is_kept_between_writes(writes) -> None:
    writes.execute("T1")
    first = writes._connection
    writes.execute("T2")
    assert writes._connection is first


def test_a_kept_connection_that_the_database_closed_is_replaced_without_failing_the_write(sessions, writes) -> None:
    engine = sessions.kw["bind"]
    if engine.dialect.name != "postgresql":
        pytest.skip("a server-side disconnect needs PostgreSQL")
    writes.execute("T1")
    with engine.connect() as admin:
        backend = writes._connection.info.backend_pid
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    writes.execute("T2")
    assert count(sessions) == 2
    assert writes._connection.info.backend_pid != backend


def test_a_write_to_an_unreachable_database_raises_to_its_caller(tmp_path) -> None:
    from storage.session import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'no' / 'such.db'}")
    writes = GroupCommit(engine, WorkspaceNames("sqlite"))
    with pytest.raises(OperationalError):
        writes.execute("T1")
    engine.dispose()
