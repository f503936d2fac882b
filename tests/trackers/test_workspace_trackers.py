"""The multi-workspace install: each workspace's own tracker, managed with ``scribe trackers``."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.cli import main
from bot.core.ticket_info import Tracker
from bot.services.tickets import accounts_for, file_new_item, filing_tracker
from storage.actions import add_item
from storage.models import Incident
from tests.conftest import Scribe
from tests.support.action_items import outbox_settles
from tests.support.fake_trackers import FakeTrackers
from tests.support.tracker_senders import TrackerSenders, jira_issue_updated

__all__ = ["outbox_settles"]

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def scribe_trackers(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    monkeypatch.setenv("DATABASE_URL", database_url)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["trackers", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.mark.parametrize("scribe", [None], indirect=True)
def test_a_workspaces_own_jira_files_its_items_and_hears_back_on_its_own_path(
    scribe: Scribe, trackers: FakeTrackers, scribe_trackers: Run
) -> None:
    code, out, _ = scribe_trackers(
        "add", "jira", "--team", "T222", "--url", trackers.jira_url, "--email", "ops@b.example",
        "--token", "workspace-b-jira-token", "--project", "BETA", "--file-new-items",
    )  # fmt: skip
    assert code == 0
    assert "webhook URL: https://YOUR-SCRIBE-HOST/webhooks/jira/T222" in out
    match = re.search(r"webhook secret \(shown once\): (\S+)", out)
    assert match is not None
    secret = match.group(1)
    now = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
    with scribe.sessions.begin() as session:
        assert filing_tracker(session, scribe.settings, "T222") is Tracker.JIRA
        assert accounts_for(session, scribe.settings, "T222")[Tracker.JIRA].project == "BETA"
        incident = Incident(
            team_id="T222", channel_id="CB", title="B", status="active", started_by="U9", started_at=now
        )
        session.add(incident)
        session.flush()
        item = add_item(
            session, team_id="T222", incident_id=incident.id, owner_id="U9", due=now.date(),
            text="Workspace B's item", created_by="U9", now=now,
        )  # fmt: skip
        assert file_new_item(session, settings=scribe.settings, team_id="T222", item_id=item.id, now=now)
        item_id = item.id
    scribe.command("actions", team_id="T222", channel="CB", user="U9")  # its after-answer work files it
    issue = trackers.jira["BETA-1"]
    assert trackers.calls_to("jira.create")[0].headers["authorization"].startswith("Basic ")
    send = TrackerSenders(scribe.wsgi)
    closed = jira_issue_updated("BETA-1", issue_id=issue["id"], timestamp_ms=1_795_966_200_000, status=("Done", "done"))
    assert send.jira(closed, secret="guessed", path="/webhooks/jira/T222").status == 401
    assert send.jira(closed, secret=secret, path="/webhooks/jira/T222").json()["applied"] == 1
    code, out, _ = scribe_trackers("list")
    assert "T222\tjira" in out
    assert "workspace-b-jira-token" not in out
    assert scribe_trackers("remove", "jira", "--team", "T222")[0] == 0
    assert send.jira(closed, secret=secret, path="/webhooks/jira/T222").status == 404
    assert item_id > 0


def test_an_account_that_cannot_work_is_refused_saying_what_is_missing(scribe_trackers: Run) -> None:
    code, _, err = scribe_trackers("add", "jira", "--team", "T222", "--url", "https://b.atlassian.net", "--token", "t")
    assert code == 2
    assert "--email" in err
    code, _, err = scribe_trackers("add", "github", "--team", "T222", "--repo", "nope", "--token", "t")
    assert code == 2
    assert "OWNER/NAME" in err
    with pytest.raises(SystemExit, match="not a Slack team id"):
        scribe_trackers("add", "linear", "--team", "nope", "--linear-team", "x", "--token", "t")
