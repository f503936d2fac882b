"""The postmortem draft as one Slack message: a Block Kit summary that always fits Slack's limits.

The Markdown file carries everything; the message carries what a responder reads first. Lists
(blameless flags, key events, action items) are cut to fit, and say how much more the file has.
Slack's limits: 3,000 characters per section text, 50 blocks, 40,000 characters per message;
the size kept here is the JSON size of the blocks, which is never smaller than their text.

The blocks stay plain dicts (not slack_sdk.models.blocks, as in action_blocks): the budget below
measures each block's JSON as it is built and cuts lists to fit, so a draft of any size
summarises itself; the models would only check the same limits afterwards, by raising, which is
the one outcome a draft must not have. tests/slack/test_postmortem_blocks.py holds these limits.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.core.draft import Draft, TextSection
from bot.services.drafts import PreparedDraft
from bot.slack.safe_text import safe_link, safe_mrkdwn, safe_plain_text, user_mention

MAX_SECTION_CHARS = 3000
MAX_BLOCKS = 50
MAX_MESSAGE_CHARS = 40_000
MAX_HEADER_CHARS = 150
MAX_LINE_CHARS = 400
"""A single list line (a long message, a long action item) is cut to this in the message."""
MAX_LINK_CHARS = MAX_LINE_CHARS // 2
"""A key event's link longer than this is left out (its time is shown without it)."""
MAX_FALLBACK_CHARS = 1000
MORE_RESERVE = 120
PAGE_LABEL = "The incident's page"
"""Room kept in a list for its closing "…and N more" line."""

Block = dict[str, Any]
Quiet = Callable[[str], str]


@dataclass
class Budget:
    blocks: int
    chars: int

    def take(self, block: Block) -> bool:
        size = block_size(block)
        if self.blocks < 1 or size > self.chars:
            return False
        self.spend(block)
        return True

    def spend(self, block: Block) -> None:
        self.blocks -= 1
        self.chars -= block_size(block)


def draft_message(prepared: PreparedDraft) -> dict[str, Any]:
    """chat.postMessage arguments (text, blocks) for a draft; inside Slack's limits whatever its size."""
    draft = prepared.draft
    # Recorded text is quoted without notifying anyone: a draft is posted again with every
    # version, and neither an alert bot's <!channel> nor a name in a root cause may ping each
    # time. Action-item owners stay real mentions: the items are theirs.
    quiet = functools.partial(safe_mrkdwn, names=prepared.names)
    head = _head_blocks(prepared, quiet)
    sections = _section_blocks(draft, quiet) if draft.full else []
    tail = [_context(_file_note(prepared))]
    if prepared.page_url:
        tail.append(
            _context(
                f":link: {safe_link(prepared.page_url, PAGE_LABEL)}: the record, the timeline to curate, every version."
            )
        )
    text = fit_text(
        f"Postmortem draft{_version(draft)} for {quiet(draft.title)}: {quiet(draft.summary)}", MAX_FALLBACK_CHARS
    )
    budget = Budget(MAX_BLOCKS, MAX_MESSAGE_CHARS - len(json.dumps(text, ensure_ascii=False)) - 200)
    for block in head + sections + tail:  # each is cut to a section's size: together far below the limits
        budget.spend(block)
    # Lists share what is left, most important first: action items, blameless flags, key events.
    items = list_blocks(
        "*Action items*", _action_lines(draft, quiet), budget, more="action items", empty=_no_items(draft)
    )
    flags = (
        list_blocks(_flags_title(draft), _flag_lines(draft, quiet), budget, more="flagged phrases")
        if draft.blame_flags
        else []
    )
    events = (
        list_blocks(
            "*Key events (UTC)*",
            _event_lines(draft, quiet),
            budget,
            more="key events",
            empty="_No key events were recorded._",
        )
        if draft.full
        else []
    )
    blocks = head + flags + ([{"type": "divider"}] if events and budget.take({"type": "divider"}) else []) + events
    blocks += sections + items + tail
    return {"text": text, "blocks": blocks}


