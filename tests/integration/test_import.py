"""Importing a Slack export: the record as if the app had been there, names and zones included."""

from __future__ import annotations

import itertools
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.services.drafts import draft_json, draft_markdown
from bot.services.importer import ImportRefused, parse_marker_options, read_channel, store_import
from bot.services.lifecycle import close_incident
from bot.services.slack_export import ExportError, SlackExport
from bot.settings import Settings
from bot.slack.payloads import parse_stored_message
from storage import people
from storage.models import Incident

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "slack-export"
NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
SETTINGS = Settings()


def run_import(sessions: sessionmaker[Session], path: Path, channel: str, **options: Any) -> Any:
    markers: dict[str, str | None] = {
        k: options.pop(k) for k in ("detected", "acknowledged", "mitigated", "resolved") if k in options
    }
    with SlackExport(path) as export:
        read = read_channel(export, channel, parse=parse_stored_message)
    times = parse_marker_options(markers, reference=read.last_at, now=NOW, zone=options.pop("zone", ZoneInfo("UTC")))
    with sessions.begin() as session:
        return store_import(
            session, read, title=options.get("title"), severity=options.get("severity"), marker_times=times, now=NOW
        )


def draft(sessions: sessionmaker[Session], channel: str) -> dict[str, Any]:
    with sessions() as session:
        return draft_json(session, channel, now=NOW, settings=SETTINGS)


def test_the_shared_test_archive_imports_with_dates_from_ts_and_names_from_users_json(
    sessions: sessionmaker[Session], fixtures_dir: Path
) -> None:
    imported = run_import(
        sessions, fixtures_dir / "slack-export" / "testarchive.zip", "enrique", title="Executor setup", severity="sev3"
    )
    assert imported.team_id == "T0BMHLSRH"
    assert imported.channel_id == "C0JGLMMNX"
    result = draft(sessions, "C0JGLMMNX")
    assert result["incident"]["title"] == "Executor setup"
    assert result["incident"]["severity"] == "sev3"
    messages = [e for e in result["timeline"] if e["kind"] == "message"]
    assert len(messages) == imported.messages == 96  # joins and integration adds left out, as live
    first = messages[0]
    # In the day file named 2016-01-14 (the exporter's zone), sent on the 15th in UTC.
    assert first["ts"] == "1452837352.000006"
    assert first["at"] == "2016-01-15T05:55:52.000006Z"
    assert first["user"] == "U0BMQB6JE"
    assert all(m["at"] <= n["at"] for m, n in itertools.pairwise(messages))
    bots = [m for m in messages if m.get("bot")]
    assert bots
    assert all(m["text"] for m in bots)
    with sessions() as session:
        cached = people.cached_user(session, "T0BMHLSRH", "U0BMYT2FL")
        assert cached is not None
        assert cached.name == "Harry Potter"
        assert cached.tz == "America/Los_Angeles"


def test_the_archive_is_found_by_channel_id_and_command_line_markers_set_the_phases(
    sessions: sessionmaker[Session], fixtures_dir: Path
) -> None:
    imported = run_import(
        sessions,
        fixtures_dir / "slack-export" / "testarchive.zip",
        "C0JL6CGQ2",
        detected="2016-03-26 10:00",
        resolved="2016-03-28 02:00",
        zone=ZoneInfo("America/Los_Angeles"),
    )
    assert imported.channel_name == "traveling-sailor"
    phases = draft(sessions, "C0JL6CGQ2")["phases"]
    assert phases["detected"] == "2016-03-26T17:00:00Z"
    assert phases["resolved"] == "2016-03-28T09:00:00Z"
    assert draft(sessions, "C0JL6CGQ2")["incident"]["status"] == "resolved"


def test_the_example_incident_reads_typed_markers_in_each_authors_timezone(sessions: sessionmaker[Session]) -> None:
    imported = run_import(sessions, EXAMPLE, "inc-20261127-checkout-5xx")
    assert imported.created
    result = draft(sessions, "C07CHKOUT1")
    assert result["incident"] == {
        "channel": "C07CHKOUT1",
        "title": "Checkout API returning 5xx",
        "severity": "sev2",
        "status": "resolved",
        "service": None,
    }
    assert result["phases"] == {
        "detected": "2026-11-27T23:36:00Z",  # "at 18:36" typed in New York
        "acknowledged": "2026-11-27T23:44:00Z",  # "at 00:44" typed in Paris, already the 28th there
        "mitigated": "2026-11-27T23:58:00Z",  # "at 23:58 UTC"
        "resolved": "2026-11-28T00:25:30.000121Z",  # no time: the message's own ts
    }
    notes = [e["text"] for e in result["timeline"] if e["kind"] == "note"]
    assert notes == ["Rolled back checkout-api to v2.30.4; error rate back under 0.5%"]


def test_the_example_keeps_its_thread_edit_deletion_and_alerts_and_its_utc_dates(
    sessions: sessionmaker[Session],
) -> None:
    run_import(sessions, EXAMPLE, "inc-20261127-checkout-5xx")
    messages = [e for e in draft(sessions, "C07CHKOUT1")["timeline"] if e["kind"] == "message"]
    by_start = {m["text"][:20] if m["text"] else None: m for m in messages}
    assert by_start["[FIRING:1] CheckoutH"]["bot"] == "Alertmanager"
    assert by_start["Rolling back to v2.3"]["thread_ts"] == by_start["Hypothesis: v2.31.0 "]["ts"]
    assert by_start["Rollback started, ET"]["edited_at"] == "2026-11-27T23:53:01Z"
    [deleted] = [m for m in messages if m.get("deleted")]
    assert deleted["text"] is None
    # The day file is named 2026-11-27 (New York), the message was sent on the 28th in UTC.
    assert by_start["/incident mark resol"]["at"] == "2026-11-28T00:25:30.000121Z"
    assert not any(m["text"] and "has joined" in m["text"] for m in messages)


