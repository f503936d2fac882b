from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.backfill import backfill_oldest, split_since, thread_parents
from bot.core.commands import CommandError

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
    page: list[dict[str, Any]] = [
        {"ts": "1.000001", "reply_count": 3},
        {"ts": "2.000002"},
        {"ts": "3.000003", "thread_ts": "3.000003", "latest_reply": "4.000004"},
        {"ts": "5.000005", "thread_ts": "3.000003"},
        {"ts": "not a ts", "reply_count": 1},
    ]
    assert thread_parents(page) == ["1.000001", "3.000003"]
