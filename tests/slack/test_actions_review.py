"""The weekly review digest and `/incident stats`: content, order, and once a week."""

from __future__ import annotations

from datetime import timedelta

from bot.services import incidents
from bot.services.error_budgets import set_slo
from tests.conftest import Scribe
from tests.support.action_items import (
    add_item,
    at,
    command,
    outbox_settles,
    posts_with_key,
    run_jobs,
    start_incident,
    wait_for,
)

__all__ = ["outbox_settles"]


def mark(scribe: Scribe, channel: str, phase: str, iso: str) -> None:
    with scribe.sessions.begin() as session:
        incidents.mark_phase(
            session,
            team_id="T111",
            channel_id=channel,
            phase=phase,
            at=at(iso),
            note=None,
            user_id="U1",
            now=at(iso) + timedelta(hours=1),
        )


def a_month_of_incidents(scribe: Scribe) -> dict[str, int]:
    with scribe.sessions.begin() as session:
        set_slo(session, name="checkout", target="99.9", window="28d", now=at("2026-11-01T00:00:00Z"))
        set_slo(session, name="search", target="99.9", window="28d", now=at("2026-11-01T00:00:00Z"))
    scribe.clock.set("2026-11-30T09:00:00Z")
    start_incident(scribe, channel="C1", title="Checkout errors")
    start_incident(scribe, channel="C2", title="Search slow")
    start_incident(scribe, channel="C3", title="Login blip")
    command(scribe, "service checkout", channel="C1")
    command(scribe, "service search", channel="C2")
    for channel, minutes in (("C1", 50), ("C2", 5), ("C3", 3)):
        mark(scribe, channel, "detected", "2026-11-30T08:00:00Z")
        mark(scribe, channel, "mitigated", f"2026-11-30T08:{minutes:02d}:00Z")
        mark(scribe, channel, "resolved", "2026-11-30T08:59:00Z")
    ids = {
        "search_item": add_item(scribe, "U3", "2026-12-10", "Tune the search cache", channel="C2"),
        "late": add_item(scribe, "U2", "2026-12-01", "Alert on queue depth", channel="C1"),
        "soon": add_item(scribe, "U2", "2026-12-09", "Write the checkout runbook", channel="C1"),
    }
    command(scribe, f"due {ids['late']} 2026-12-02", user="U2", channel="C1")
    command(scribe, f"due {ids['late']} 2026-12-03", user="U2", channel="C1")
    return ids


def test_the_review_ranks_services_by_budget_burned_and_calls_out_theater(scribe: Scribe) -> None:
    ids = a_month_of_incidents(scribe)
    run_jobs(scribe, "2026-12-07T09:05:00Z", review_channel="CREVIEW")
    [review] = wait_for(lambda: posts_with_key(scribe.fake, "review:"), what="the review")
    assert review.params["channel"] == "CREVIEW"
    text = review.params["text"]
    assert "*checkout* — error budget 124% burned" in text
    assert "over budget" in text
    assert text.index("*checkout*") < text.index("*search*")
    checkout = text[text.index("*checkout*") : text.index("*search*")]
    assert checkout.index(f"#{ids['late']} Alert") < checkout.index(f"#{ids['soon']} Write")
    assert "(*4 days overdue*)" in checkout
    assert "rolled over 2×" in checkout
    assert f"• Overdue: 1 item — #{ids['late']} <@U2>" in text
    assert f"• Rolled over twice or more: #{ids['late']} <@U2> (2×)" in text
    assert "• Resolved with no action items: <#C3> Login blip" in text
    assert "acknowledge n/a, mitigate 5m, resolve 59m (3 resolved incidents)" in text


def test_the_review_goes_out_once_a_week_even_when_the_scheduler_runs_often(scribe: Scribe) -> None:
    a_month_of_incidents(scribe)
    for instant in ("2026-12-07T09:05:00Z", "2026-12-07T09:20:00Z", "2026-12-10T12:00:00Z", "2026-12-14T08:59:00Z"):
        run_jobs(scribe, instant, review_channel="CREVIEW")
    assert [c.params["metadata"]["event_payload"]["key"] for c in posts_with_key(scribe.fake, "review:")] == [
        "review:2026-W50"
    ]
    run_jobs(scribe, "2026-12-14T09:00:00Z", review_channel="CREVIEW")
    assert len(posts_with_key(scribe.fake, "review:")) == 2


def test_the_review_day_and_time_come_from_the_settings(scribe: Scribe) -> None:
    a_month_of_incidents(scribe)
    run_jobs(scribe, "2026-12-03T16:59:00Z", review_channel="CREVIEW", review_at="thu 17:00")
    assert [c.params["metadata"]["event_payload"]["key"] for c in posts_with_key(scribe.fake, "review:")] == [
        "review:2026-W48"
    ]
    run_jobs(scribe, "2026-12-03T17:00:00Z", review_channel="CREVIEW", review_at="thu 17:00")
    assert len(posts_with_key(scribe.fake, "review:")) == 2


def test_actions_mine_puts_items_of_services_over_budget_first(scribe: Scribe) -> None:
    ids = a_month_of_incidents(scribe)
    search_first_by_date = add_item(scribe, "U2", "2026-12-08", "Search thing", channel="C2")
    scribe.clock.set("2026-12-02T09:00:00Z")
    mine = command(scribe, "actions mine", user="U2")["text"]
    assert mine.index(f"#{ids['soon']}*") < mine.index(f"#{search_first_by_date}*")


def test_stats_show_budgets_close_rate_rollovers_and_medians(scribe: Scribe) -> None:
    ids = a_month_of_incidents(scribe)
    command(scribe, f"done {ids['search_item']}", user="U3", channel="C2")
    text = command(scribe, "stats")["text"]
    assert "• *checkout*: 124% burned (50m of 40m), *over budget*" in text
    assert "• *search*: 12% burned" in text
    assert "Closed on or before due date (last 4 weeks): 1 of 1 (100%)" in text
    assert "Rollovers on open items: 2" in text
    assert "(MTTA / MTTM / MTTR): n/a / 5m / 59m over 3 resolved incidents" in text


def test_a_service_name_must_be_one_word(scribe: Scribe) -> None:
    start_incident(scribe)
    assert "can't be a service name" in command(scribe, "service checkout api")["text"]
    assert "no SLO yet" in command(scribe, "service Checkout-API")["text"]
