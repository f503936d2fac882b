"""A person named in recorded or typed text: the one pattern of a Slack user mention.

Slack writes a mention as ``<@U123>``, or ``<@U123|ada>`` when a slash command escapes users;
user ids start with U (or W on Enterprise Grid). This is the only module of the core that
knows Slack's markup: recorded and typed text carries it. The blameless check, the owner of
``/incident action``, the Markdown draft and the text posted back to Slack all read mentions
with this pattern, and show a person the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
"""Group 1 is the user id, group 2 the label Slack sent (or None)."""


def mentioned_users(texts: Iterable[str | None]) -> set[str]:
    """Every user id mentioned in any of ``texts``."""
    return {match.group(1) for text in texts if text for match in USER_MENTION.finditer(text)}


def mention(user_id: str) -> str:
    """The mention of ``user_id`` as Slack writes it (``<@U123>``): the one form of it the core
    writes, for a message that names people by their mention."""
    return f"<@{user_id}>"


def named(user_id: str, label: str | None, names: Mapping[str, str]) -> str:
    """A user as "@Name": the cached name first, then the label Slack sent, then the id."""
    return f"@{names.get(user_id) or label or user_id}"