def test_an_imported_tombstone_keeps_its_reply_under_it_and_none_of_its_text(sessions: sessionmaker[Session]) -> None:
    run_import(sessions, EXAMPLE, "inc-20261127-checkout-5xx")
    with sessions() as session:
        document = draft_markdown(session, "C07CHKOUT1", now=NOW, settings=SETTINGS)
    assert "This message was deleted." not in document
    lines = document.splitlines()
    deleted = next(i for i, line in enumerate(lines) if "_(message deleted)_" in line)
    assert lines[deleted + 1].startswith("  - ")  # its reply, still in its thread


def test_importing_again_adds_nothing(sessions: sessionmaker[Session]) -> None:
    run_import(sessions, EXAMPLE, "inc-20261127-checkout-5xx")
    first = draft(sessions, "C07CHKOUT1")
    again = run_import(sessions, EXAMPLE, "inc-20261127-checkout-5xx")
    assert not again.created
    assert again.added == 0
    assert draft(sessions, "C07CHKOUT1") == first


def test_importing_again_after_the_incident_was_closed_completes_it_instead_of_starting_another(
    sessions: sessionmaker[Session],
) -> None:
    run_import(sessions, EXAMPLE, "inc-20261127-checkout-5xx")
    first = draft(sessions, "C07CHKOUT1")
    with sessions.begin() as session:
        close_incident(session, team_id="T07ACME01", channel_id="C07CHKOUT1", user_id="U07ADA0001", now=NOW)
    again = run_import(sessions, EXAMPLE, "inc-20261127-checkout-5xx")
    assert not again.created
    assert again.added == 0
    assert draft(sessions, "C07CHKOUT1") == first
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 1


def test_a_zipped_export_with_a_top_folder_imports_like_the_folder(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    archive = shutil.make_archive(str(tmp_path / "export"), "zip", root_dir=EXAMPLE.parent, base_dir=EXAMPLE.name)
    imported = run_import(sessions, Path(archive), "#inc-20261127-checkout-5xx")
    assert imported.messages == 22


def test_a_command_line_marker_wins_over_a_typed_one(sessions: sessionmaker[Session]) -> None:
    run_import(sessions, EXAMPLE, "inc-20261127-checkout-5xx", detected="23:35", zone=ZoneInfo("UTC"))
    assert draft(sessions, "C07CHKOUT1")["phases"]["detected"] == "2026-11-27T23:35:00Z"


def test_markers_out_of_order_are_refused_with_the_option_to_fix_them(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(ImportRefused, match=r"--resolved TIME|--mitigated TIME"):
        run_import(sessions, EXAMPLE, "inc-20261127-checkout-5xx", mitigated="2026-11-28 01:00 UTC")


def test_an_unknown_channel_is_refused_naming_the_channels_there_are(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(ExportError, match="general, inc-20261127-checkout-5xx"):
        run_import(sessions, EXAMPLE, "random")


def test_a_path_that_is_not_an_export_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"no channels\.json"):
        SlackExport(tmp_path)
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ExportError, match="neither a folder nor a zip"):
        SlackExport(tmp_path / "notes.txt")


def items(sessions: sessionmaker[Session], channel: str) -> list[dict[str, Any]]:
    return draft(sessions, channel)["action_items"]


def test_typed_action_lines_become_action_items_once(sessions: sessionmaker[Session]) -> None:
    imported = run_import(sessions, EXAMPLE, "inc-20261127-checkout-5xx")
    assert imported.items_added == 2
    assert [(i["owner"], i["due"], i["text"], i["status"]) for i in items(sessions, "C07CHKOUT1")] == [
        ("U07RADIA03", "2026-12-04", "Alert on database pool saturation for checkout-api", "open"),
        ("U07ADA0001", "2026-12-11", "Show effective pool settings in the deploy diff", "open"),
    ]
    assert run_import(sessions, EXAMPLE, "inc-20261127-checkout-5xx").items_added == 0
    assert len(items(sessions, "C07CHKOUT1")) == 2


def with_message(tmp_path: Path, text: str, ts: str, user: str = "U07GRACE02") -> Path:
    copy = tmp_path / "export"
    shutil.copytree(EXAMPLE, copy)
    day = copy / "inc-20261127-checkout-5xx" / "2026-11-28.json"
    messages = json.loads(day.read_text(encoding="utf-8"))
    messages.append({"type": "message", "user": user, "text": text, "ts": ts, "team": "T07ACME01"})
    day.write_text(json.dumps(messages), encoding="utf-8")
    return copy


def test_a_relative_due_date_is_read_from_the_messages_day_in_its_authors_zone(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    # 2026-11-28 03:00 UTC is still the 27th in New York, where Grace typed "tomorrow".
    export = with_message(
        tmp_path, "/incident action <@U07KOFI004> tomorrow Write the pool runbook", "1795834800.000500"
    )
    run_import(sessions, export, "inc-20261127-checkout-5xx")
    runbook = [i for i in items(sessions, "C07CHKOUT1") if i["text"] == "Write the pool runbook"]
    assert [(i["owner"], i["due"]) for i in runbook] == [("U07KOFI004", "2026-11-28")]


def test_a_typed_action_without_exactly_one_owner_is_skipped_and_reported(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    export = with_message(
        tmp_path, "/incident action <@U07KOFI004> <@U07ADA0001> friday Share the runbook", "1795834800.000500"
    )
    imported = run_import(sessions, export, "inc-20261127-checkout-5xx")
    assert imported.items_added == 2
    [skipped] = imported.skipped
    assert skipped.startswith("1795834800.000500: /incident action")
    assert "exactly one owner" in skipped
