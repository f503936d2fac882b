"""Drafts of an incident's record: the JSON of the contract, the Markdown postmortem, and the
numbered versions posted to the incident channel through the outbox."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy.orm import Session, sessionmaker

from bot.core.draft import Draft
from bot.core.draft_json import record_to_json
from bot.core.pages import incident_page
from bot.core.postmortem import build_draft, draft_sections
from bot.core.postmortem_markdown import people_in, render_markdown
from bot.core.record import IncidentRecord
from bot.core.updates import parse_update_every, target_for
from bot.services import outbox
from bot.services.errors import NotAnIncident
from bot.services.record_reader import load_record
from bot.settings import Settings
from storage import incidents as repo
from storage import people as people_repo
from storage import postmortems
from storage.models import Incident

log = logging.getLogger(__name__)

MessageBuilder = Callable[["PreparedDraft"], dict[str, Any]]
"""Turns a prepared draft into chat.postMessage arguments (text, blocks): the Slack adapter's job."""

WorkspaceFetcher = Callable[[], tuple[str | None, str | None]]
"""Asks Slack for the workspace's (name, url), e.g. from auth.test."""


class TemplateProblem(Exception):
    """The team's own template (SCRIBE_POSTMORTEM_TEMPLATE) cannot be read or rendered."""


@dataclass(frozen=True)
class PreparedDraft:
    draft: Draft
    markdown: str
    filename: str
    reason: str
    """"resolved" (posted on resolution) or "requested" (``/incident postmortem``)."""
    requested_by: str | None
    template_problem: str | None
    """Why the team's template was not used (the packaged one was), or None."""
    names: Mapping[str, str] = field(default_factory=dict)
    """Known names of the people in the draft (user id → name), from the people cache."""
    page_url: str | None = None
    """The incident's web page (SCRIBE_PUBLIC_URL), or None when no public URL is set."""


@dataclass(frozen=True)
class PostedDraft:
    version: int
    full: bool
    message_key: str
    file_key: str
    incident_id: int


def wants_full_draft(severity: str | None, *, surprised: bool, severities: tuple[str, ...]) -> bool:
    """The severity policy: listed severities, unset severity, or a surprise get the full draft."""
    if severity is None or surprised:
        return True
    return severity.lower() in severities


def read_template(path: str | None) -> str | None:
    """The team's template source, or None for the packaged one."""
    if not path:
        return None
    try:
        return Path(path).expanduser().read_text(encoding="utf-8")
    except OSError as error:
        raise TemplateProblem(
            f"SCRIBE_POSTMORTEM_TEMPLATE {path!r} cannot be read: {error.strerror or error}"
        ) from None


def render(draft: Draft, settings: Settings, *, names: Mapping[str, str] | None = None) -> tuple[str, str | None]:
    """The Markdown from the team's template when it works, else the packaged one (and why)."""
    try:
        source = read_template(settings.postmortem_template)
        if source is not None:
            return render_markdown(draft, template=source, names=names), None
    except TemplateProblem as refused:
        log.error("%s; using the packaged template", refused)
        return render_markdown(draft, names=names), str(refused)
    except jinja2.TemplateError as error:
        problem = f"SCRIBE_POSTMORTEM_TEMPLATE {settings.postmortem_template!r} failed to render: {error}"
        log.error("%s; using the packaged template", problem)
        return render_markdown(draft, names=names), problem
    return render_markdown(draft, names=names), None


def record_for_channel(session: Session, channel_id: str, *, team_id: str | None = None) -> IncidentRecord:
    return load_record(session, _incident(session, channel_id, team_id))


def draft_json(
    session: Session, channel_id: str, *, now: datetime, settings: Settings, team_id: str | None = None
) -> dict[str, Any]:
    """The contract's keys, plus ``sections`` (the draft's text) and ``draft`` (how it was made)."""
    incident = _incident(session, channel_id, team_id)
    record = _with_target(load_record(session, incident), settings)
    draft = build_draft(
        record,
        now=now,
        full=wants_full_draft(record.severity, surprised=record.surprised, severities=settings.postmortem_severities),
        version=postmortems.latest_version(session, incident.id),
    )
    result = record_to_json(record)
    result["sections"] = draft_sections(draft)
    result["draft"] = {
        "version": draft.version,
        "full": draft.full,
        "final": draft.final,
        "not_final_reason": draft.not_final_reason,
        "generated": draft.generated,
    }
    return result


def draft_markdown(
    session: Session, channel_id: str, *, now: datetime, settings: Settings, team_id: str | None = None
) -> str:
    """The Markdown that is uploaded, numbered as the latest posted version."""
    incident = _incident(session, channel_id, team_id)
    return _prepare(
        session, incident, now=now, settings=settings, version=postmortems.latest_version(session, incident.id)
    ).markdown


def reserve_draft(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    now: datetime,
    settings: Settings,
    reason: str,
    requested_by: str | None,
) -> PostedDraft:
    """Number the next version of the draft, in the caller's transaction: it will be posted if
    and only if the change commits. Cheap, so it fits in the answer to Slack; the draft itself
    is built afterwards by :func:`enqueue_reserved_drafts`."""
    incident = repo.find_incident(session, team_id, channel_id)
    if incident is None:
        raise NotAnIncident()
    surprised = repo.has_entry(session, incident.id, "surprised")
    full = wants_full_draft(incident.severity, surprised=surprised, severities=settings.postmortem_severities)
    version = postmortems.add_version(
        session, incident_id=incident.id, full=full, reason=reason, requested_by=requested_by, now=now
    )
    message_key, file_key = draft_keys(incident.id, version)
    return PostedDraft(version=version, full=full, message_key=message_key, file_key=file_key, incident_id=incident.id)