def list_blocks(title: str, lines: list[str], budget: Budget, *, more: str, empty: str | None = None) -> list[Block]:
    """Lines packed into sections under ``title``, as many as the budget allows; the rest
    summed up as "…and N more {more} in the file"."""
    if not lines:
        block = _section(f"{title}\n{empty}" if empty else title)
        return [block] if budget.take(block) else []
    chunks: list[list[str]] = [[title]]
    chars_left = budget.chars - MORE_RESERVE
    spent = 0  # JSON size of the chunks already closed
    shown = 0
    for line in lines:
        current = chunks[-1]
        joined = "\n".join([*current, line])
        if len(joined) <= MAX_SECTION_CHARS - MORE_RESERVE and spent + _size_of_text(joined) <= chars_left:
            current.append(line)
            shown += 1
            continue
        closed = spent + _size_of_text("\n".join(current))
        if len(chunks) >= budget.blocks or closed + _size_of_text(line) > chars_left:
            break
        spent = closed
        chunks.append([line])
        shown += 1
    hidden = len(lines) - shown
    if hidden:
        chunks[-1].append(f"_…and {hidden:,} more {more} in the file._")
    taken = []
    for chunk in chunks:
        block = _section("\n".join(chunk))
        if not budget.take(block):
            break
        taken.append(block)
    return taken


def fit_text(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, at a line or word end where one is near, with "…".

    The cut never falls inside markup (a link, a mention): everything else in the text is
    escaped, so a ``<`` still open at the cut is markup, and the cut moves before it; a ``<``
    left open would join the next ``>`` into a link Slack reads with another label."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    for separator in ("\n", " "):
        at = cut.rfind(separator)
        if at >= limit // 2:
            cut = cut[:at]
            break
    opened = cut.rfind("<")
    if opened > cut.rfind(">"):
        cut = cut[:opened]
    return cut.rstrip() + "…"


def block_size(block: Block) -> int:
    return len(json.dumps(block, ensure_ascii=False))


def message_size(blocks: list[Block]) -> int:
    return len(json.dumps(blocks, ensure_ascii=False))


def _head_blocks(prepared: PreparedDraft, quiet: Quiet) -> list[Block]:
    draft = prepared.draft
    title = safe_plain_text(draft.title, names=prepared.names)
    blocks: list[Block] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": fit_text(f"Postmortem draft{_version(draft)}: {title}", MAX_HEADER_CHARS),
            },
        },
        _context(" · ".join(_facts(prepared, quiet))),
    ]
    if prepared.template_problem:
        blocks.append(
            _context(fit_text(f":warning: {quiet(prepared.template_problem)}. The packaged template was used.", 2900))
        )
    blocks.append(_section(fit_text(quiet(draft.summary), MAX_SECTION_CHARS)))
    blocks.append({"type": "section", "fields": [_phase_field(line) for line in draft.phases]})
    if draft.phase_notes:  # where alert-set phases come from, and the alerts' resolution as a suggestion
        blocks.append(_context(fit_text("\n".join(quiet(note) for note in draft.phase_notes), 2900)))
    if not draft.final and draft.not_final_reason:
        blocks.append(_section(f":warning: *Not final:* {draft.not_final_reason}"))
    return blocks


def _facts(prepared: PreparedDraft, quiet: Quiet) -> list[str]:
    draft = prepared.draft
    facts = [draft.severity or "severity not set"]
    if draft.service:
        facts.append(f"service {quiet(draft.service)}")
    facts.append("full postmortem" if draft.full else "short summary")
    facts.append(f"generated {draft.generated} UTC")
    if prepared.reason == "resolved":
        facts.append("posted on resolution")
    elif prepared.requested_by:
        facts.append(f"regenerated for {user_mention(prepared.requested_by)}")
    return facts


def _phase_field(line: Any) -> Block:
    value = line.time or "not marked"
    if line.since_detection:
        value += f" (+{line.since_detection})"
    return {"type": "mrkdwn", "text": f"*{line.phase.capitalize()}*\n{value}"}


