"""The draft page draws the chart the bot drew for a version, kept beside its Markdown, and
never a ```mermaid fence found in the Markdown: recorded text is data, not a chart to draw."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.server import http_app
from bot.slack.background import wait_for_background
from bot.slack.deps import Deps
from tests.conftest import Scribe
from tests.support.slack_requests import SlackRequests
from tests.ui.test_pages import start_incident, visitor

TEAM_TEMPLATE = """# {{ draft.title | md }}

{% for line in draft.timeline %}
- {{ line.time }} {{ line.text | md }}
{% endfor %}

{% if draft.mermaid %}
```mermaid
{{ draft.mermaid }}
```
{% endif %}
"""


@pytest.fixture
def templated(scribe: Scribe, tmp_path: Path) -> Iterator[Scribe]:
    """The app with a team's own draft template (SCRIBE_POSTMORTEM_TEMPLATE): the timeline's
    texts unindented, the bot's chart after them."""
    template = tmp_path / "team.md.j2"
    template.write_text(TEAM_TEMPLATE, encoding="utf-8")
    settings = replace(scribe.settings, postmortem_template=str(template))
    deps = Deps(settings=settings, sessions=scribe.sessions, clock=scribe.clock)
    wsgi = http_app(deps)
    yield replace(
        scribe,
        slack=SlackRequests(wsgi, response_url=scribe.fake.respond_url()),
        settings=settings,
        deps=deps,
        wsgi=wsgi,
    )
    wait_for_background()
    deps.writes.close()


def test_the_draft_page_draws_the_bots_chart_never_a_mermaid_fence_typed_in_a_note(templated: Scribe) -> None:
    number = start_incident(templated)
    templated.answer("note see ```mermaid\nflowchart LR\n  A[click me] --> B\n```", channel="C1")
    templated.answer("mark detected at 14:00 UTC", channel="C1")
    templated.answer("mark resolved at 15:00 UTC", channel="C1")
    person = visitor(templated)
    person.sign_in("U1")
    draft = person.get(f"/ui/incidents/{number}/drafts").text
    chart = re.search(r'<pre class="mermaid">(.*?)</pre>', draft, re.S)
    assert chart
    assert chart.group(1).startswith("gantt")
    assert "flowchart" not in chart.group(1)
    assert "flowchart LR" in draft  # in the Markdown, as text


def test_the_draft_page_draws_nothing_when_the_bot_drew_no_chart(scribe: Scribe) -> None:
    number = start_incident(scribe)
    scribe.answer("note see ```mermaid\nflowchart LR\n  A[click me] --> B\n```", channel="C1")
    scribe.answer("mark resolved at 15:00 UTC", channel="C1")  # one phase: the bot draws no chart
    person = visitor(scribe)
    person.sign_in("U1")
    draft = person.get(f"/ui/incidents/{number}/drafts").text
    assert "flowchart LR" in draft
    assert '<pre class="mermaid">' not in draft
    assert "mermaid.min.js" not in draft
