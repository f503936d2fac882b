"""``/incident star | unstar | hide | unhide ENTRY``: curating the draft's timeline from Slack.

ENTRY is what a person can copy in Slack: a message's link (*Copy link*, pasted as typed or as
Slack wraps it, ``<https://…>``), its ts, or an entry id as the draft's JSON and the incident's
page show it (``msg:…``, ``note:12``). Answered from the database alone. A change is posted in
the channel for everyone, so the draft never changes quietly; a change that changes nothing
(starring a starred entry) is said only to the person who typed it.
"""

from __future__ import annotations

from bot.core.grammar import CommandError
from bot.core.pages import incident_page
from bot.services import curation
from bot.slack.safe_text import safe_link, safe_mrkdwn, user_mention
from bot.slack.subcommands.registry import CommandCall, Reply, subcommand

USAGE = (
    "`/incident star ENTRY` (or `unstar`, `hide`, `unhide`), where ENTRY is the message's link "
    "(its *Copy link* in Slack), its ts, or an entry id such as `note:12`"
)
QUOTE_CHARS = 200

DONE = {
    "star": ":star: {who} starred this as a key event of the draft's timeline:",
    "unstar": ":heavy_minus_sign: {who} took the star off this entry:",
    "hide": ":see_no_evil: {who} hid this from the draft's timeline (the record keeps it):",
    "unhide": ":eyes: {who} put this back in the draft's timeline:",
}
ALREADY = {
    "star": "That entry is starred already; nothing changed.",
    "unstar": "That entry is not starred; nothing changed.",
    "hide": "That entry is hidden already; nothing changed.",
    "unhide": "That entry is not hidden; nothing changed.",
}
AFTERWARDS = {
    "star": "It shows in the next draft (`/incident postmortem`); `/incident unstar {entry}` takes it back.",
    "unstar": "The next draft (`/incident postmortem`) shows it only if it is a key event otherwise.",
    "hide": "It stays out of the next draft (`/incident postmortem`); `/incident unhide {entry}` brings it back.",
    "unhide": "It shows in the next draft (`/incident postmortem`) if it is a key event.",
}


def entry_word(args: str) -> str:
    """The one entry named: a ``<…>`` link as Slack sends it (its label may hold spaces), or a word."""
    text = args.strip()
    if text.startswith("<") and ">" in text:
        word, rest = text[: text.index(">") + 1], text[text.index(">") + 1 :]
    else:
        word, _, rest = text.partition(" ")
    if not word:
        raise CommandError(f"Name the entry: {USAGE}.")
    if rest.strip():
        raise CommandError(f"Name one entry only: {USAGE}.")
    return word


def _mark(call: CommandCall, mark: str) -> Reply:
    entry = entry_word(call.args)
    with call.write() as session:
        result = curation.mark_entry_in_channel(
            session,
            team_id=call.team_id,
            channel_id=call.channel_id,
            mark=mark,
            entry=entry,
            user_id=call.user_id,
            now=call.now,
        )
    quoted = _quote(result.shown_text)
    if not result.changed:
        return Reply(f"{ALREADY[mark]} (`{result.entry_id}`){quoted}")
    lines = [
        DONE[mark].format(who=user_mention(call.user_id)) + quoted,
        AFTERWARDS[mark].format(entry=result.entry_id),
    ]
    page = incident_page(call.deps.settings.public_url, result.incident_id)
    if page:
        lines.append("Every change, who made it and when: " + safe_link(page, "the incident's page") + ".")
    return Reply("\n".join(lines), public=True)


def _quote(text: str | None) -> str:
    if not text:
        return ""
    one_line = " ".join(text.split())
    cut = one_line if len(one_line) <= QUOTE_CHARS else one_line[: QUOTE_CHARS - 1] + "…"
    return f"\n> {safe_mrkdwn(cut)}"


@subcommand("star")
def star(call: CommandCall) -> Reply:
    return _mark(call, "star")


@subcommand("unstar")
def unstar(call: CommandCall) -> Reply:
    return _mark(call, "unstar")


@subcommand("hide")
def hide(call: CommandCall) -> Reply:
    return _mark(call, "hide")


@subcommand("unhide")
def unhide(call: CommandCall) -> Reply:
    return _mark(call, "unhide")
