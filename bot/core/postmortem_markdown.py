"""The postmortem draft rendered as Markdown, from the packaged Jinja2 template or a team's own.

The template's filters make Slack markup readable in Markdown and show people by name where
the name is known.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

import jinja2

from bot.core.draft import SECTION_NAMES, Draft, TimelineLine
from bot.core.mentions import mentioned_users, named
from bot.core.ticket_info import TicketInfo
from bot.core.transcript import TranscriptLine

TEMPLATE_NAME = "postmortem.md.j2"

_SLACK_MARKUP = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>|<((?:https?|mailto):[^>|]+)\|([^>]*)>")


def render_markdown(draft: Draft, *, template: str | None = None, names: Mapping[str, str] | None = None) -> str:
    """The draft as Markdown, from the packaged template or a team's own template source.

    ``names`` (user id → name, from the people cache) turn ``U123`` into ``@Ada``; an id with no
    known name stays an id."""
    source = template if template is not None else _packaged_template()
    return compiled_template(source).render(draft=draft, sections=SECTION_NAMES, **{NAMES_VARIABLE: names or {}})


NAMES_VARIABLE = "_scribe_names"
"""The render variable the filters read the names from (a template is compiled once, its names
differ with every draft)."""


@functools.lru_cache(maxsize=8)
def compiled_template(source: str) -> jinja2.Template:
    """``source`` compiled once: compiling costs many times what rendering a draft does."""
    environment = jinja2.Environment(
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["md"] = _with_names(slack_to_markdown)
    environment.filters["author"] = _with_names(name_author)
    environment.filters["person"] = _with_names(person)
    environment.filters["correction"] = _with_names(correction_note)
    environment.filters["ticket"] = ticket_link
    return environment.from_string(source)


def _with_names(render: Callable[..., str]) -> Callable[..., str]:
    @jinja2.pass_context
    def filter_(context: jinja2.runtime.Context, value: Any, *args: Any) -> str:
        return render(value, *args, names=context.get(NAMES_VARIABLE) or {})

    return filter_


def people_in(draft: Draft) -> set[str]:
    """Every user id the Markdown can show: authors, owners and people mentioned in any text."""
    ids = {line.user for line in draft.timeline if line.user} | {line.user for line in draft.transcript if line.user}
    ids.update(who for line in draft.timeline for who in line.corrected_by)
    ids.update(item.owner for item in draft.action_items if item.owner)
    sections = (draft.impact, draft.root_cause, draft.contributing_factors, draft.went_well, draft.went_poorly)
    texts: list[str | None] = [
        draft.summary,
        *draft.phase_notes,
        *(text for section in sections for text in section.texts),
    ]
    texts += [line.text for line in draft.timeline] + [line.text for line in draft.transcript]
    texts += [item.text for item in draft.action_items]
    return ids | mentioned_users(texts)


def slack_to_markdown(text: str | None, indent: int = 0, *, names: Mapping[str, str] | None = None) -> str:
    """Slack mrkdwn references made readable in Markdown; continuation lines indented."""
    if not text:
        return ""
    converted = _SLACK_MARKUP.sub(functools.partial(_replace_markup, names=names or {}), text)
    if "\n" in converted:
        converted = converted.replace("\n", "\n" + " " * indent)
    return converted


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")
_PLAIN_URL = re.compile(r"https?://[^\s()<>\[\]\"'`|\x00-\x1f\x7f]+", re.IGNORECASE)


def ticket_link(ticket: TicketInfo) -> str:
    """An item's ticket for Markdown: ``[Jira OPS-12](https://…)``, its label escaped and its
    address used only when it is a plain http(s) one (both came from the tracker)."""
    label = _MD_SPECIAL.sub(r"\\\1", " ".join(ticket.label().split()))
    if ticket.url and _PLAIN_URL.fullmatch(ticket.url):
        return f"[{label}]({ticket.url})"
    return label


def person(user_id: str, *, names: Mapping[str, str] | None = None) -> str:
    """A user for Markdown: "@Ada Lovelace" when the name is known, else "@U123"."""
    return f"@{(names or {}).get(user_id) or user_id}"


def name_author(line: TimelineLine | TranscriptLine, *, names: Mapping[str, str] | None = None) -> str:
    """Who posted a line, for Markdown: "@Ada Lovelace" (or "@U123"), or "PagerDuty (bot)"."""
    if line.bot:
        return f"{line.bot} (bot)"
    return person(line.user, names=names) if line.user else "unknown"


def correction_note(line: TimelineLine, *, names: Mapping[str, str] | None = None) -> str:
    """What a curated correction replaced, for the end of a timeline line; "" when uncorrected:
    `` · _corrected by @Ada_ (recorded at 14:02 as “…”)``."""
    if not line.corrected:
        return ""
    who = ", ".join(person(user, names=names) for user in line.corrected_by)
    recorded = []
    if line.original_time is not None:
        recorded.append(f"at {line.original_time}")
    if line.original_text is not None:
        recorded.append(f"as “{slack_to_markdown(line.original_text, 2, names=names)}”")
    return f" · _corrected by {who}_ (recorded {' '.join(recorded)})"


def _replace_markup(match: re.Match[str], *, names: Mapping[str, str]) -> str:
    sigil, target, label, url, url_label = match.groups()
    if url is not None:
        return f"[{url_label or url}]({url})"
    if sigil == "@":
        return named(target, label, names)
    if sigil == "#":
        return f"#{label or target}"
    if label:  # <!subteam^S1|@team>, <!date^…|fallback>
        return label
    return f"@{target}"


@functools.cache
def _packaged_template() -> str:
    return resources.files("bot").joinpath("templates", TEMPLATE_NAME).read_text(encoding="utf-8")
