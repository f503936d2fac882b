"""The words of ``/incident action @owner DUE TEXT``: exactly one owner, named first.

Slack sends a mention as ``<@U123|name>`` when the command escapes users; the same form is in
message text, so typed commands in an export read the same way.
"""

from __future__ import annotations

from bot.core.grammar import CommandError
from bot.core.mentions import USER_MENTION, mention

ACTION_USAGE = (
    "`/incident action @owner DUE TEXT`, for example `/incident action @ada friday Add an alert on queue depth`"
)


def parse_owner(words: str) -> tuple[str, str]:
    """The single owner mentioned first, and the words after it."""
    owners = list(dict.fromkeys(match.group(1) for match in USER_MENTION.finditer(words)))
    if not owners:
        hint = (
            " (pick the person from the list Slack offers as you type @, so the mention is a real link)"
            if "@" in words
            else ""
        )
        raise CommandError(f"An action item needs exactly one owner, and none was named{hint}: {ACTION_USAGE}.")
    if len(owners) > 1:
        named = " and ".join(mention(owner) for owner in owners[:3])
        raise CommandError(
            f"An action item has exactly one owner; you named {named}. Give it to one person "
            "(split the work into two items if both have a part)."
        )
    first = USER_MENTION.match(words.strip())
    if first is None:
        raise CommandError(f"Start with the owner: {ACTION_USAGE}.")
    return first.group(1), words.strip()[first.end() :].strip()