def draft_keys(incident_id: int, version: int) -> tuple[str, str]:
    """The outbox keys of a draft version: the summary message, then the Markdown file."""
    message_key = f"draft:{incident_id}:v{version}"
    return message_key, f"{message_key}:file"


def enqueue_reserved_drafts(
    sessions: sessionmaker[Session],
    *,
    settings: Settings,
    message_for: MessageBuilder,
    incident_id: int | None = None,
) -> int:
    """Build every reserved draft version that is not in the outbox yet and put it there.

    Runs after the answer to Slack, and on the clock to catch up after a crash; the outbox's
    unique keys make a second run add nothing. A draft is made as of the moment its version was
    reserved. Returns how many versions it queued."""
    with sessions() as session:
        waiting = postmortems.versions_without_posts(session, incident_id=incident_id)
    queued = 0
    for row in waiting:
        with sessions.begin() as session:
            incident = session.get(Incident, row.incident_id)
            if incident is None:
                continue
            record = _with_target(load_record(session, incident), settings)
            prepared = _prepare_record(
                record,
                now=row.created_at,
                settings=settings,
                version=row.version,
                full=row.full,
                reason=row.reason,
                requested_by=row.requested_by,
                names_for=_names_for(session, incident.team_id),
                page_url=incident_page(settings.public_url, incident.id),
            )
            message_key, file_key = draft_keys(incident.id, row.version)
            team, channel, now = incident.team_id, incident.channel_id, row.created_at
            outbox.enqueue(
                session,
                team_id=team,
                key=message_key,
                kind="message",
                channel=channel,
                payload=message_for(prepared),
                now=now,
            )
            outbox.enqueue(
                session,
                team_id=team,
                key=file_key,
                kind="file",
                channel=channel,
                payload={
                    "content": prepared.markdown,
                    "filename": prepared.filename,
                    "title": f"Postmortem draft v{row.version}: {record.title}",
                    "initial_comment": None,
                    "chart": prepared.draft.mermaid,  # the web page draws this, never a fence in the text
                },
                now=now,
            )
        queued += 1
    return queued


def remember_workspace_url(session: Session, *, team_id: str, fetch: WorkspaceFetcher, now: datetime) -> str | None:
    """The workspace URL for permalinks: stored once, asked of Slack only while unknown.

    Slack being unreachable is not a reason to refuse a draft: it just has no links.
    """
    known = repo.workspace_url(session, team_id)
    if known:
        return known
    try:
        name, url = fetch()
    except Exception:
        log.warning("could not learn the URL of workspace %s; the draft has no permalinks", team_id, exc_info=True)
        return None
    if url:
        repo.remember_workspace(session, team_id=team_id, name=name, url=url, now=now)
    return url


def draft_filename(record: IncidentRecord, version: int | None) -> str:
    suffix = f"-v{version}" if version is not None else ""
    return f"postmortem-{record.channel}{suffix}.md"


def _prepare(
    session: Session, incident: Incident, *, now: datetime, settings: Settings, version: int | None
) -> PreparedDraft:
    record = _with_target(load_record(session, incident), settings)
    full = wants_full_draft(record.severity, surprised=record.surprised, severities=settings.postmortem_severities)
    return _prepare_record(
        record,
        now=now,
        settings=settings,
        version=version,
        full=full,
        reason="requested",
        requested_by=None,
        names_for=_names_for(session, incident.team_id),
        page_url=incident_page(settings.public_url, incident.id),
    )


def _prepare_record(
    record: IncidentRecord,
    *,
    now: datetime,
    settings: Settings,
    version: int | None,
    full: bool,
    reason: str,
    requested_by: str | None,
    names_for: Callable[[set[str]], Mapping[str, str]],
    page_url: str | None = None,
) -> PreparedDraft:
    draft = build_draft(record, now=now, full=full, version=version)
    names = names_for(people_in(draft))
    markdown, problem = render(draft, settings, names=names)
    return PreparedDraft(
        draft=draft,
        markdown=markdown,
        filename=draft_filename(record, version),
        reason=reason,
        requested_by=requested_by,
        template_problem=problem,
        names=names,
        page_url=page_url,
    )


def _with_target(record: IncidentRecord, settings: Settings) -> IncidentRecord:
    """The record with the update cadence owed for its severity (``SCRIBE_UPDATE_EVERY``)."""
    return replace(record, update_target=target_for(parse_update_every(settings.update_every), record.severity))


def _names_for(session: Session, team_id: str) -> Callable[[set[str]], Mapping[str, str]]:
    """Names from the people cache (filled by users.info and by imports): no Slack call here."""
    return lambda user_ids: people_repo.names_of(session, team_id, user_ids)


def _incident(session: Session, channel_id: str, team_id: str | None) -> Incident:
    incident = (
        repo.find_incident(session, team_id, channel_id)
        if team_id
        else repo.find_incident_by_channel(session, channel_id)
    )
    if incident is None:
        raise LookupError(f"no incident is recorded for channel {channel_id}")
    return incident