def _verb(phase: str) -> str:
    """The phase as the Impact lines write it: "acknowledged" → "acknowledge"."""
    return phase[:-1] if phase.endswith("ed") else phase


def _section_blocks(draft: Draft, quiet: Quiet) -> list[Block]:
    durations = "  ".join(
        f"Time to {_verb(line.phase)}: {line.since_detection or 'not measured'}" for line in draft.phases[1:]
    )
    blocks = [_text_section(draft.impact, quiet, lead=durations)]
    blocks += [
        _text_section(section, quiet)
        for section in (draft.root_cause, draft.contributing_factors, draft.went_well, draft.went_poorly)
    ]
    return blocks


def _text_section(section: TextSection, quiet: Quiet, *, lead: str | None = None) -> Block:
    lines = [f"*{section.name}*"]
    if lead:
        lines.append(lead)
    if section.texts:
        lines += [f"• {quiet(text)}" for text in section.texts]
    else:
        lines.append(f"_{section.prompt}_")
    return _section(fit_text("\n".join(lines), MAX_SECTION_CHARS))


def _action_lines(draft: Draft, quiet: Quiet) -> list[str]:
    lines = []
    for item in draft.action_items:
        owner = user_mention(item.owner) if item.owner else "*no owner*"
        due = item.due or "*no due date*"
        mark = ":white_check_mark:" if item.done else ":black_square_button:"
        extra = " (overdue)" if item.overdue else ""
        extra += f" :warning: {', '.join(item.problems)}" if item.problems else ""
        lines.append(
            fit_text(f"{mark} #{item.id} {quiet(_one_line(item.text))} — {owner}, due {due}{extra}", MAX_LINE_CHARS)
        )
    return lines


def _no_items(draft: Draft) -> str:
    return "_No action items yet. Each needs exactly one owner and a due date: `/incident action @owner DUE TEXT`._"


def _flags_title(draft: Draft) -> str:
    count = len(draft.blame_flags)
    noun = "phrase" if count == 1 else "phrases"
    return (
        f":mag: *Blameless check:* {count} {noun} may name a person as the cause. "
        "The text is left as written; consider rephrasing around the system."
    )


def _flag_lines(draft: Draft, quiet: Quiet) -> list[str]:
    return [
        fit_text(
            f"• *{item.section}:* “{quiet(_one_line(item.flag.sentence))}” "
            f"(flagged: _{quiet(item.flag.phrase)}_) — {item.flag.hint}",
            MAX_LINE_CHARS * 2,
        )
        for item in draft.blame_flags
    ]


def _event_lines(draft: Draft, quiet: Quiet) -> list[str]:
    lines = []
    for line in draft.timeline:
        # a link too long to leave room for the line is left out, so that a cut never splits it
        time = safe_link(line.permalink, line.time) if len(line.permalink or "") <= MAX_LINK_CHARS else line.time
        label = f"*{quiet(line.label)}*" if line.label else ""
        text = quiet(_one_line(line.text or ""))
        body = f"{label} — {text}" if label and text else (label or text)
        who = f" ({quiet(line.bot)})" if line.bot else ""
        curated = (" :star:" if line.starred else "") + (" _(corrected)_" if line.corrected else "")
        lines.append(fit_text(f"• {time} {body}{who}{curated}", MAX_LINE_CHARS))
    return lines


def _file_note(prepared: PreparedDraft) -> str:
    draft = prepared.draft
    if draft.full:
        return (
            f":page_facing_up: The whole draft, with the phase chart and the full transcript, is in "
            f"`{prepared.filename}`. Add to it with `/incident impact|cause|factor|went-well|went-poorly TEXT`, "
            "then `/incident postmortem` for a new version."
        )
    return (
        f":page_facing_up: A short summary, as for this severity; the draft is in `{prepared.filename}`. "
        "If this incident surprised you, run `/incident surprised`, then `/incident postmortem` for the full draft."
    )


def _version(draft: Draft) -> str:
    return f" v{draft.version}" if draft.version is not None else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _size_of_text(text: str) -> int:
    return block_size(_section(text))
