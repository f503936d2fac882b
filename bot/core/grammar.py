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
