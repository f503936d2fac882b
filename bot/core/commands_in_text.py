"""``/incident …`` commands written inside message text (exports, pasted notes).

Slash commands themselves never reach a channel's history, but people paste them, bots echo them
and some teams type them as plain text when the app is not installed yet. An import reads them
back as the markers they were meant to be.
"""

from __future__ import annotations

import re

from bot.core.grammar import Command, CommandError, split_command

_TYPED = re.compile(r"(?<![\w/])/incident[ \t]+([^\n`]+)", re.IGNORECASE)


def commands_in_text(text: str | None) -> list[Command]:
    """Every ``/incident WORDS`` in the text, one per line (code quotes end it), in order.

    Text that does not read as a command (control characters, nothing after the name) is skipped.
    """
    found: list[Command] = []
    for match in _TYPED.finditer(text or ""):
        try:
            command = split_command(match.group(1))
        except CommandError:
            continue
        if command.name != "help":
            found.append(command)
    return found
