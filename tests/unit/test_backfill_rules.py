from datetime import UTC, datetime

import pytest

from bot.core.backfill import ReadBack, backfill_oldest, split_since, thread_parents, threads_active_since
from bot.core.grammar import CommandError
from bot.core.message_changes import NotRecorded

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)


def test_since_is_split_off_the_start_arguments() -> None:
    assert split_since("sev2 DB down --since 13:50") == ("sev2 DB down", "13:50")
    assert split_since("sev2 DB down --since yesterday 23:10") == ("sev2 DB down", "yesterday 23:10")
    assert split_since("sev2 DB down") == ("sev2 DB down", None)


def test_since_without_a_time_is_refused_with_an_example() -> None:
    with pytest.raises(CommandError, match="--since 13:50"):
        split_since("DB down --since")


def test_without_since_a_backfill_reads_the_last_24_hours() -> None:
    assert backfill_oldest(NOW, None) == datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    since = datetime(2026, 11, 29, 13, 0, tzinfo=UTC)
    assert backfill_oldest(NOW, since) == since


def test_only_messages_with_replies_are_opened_as_threads() -> None:
    change = NotRecorded("not looked at here")
    page = [
        ReadBack("1.000001", change, has_replies=True),
        ReadBack("2.000002", change),
        ReadBack(None, change, has_replies=True),
    ]
    assert thread_parents(page) == ["1.000001"]


def test_a_thread_is_active_in_the_window_when_its_latest_reply_is_in_it() -> None:
    change = NotRecorded("not looked at here")
    page = [
        ReadBack("1.000001", change, has_replies=True, latest_reply="9.000009"),
        ReadBack("2.000002", change, has_replies=True, latest_reply="4.000004"),
        ReadBack("3.000003", change),
    ]
    assert threads_active_since(page, "5.000005") == ["1.000001"]
