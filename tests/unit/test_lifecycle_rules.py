from datetime import UTC, datetime

import pytest

from bot.core.lifecycle import IncidentState, LifecycleError, check_may_close, check_may_reopen

CLOSED_AT = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)


def test_a_resolved_open_incident_may_be_closed() -> None:
    check_may_close(IncidentState("Checkout errors", "resolved", None))


def test_an_incident_that_is_not_resolved_may_not_be_closed_and_the_refusal_says_what_to_do() -> None:
    with pytest.raises(LifecycleError, match=r"not resolved yet.*`/incident mark resolved \[at TIME\]`"):
        check_may_close(IncidentState("Checkout errors", "active", None))


def test_a_closed_incident_is_not_closed_again() -> None:
    with pytest.raises(LifecycleError, match="was closed at 2026-11-29 15:00 UTC"):
        check_may_close(IncidentState("Checkout errors", "resolved", CLOSED_AT))


def test_reopening_needs_a_closed_incident_and_none_open() -> None:
    closed = IncidentState("Checkout errors", "resolved", CLOSED_AT)
    check_may_reopen(open_incident=None, last_closed=closed)
    with pytest.raises(LifecycleError, match="“Payments” is open"):
        check_may_reopen(open_incident=IncidentState("Payments", "active", None), last_closed=closed)
    with pytest.raises(LifecycleError, match="nothing to reopen"):
        check_may_reopen(open_incident=None, last_closed=None)
