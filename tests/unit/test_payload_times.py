"""Senders' times read exactly: Go's RFC 3339 with nanoseconds and offsets, epoch ms and ns."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.webhooks.payloads import NotThisSendersPayload, epoch, is_go_zero_time, rfc3339


@pytest.mark.parametrize(
    ("sent", "meant"),
    [
        ("2026-12-02T13:49:52.123456789Z", datetime(2026, 12, 2, 13, 49, 52, 123456, tzinfo=UTC)),
        ("2026-12-02T13:49:59.999999999Z", datetime(2026, 12, 2, 13, 49, 59, 999999, tzinfo=UTC)),
        ("2026-12-02T15:51:03.157076+02:00", datetime(2026, 12, 2, 13, 51, 3, 157076, tzinfo=UTC)),
        ("2026-12-02T13:50:07Z", datetime(2026, 12, 2, 13, 50, 7, tzinfo=UTC)),
        ("2026-12-02T13:50:07.5z", datetime(2026, 12, 2, 13, 50, 7, 500000, tzinfo=UTC)),
    ],
)
def test_rfc3339_times_become_aware_utc_with_digits_past_microseconds_dropped(sent: str, meant: datetime) -> None:
    assert rfc3339(sent, name="t") == meant


@pytest.mark.parametrize("sent", ["2026-12-02 13:50", "2026-12-02T13:50:07", "2026-13-02T13:50:07Z", 1796219407, None])
def test_a_time_without_a_zone_or_not_a_time_is_refused(sent: object) -> None:
    with pytest.raises(NotThisSendersPayload):
        rfc3339(sent, name="t")


def test_epoch_nanoseconds_beyond_a_floats_range_are_read_exactly() -> None:
    nanoseconds = 1_796_219_741_987_654_321
    assert float(nanoseconds) != nanoseconds
    assert epoch(nanoseconds, per_second=10**9, name="t") == datetime(2026, 12, 2, 13, 55, 41, 987654, tzinfo=UTC)
    assert epoch(str(nanoseconds), per_second=10**9, name="t") == datetime(2026, 12, 2, 13, 55, 41, 987654, tzinfo=UTC)
    assert epoch(1_796_219_407_123, per_second=1000, name="t") == datetime(2026, 12, 2, 13, 50, 7, 123000, tzinfo=UTC)
    for bad in (1.796219741987654e18, True, "12a", None):
        with pytest.raises(NotThisSendersPayload):
            epoch(bad, per_second=10**9, name="t")


def test_gos_zero_time_means_still_firing() -> None:
    assert is_go_zero_time("0001-01-01T00:00:00Z")
    assert not is_go_zero_time("2026-12-02T13:50:07Z")
