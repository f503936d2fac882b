"""The weekly review digest as Slack mrkdwn."""

from __future__ import annotations

from datetime import timedelta

from bot.core.review import build_review
from bot.slack.review_text import render_review_text
from tests.support.review_values import NOW, TODAY, budget, incident, item


def test_the_digest_text_lists_groups_signals_and_health_in_order() -> None:
    items = [
        item(1, service="search", due=TODAY - timedelta(days=4), rollovers=2, text="Add <retries> & backoff"),
        item(2, service="checkout", due=TODAY + timedelta(days=2), owner=None),
        item(3, service=None, due=None),
        item(4, due=TODAY - timedelta(days=2), status="done", closed_at=NOW - timedelta(days=3)),
    ]
    incidents = [
        incident("C9", items=0, cause="Config change"),
        incident("C8", items=2, incomplete=1, cause="config change"),
    ]
    text = render_review_text(
        build_review(items, incidents, [budget("checkout", 1.25), budget("search", 0.5)], now=NOW)
    )
    assert text.startswith("*Weekly action-item review* — 2024-05-27 (UTC)")
    checkout = text.index("*checkout* — error budget 125% burned (50m of 40m, over budget)")
    search = text.index("*search* — error budget 50% burned (20m of 40m, 20m left)")
    no_service = text.index("*No service*")
    assert checkout < search < no_service < text.index("*Theater signals*") < text.index("*Signals of health*")
    assert (
        "• #1 Add &lt;retries&gt; &amp; backoff — <@U1> — due 2024-05-23 (*4 days overdue*) — rolled over 2× — <#C1>"
        in text
    )
    assert "• #2 — _no owner_ — due 2024-05-29 — <#C1>" in text
    assert "• #3 — <@U1> — _no due date_ — <#C1>" in text
    assert "• Overdue: 1 item — #1 <@U1>" in text
    assert "• Rolled over twice or more: #1 <@U1> (2×)" in text
    assert "• Resolved with no action items: <#C9> Incident in C9" in text
    assert "• Action items without an owner or due date: <#C8> Incident in C8 (1)" in text
    assert "• Closed on or before due date (last 4 weeks): 1 of 2 (50%)" in text
    assert "• Repeated root causes: Config change (2 incidents)" in text
    assert "• Median time from detection — acknowledge 5m, mitigate 30m, resolve 2h (2 resolved incidents)" in text


def test_a_quiet_week_says_so() -> None:
    text = render_review_text(build_review([], [], [], now=NOW))
    assert "No open action items." in text
    assert "• None this week." in text
    assert "no items were due" in text
    assert "no resolved incidents yet" in text
