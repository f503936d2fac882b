"""The ``/incident`` grammar: split the text a person typed into plain, validated values.

Only the shape of the words is checked here. Times are resolved by ``timeparse`` (they need the
person's zone and ``now``), and rules that need the record (phase order) live with the record.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.core.phases import normalize_phase
from bot.core.record import SEVERITIES

MAX_COMMAND_CHARS = 3000
MAX_TITLE_CHARS = 200
MAX_TEXT_CHARS = 2000

# One bullet is one line in Slack; a line ending in a backslash goes on in the next.
HELP_TEXT = """*Incident Scribe* keeps the record of this incident channel.
• `/incident declare [sev1..sev4] TITLE` — open a new incident channel and start recording there
• `/incident start [sev1..sev4] TITLE [--since TIME]` — start recording this channel (and what was said before)
• `/incident mark PHASE [at TIME] [NOTE]` — mark `detected`, `acknowledged` (`ack`), `mitigated` or `resolved`
   TIME: `14:05`, `14:05 UTC`, `2026-11-29 14:05`, `2026-11-29T14:05+01:00`, `10m ago`, `2h ago`, `15 minutes ago`
   A time without a zone is read in your own Slack timezone.
• `/incident note TEXT` — add a key event to the timeline
• `/incident status` — phases and durations so far
• `/incident impact TEXT` — who was affected, for how long, how many (for the postmortem)
• `/incident cause TEXT` — the root cause: something in the system you can change
• `/incident factor TEXT` — a contributing factor
• `/incident went-well TEXT` / `/incident went-poorly TEXT` — what helped, what fell short
• `/incident surprised [TEXT]` — this surprised us: a full postmortem whatever the severity
• `/incident postmortem` — post a new version of the draft postmortem (posted on `mark resolved` too)
• `/incident close` — stop recording this channel once its incident is resolved · \
`/incident reopen` (no ID) — record it again
• `/incident action @owner DUE TEXT` — an action item with one owner and a due date (`2026-12-04`, \
`friday`, `in 3 days`); no arguments opens a form
• `/incident actions` / `/incident actions mine` — this incident's items / yours everywhere
• `/incident done ID` · `reopen ID` · `due ID DATE` · \
`reassign ID @person` — change an item (`reopen` with an ID is the item)
• `/incident service NAME` — the service this incident hit (for error budgets) · \
`/incident stats` — the workspace's numbers
• `/incident review here|off` · `/incident announce here|off` — where the weekly review / new-incident announcements go
• `/incident help` — this message"""


class CommandError(ValueError):
    """Input that cannot be accepted; the message is for the person who typed it."""


@dataclass(frozen=True)
class Command:
    name: str
    args: str


@dataclass(frozen=True)
class StartArgs:
    severity: str | None
    title: str


@dataclass(frozen=True)
class MarkArgs:
    phase: str
    time_words: str | None
    """The words after ``at`` (time and note together), or None when no ``at`` was given."""
    note: str | None


_CONTROL_OK = {"\n", "\t"}


def check_text(text: str, *, what: str, limit: int = MAX_TEXT_CHARS) -> str:
    """Refuse text that is too long or carries control characters; return it stripped."""
    if len(text) > limit:
        raise CommandError(
            f"That {what} is {len(text):,} characters long; the limit is {limit:,}. Shorten it and try again."
        )
    for char in text:
        if char not in _CONTROL_OK and unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co"):
            if char in ("\u200d", "\ufe0f", "\u200c"):  # parts of emoji sequences
                continue
            raise CommandError(
                f"That {what} contains an invisible control character (U+{ord(char):04X}); remove it and try again."
            )
    return text.strip()


def split_command(text: str) -> Command:
    """``"mark detected at 14:05"`` → Command("mark", "detected at 14:05"). Empty → help."""
    text = check_text(text or "", what="command", limit=MAX_COMMAND_CHARS)
    if not text:
        return Command("help", "")
    head, _, rest = text.partition(" ")
    return Command(head.lower(), rest.strip())


_SEVERITY = re.compile(r"^(?:sev)?([1-4])$", re.IGNORECASE)


def parse_severity(word: str) -> str | None:
    match = _SEVERITY.match(word)
    return f"sev{match.group(1)}" if match else None


def parse_start(args: str) -> StartArgs:
    words = args.split(maxsplit=1)
    severity = parse_severity(words[0]) if words else None
    title = (words[1] if len(words) > 1 else "") if severity else args
    title = check_text(title, what="title", limit=MAX_TITLE_CHARS)
    if not title:
        raise CommandError(
            "Give the incident a title: `/incident start [sev1..sev4] TITLE`, "
            "for example `/incident start sev2 Checkout errors in eu-west`."
        )
    assert severity is None or severity in SEVERITIES
    return StartArgs(severity=severity, title=" ".join(title.split()))


def parse_mark(args: str) -> MarkArgs:
    words = args.split(maxsplit=1)
    if not words:
        raise CommandError(
            "Say which phase: `/incident mark detected|acknowledged|mitigated|resolved [at TIME] [NOTE]`."
        )
    try:
        phase = normalize_phase(words[0])
    except ValueError as error:
        raise CommandError(str(error)) from None
    rest = words[1].strip() if len(words) > 1 else ""
    rest = check_text(rest, what="note")
    head, _, tail = rest.partition(" ")
    if head.lower() == "at":
        if not tail.strip():
            raise CommandError("`at` needs a time, for example `at 14:05`, `at 14:05 UTC` or `at 10m ago`.")
        return MarkArgs(phase=phase, time_words=tail.strip(), note=None)
    return MarkArgs(phase=phase, time_words=None, note=rest or None)


def parse_text(args: str, *, what: str, example: str) -> str:
    text = check_text(args, what=what)
    if not text:
        raise CommandError(f"Add the {what}: `{example}`.")
    return text
