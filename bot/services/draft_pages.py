"""A posted version of an incident's draft as its page shows it: the Markdown as it was
posted, its Mermaid chart, and what changed since another version (a unified diff)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.services.pages import BadRequest, IncidentRow, NotFound, current_phases, incident_row, readable
from storage import page_queries as q


@dataclass(frozen=True)
class DraftPage:
    incident: IncidentRow
    version: int
    versions: list[tuple[int, datetime]]
    markdown: str
    mermaid: str | None
    diff_against: int | None
    diff: list[str]


def draft_page(
    session: Session, *, team_id: str, user_id: str, incident_id: int, version: int | None, against: int | None
) -> DraftPage:
    incident = readable(session, team_id=team_id, user_id=user_id, incident_id=incident_id)
    versions = q.draft_versions(session, incident)
    numbers = [number for number, _ in versions]
    if not numbers:
        raise NotFound(incident_id)
    version = numbers[-1] if version is None else version
    if version not in numbers:
        raise BadRequest(f"There is no draft version {version} of this incident.")
    if against is None:
        earlier = [n for n in numbers if n < version]
        against = earlier[-1] if earlier else None
    elif against not in numbers:
        raise BadRequest(f"There is no draft version {against} to compare with.")
    file = q.draft_file(session, incident, version) or {}
    markdown = str(file.get("content") or "")
    diff: list[str] = []
    if against is not None:
        before = (q.draft_markdown(session, incident, against) or "").splitlines()
        diff = list(difflib.unified_diff(before, markdown.splitlines(), f"v{against}", f"v{version}", n=2, lineterm=""))
    row = incident_row(incident, current_phases(session, incident))
    return DraftPage(row, version, versions, markdown, chart_of(file), against, diff)


def chart_of(file: dict[str, Any]) -> str | None:
    """The phase chart the bot drew for this version, kept beside its Markdown. Never a
    ```mermaid fence found in the Markdown: recorded text (a note, a message, an action item)
    is part of it, and what someone typed is data, not a chart to draw. A version queued
    before the chart was kept beside it is shown without one."""
    chart = file.get("chart")
    return chart if isinstance(chart, str) and chart else None
