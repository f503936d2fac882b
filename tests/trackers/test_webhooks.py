"""Back from the tracker: ``POST /webhooks/jira|github|linear`` with deliveries as each tracker
sends them, signed and forged, through the real WSGI app."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from bot.slack.background import wait_for_background
from storage.action_models import ActionItem, ActionItemEvent
from storage.ticket_models import TrackerDelivery
from tests.conftest import Scribe
from tests.support.action_items import add_item, command, outbox_settles, start_incident, wait_for
from tests.support.fake_trackers import FakeTrackers
from tests.support.tracker_senders import (
    TrackerSenders,
    github_issues_event,
    jira_issue_updated,
    linear_issue_update,
)
from tests.trackers.conftest import GITHUB_SECRET, JIRA_SECRET, LINEAR_SECRET

__all__ = ["outbox_settles"]

LATER_MS = int(datetime(2026, 11, 29, 15, 30, tzinfo=UTC).timestamp() * 1000)
NOW_MS = int(datetime(2026, 11, 29, 15, 0, tzinfo=UTC).timestamp() * 1000)


def item_state(scribe: Scribe, item_id: int) -> tuple[str, str | None]:
    with scribe.sessions() as session:
        item = session.get(ActionItem, item_id)
        assert item is not None
        return item.status, item.due.isoformat() if item.due else None


def history(scribe: Scribe, item_id: int) -> list[tuple[str, str | None]]:
    with scribe.sessions() as session:
        return [
            (e.kind, e.origin)
            for e in session.scalars(
                select(ActionItemEvent).where(ActionItemEvent.item_id == item_id).order_by(ActionItemEvent.id)
            )
        ]


def deliveries(scribe: Scribe) -> int:
    with scribe.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(TrackerDelivery)) or 0)


def channel_lines(scribe: Scribe) -> list[str]:
    return [
        c.params.get("text", "")
        for c in scribe.fake.calls_to("chat.postMessage")
        if (c.params.get("channel") == "C1" and "in Jira" in c.params.get("text", ""))
        or "in GitHub" in c.params.get("text", "")
        or "in Linear" in c.params.get("text", "")
    ]


def filed_jira(scribe: Scribe, trackers: FakeTrackers) -> tuple[int, str, str]:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert on queue depth")
    key = next(iter(trackers.jira))
    return item_id, key, trackers.jira[key]["id"]


def test_a_jira_ticket_closed_there_closes_the_item_and_tells_the_channel_once(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    item_id, key, issue_id = filed_jira(scribe, trackers)
    send = TrackerSenders(scribe.wsgi)
    payload = jira_issue_updated(
        key, issue_id=issue_id, timestamp_ms=LATER_MS, status=("Done", "done"), resolution="Done"
    )
    first = send.jira(payload, secret=JIRA_SECRET, delivery="d-1")
    assert first.status == 200
    assert first.json()["applied"] == 1
    assert item_state(scribe, item_id)[0] == "done"
    assert history(scribe, item_id)[-1] == ("done", "jira")
    wait_for(lambda: channel_lines(scribe), what="the channel line")
    assert f"was closed in Jira: action item *#{item_id}*" in channel_lines(scribe)[0]
    again = send.jira(payload, secret=JIRA_SECRET, delivery="d-1")
    assert again.status == 200
    assert again.json()["redelivery"] is True
    assert len(channel_lines(scribe)) == 1
    assert "done :white_check_mark:" in command(scribe, "actions")["text"]


def test_a_close_from_the_tracker_is_never_written_back_to_it(scribe: Scribe, trackers: FakeTrackers) -> None:
    _item_id, key, issue_id = filed_jira(scribe, trackers)
    trackers.jira_set_status(key, "done", name="Done", resolution="Done")
    payload = jira_issue_updated(
        key, issue_id=issue_id, timestamp_ms=LATER_MS, status=("Done", "done"), resolution="Done"
    )
    TrackerSenders(scribe.wsgi).jira(payload, secret=JIRA_SECRET)
    assert trackers.calls_to("jira.transition") == []
    assert trackers.calls_to("jira.update") == []


def test_our_own_close_coming_back_changes_nothing_and_says_nothing(scribe: Scribe, trackers: FakeTrackers) -> None:
    item_id, key, issue_id = filed_jira(scribe, trackers)
    command(scribe, f"done {item_id}")
    before = history(scribe, item_id)
    payload = jira_issue_updated(
        key, issue_id=issue_id, timestamp_ms=LATER_MS, status=("Done", "done"), resolution="Done"
    )
    assert TrackerSenders(scribe.wsgi).jira(payload, secret=JIRA_SECRET).json()["applied"] == 0
    assert history(scribe, item_id) == before
    assert channel_lines(scribe) == []


def test_an_event_older_than_a_change_made_here_changes_nothing(scribe: Scribe, trackers: FakeTrackers) -> None:
    item_id, key, issue_id = filed_jira(scribe, trackers)
    scribe.clock.set("2026-11-29T16:00:00Z")
    command(scribe, f"done {item_id}")
    stale = jira_issue_updated(key, issue_id=issue_id, timestamp_ms=LATER_MS, status=("To Do", "new"))
    assert TrackerSenders(scribe.wsgi).jira(stale, secret=JIRA_SECRET).status == 200
    assert item_state(scribe, item_id)[0] == "done"


def test_a_delivery_arriving_again_after_a_later_reopen_changes_nothing(scribe: Scribe, trackers: FakeTrackers) -> None:
    item_id, key, issue_id = filed_jira(scribe, trackers)
    send = TrackerSenders(scribe.wsgi)
    closed = jira_issue_updated(key, issue_id=issue_id, timestamp_ms=LATER_MS, status=("Done", "done"))
    reopened = jira_issue_updated(key, issue_id=issue_id, timestamp_ms=LATER_MS + 60_000, status=("To Do", "new"))
    send.jira(closed, secret=JIRA_SECRET, delivery="close")
    send.jira(reopened, secret=JIRA_SECRET, delivery="reopen")
    assert item_state(scribe, item_id)[0] == "open"
    send.jira(closed, secret=JIRA_SECRET, delivery="close")
    send.jira(closed, secret=JIRA_SECRET, delivery="close-resent-under-a-new-id")
    assert item_state(scribe, item_id)[0] == "open"
    assert [kind for kind, origin in history(scribe, item_id) if origin == "jira"] == ["done", "reopened"]


def test_wont_do_in_jira_closes_the_item_as_not_done(scribe: Scribe, trackers: FakeTrackers) -> None:
    item_id, key, issue_id = filed_jira(scribe, trackers)
    payload = jira_issue_updated(
        key, issue_id=issue_id, timestamp_ms=LATER_MS, status=("Done", "done"), resolution="Won't Do"
    )
    TrackerSenders(scribe.wsgi).jira(payload, secret=JIRA_SECRET)
    assert item_state(scribe, item_id)[0] == "canceled"
    assert history(scribe, item_id)[-1] == ("canceled", "jira")


def test_a_due_date_moved_in_jira_moves_it_here(scribe: Scribe, trackers: FakeTrackers) -> None:
    item_id, key, issue_id = filed_jira(scribe, trackers)
    payload = jira_issue_updated(
        key, issue_id=issue_id, timestamp_ms=LATER_MS, duedate="2026-12-18", changed=("duedate",)
    )
    TrackerSenders(scribe.wsgi).jira(payload, secret=JIRA_SECRET)
    assert item_state(scribe, item_id) == ("open", "2026-12-18")
    assert history(scribe, item_id)[-1] == ("due_moved", "jira")


def test_an_edit_of_the_summary_says_nothing_about_the_state(scribe: Scribe, trackers: FakeTrackers) -> None:
    item_id, key, issue_id = filed_jira(scribe, trackers)
    command(scribe, f"done {item_id}")
    edit = jira_issue_updated(
        key, issue_id=issue_id, timestamp_ms=LATER_MS + 1, status=("To Do", "new"), changed=("summary",)
    )
    TrackerSenders(scribe.wsgi).jira(edit, secret=JIRA_SECRET)
    assert item_state(scribe, item_id)[0] == "done"


def test_any_length_of_tracker_data_is_stored_and_applied(scribe: Scribe, trackers: FakeTrackers) -> None:
    item_id, key, issue_id = filed_jira(scribe, trackers)
    payload = jira_issue_updated(
        key, issue_id=issue_id, timestamp_ms=LATER_MS, status=("Done " + "x" * 200_000, "done"), summary="y" * 200_000
    )
    assert TrackerSenders(scribe.wsgi).jira(payload, secret=JIRA_SECRET).status == 200
    assert item_state(scribe, item_id)[0] == "done"


@pytest.mark.parametrize("tracker", ["jira", "github", "linear"])
def test_a_forged_or_unsigned_delivery_is_refused_401_and_stores_nothing(
    scribe: Scribe, trackers: FakeTrackers, tracker: str
) -> None:
    item_id, key, issue_id = filed_jira(scribe, trackers)
    send = TrackerSenders(scribe.wsgi)
    payload = jira_issue_updated(key, issue_id=issue_id, timestamp_ms=LATER_MS, status=("Done", "done"))
    forged = {"jira": send.jira, "github": send.github, "linear": send.linear}[tracker](payload, secret="guessed")
    assert forged.status == 401
    unsigned = send.post(f"/webhooks/{tracker}", json.dumps(payload))
    assert unsigned.status == 401
    assert deliveries(scribe) == 0
    assert item_state(scribe, item_id)[0] == "open"


def test_a_tracker_nobody_configured_for_a_workspace_is_404_and_a_malformed_body_400(scribe: Scribe) -> None:
    send = TrackerSenders(scribe.wsgi)
    assert send.jira(b"{}", secret=JIRA_SECRET, path="/webhooks/jira/TOTHER").status == 404
    assert send.jira(b"{not json", secret=JIRA_SECRET).status == 400
    assert send.jira(b"[1, 2]", secret=JIRA_SECRET).status == 400
    assert send.post("/webhooks/jira", b"x" * 1_000_001).status == 413
    assert deliveries(scribe) == 0


def test_a_database_that_cannot_take_the_delivery_answers_503_and_changes_nothing(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    item_id, key, issue_id = filed_jira(scribe, trackers)
    with scribe.sessions.begin() as session:
        session.execute(text("ALTER TABLE tracker_deliveries RENAME TO tracker_deliveries_away"))
    try:
        payload = jira_issue_updated(key, issue_id=issue_id, timestamp_ms=LATER_MS, status=("Done", "done"))
        assert TrackerSenders(scribe.wsgi).jira(payload, secret=JIRA_SECRET).status == 503
        assert item_state(scribe, item_id)[0] == "open"
    finally:
        with scribe.sessions.begin() as session:
            session.execute(text("ALTER TABLE tracker_deliveries_away RENAME TO tracker_deliveries"))
    assert TrackerSenders(scribe.wsgi).jira(payload, secret=JIRA_SECRET).status == 200
    assert item_state(scribe, item_id)[0] == "done"


@pytest.mark.parametrize("scribe", ["github"], indirect=True)
def test_github_closed_as_not_planned_is_not_done_and_completed_is_done(scribe: Scribe, trackers: FakeTrackers) -> None:
    start_incident(scribe)
    first = add_item(scribe, "U2", "2026-12-04", "Add an alert")
    second = add_item(scribe, "U2", "2026-12-04", "Rotate the keys")
    send = TrackerSenders(scribe.wsgi)
    for number, reason in ((1, "not_planned"), (2, "completed")):
        payload = github_issues_event(
            "closed",
            number,
            state="closed",
            state_reason=reason,
            updated_at="2026-11-29T15:30:00Z",
            closed_at="2026-11-29T15:30:00Z",
        )
        assert send.github(payload, secret=GITHUB_SECRET).status == 200
    assert item_state(scribe, first)[0] == "canceled"
    assert item_state(scribe, second)[0] == "done"
    reopened = github_issues_event(
        "reopened", 2, state="open", state_reason="reopened", updated_at="2026-11-29T15:40:00Z"
    )
    send.github(reopened, secret=GITHUB_SECRET)
    assert item_state(scribe, second)[0] == "open"
    other_repo = github_issues_event(
        "closed", 2, state="closed", state_reason="completed", updated_at="2026-11-29T15:50:00Z", repo="acme/other"
    )
    assert send.github(other_repo, secret=GITHUB_SECRET).json()["events"] == 0
    assert send.github(b'{"zen": "Keep it logically awesome."}', secret=GITHUB_SECRET, event="ping").status == 200
    assert item_state(scribe, second)[0] == "open"


@pytest.mark.parametrize("scribe", ["github"], indirect=True)
def test_a_due_line_moved_in_a_github_issue_body_moves_the_due_date_here(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    start_incident(scribe)
    item = add_item(scribe, "U2", "2026-12-04", "Add an alert")
    send = TrackerSenders(scribe.wsgi)
    retitled = github_issues_event(
        "edited", 1, state="open", state_reason=None, updated_at="2026-11-29T15:20:00Z", body="Due: 2026-12-04"
    )
    assert send.github(retitled, secret=GITHUB_SECRET).json()["events"] == 0
    moved = github_issues_event(
        "edited",
        1,
        state="open",
        state_reason=None,
        updated_at="2026-11-29T15:30:00Z",
        body="Add an alert\n\nDue: 2026-12-18\n",
        body_before="Add an alert\n\nDue: 2026-12-04\n",
    )
    assert send.github(moved, secret=GITHUB_SECRET).status == 200
    assert item_state(scribe, item) == ("open", "2026-12-18")
    assert history(scribe, item)[-1] == ("due_moved", "github")
    unrelated = github_issues_event(
        "edited",
        1,
        state="open",
        state_reason=None,
        updated_at="2026-11-29T15:40:00Z",
        body="More context\n\nDue: 2026-12-18\n",
        body_before="Add an alert\n\nDue: 2026-12-18\n",
    )
    assert send.github(unrelated, secret=GITHUB_SECRET).json()["events"] == 0
    assert item_state(scribe, item) == ("open", "2026-12-18")


@pytest.mark.parametrize("scribe", ["linear"], indirect=True)
def test_linear_names_the_issue_by_its_uuid_and_a_stale_timestamp_is_refused(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U2", "2026-12-04", "Add an alert")
    issue = dict(next(iter(trackers.linear.values())))
    send = TrackerSenders(scribe.wsgi)
    stale = linear_issue_update(
        issue, state=("Done", "completed"), updated_at="2026-11-29T15:00:30.000Z", webhook_timestamp_ms=NOW_MS - 120_000
    )
    assert send.linear(stale, secret=LINEAR_SECRET).status == 401
    assert deliveries(scribe) == 0
    issue["identifier"] = "ENG-999"  # Linear's webhook names it by data.id; the identifier may change
    done = linear_issue_update(
        issue, state=("Done", "completed"), updated_at="2026-11-29T15:00:30.000Z", webhook_timestamp_ms=NOW_MS
    )
    assert send.linear(done, secret=LINEAR_SECRET).json()["applied"] == 1
    assert item_state(scribe, item_id)[0] == "done"
    canceled = linear_issue_update(
        issue, state=("Canceled", "canceled"), updated_at="2026-11-29T15:00:40.000Z", webhook_timestamp_ms=NOW_MS
    )
    send.linear(canceled, secret=LINEAR_SECRET)
    assert item_state(scribe, item_id)[0] == "canceled"
    due = linear_issue_update(
        issue,
        state=("Canceled", "canceled"),
        updated_at="2026-11-29T15:00:50.000Z",
        webhook_timestamp_ms=NOW_MS,
        updated_from={"dueDate": "2026-12-04"},
        due_date="2026-12-20",
    )
    send.linear(due, secret=LINEAR_SECRET)
    assert item_state(scribe, item_id) == ("canceled", "2026-12-20")


def test_an_assignee_changed_in_jira_becomes_the_owner_when_slack_knows_the_email(
    scribe: Scribe, trackers: FakeTrackers
) -> None:
    start_incident(scribe)
    item_id = add_item(scribe, "U3", "2026-12-04", "Add an alert on queue depth")
    key = next(iter(trackers.jira))
    send = TrackerSenders(scribe.wsgi)
    payload = jira_issue_updated(
        key,
        issue_id=trackers.jira[key]["id"],
        timestamp_ms=LATER_MS,
        changed=("assignee",),
        assignee_email="grace@example.com",
    )
    assert send.jira(payload, secret=JIRA_SECRET).status == 200

    def owner() -> str | None:
        with scribe.sessions() as session:
            item = session.get(ActionItem, item_id)
            assert item is not None
            return item.owner_id

    wait_for(lambda: owner() == "U2", what="the new owner")
    assert history(scribe, item_id)[-1] == ("reassigned", "jira")
    assert trackers.calls_to("jira.update") == []
    nobody = jira_issue_updated(
        key,
        issue_id=trackers.jira[key]["id"],
        timestamp_ms=LATER_MS + 1000,
        changed=("assignee",),
        assignee_email="stranger@example.com",
    )
    assert send.jira(nobody, secret=JIRA_SECRET).json()["applied"] == 1
    wait_for_background()
    assert scribe.fake.calls_to("users.lookupByEmail")[-1].params["email"] == "stranger@example.com"
    assert owner() == "U2"
