"""The same request twice: which requests count as one.

People type a command again when Slack shows "operation_timeout", and a modal can be submitted
twice; the second must do nothing. A command counts as repeated when the same person types the
same text in the same channel within ``REPEAT_WINDOW``; a modal, when its view id was seen.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

REPEAT_WINDOW = timedelta(seconds=60)
"""Long enough to cover a retype after Slack's 3 s timeout; short enough that typing the same
note again a few minutes later counts as a new note."""


def command_key(*, channel_id: str, user_id: str, text: str) -> str:
    """The same words, whatever the spacing or case, are the same command."""
    words = " ".join(text.split()).casefold()
    digest = hashlib.sha256(words.encode()).hexdigest()[:32]
    return f"cmd:{channel_id}:{user_id}:{digest}"


def view_key(view_id: str) -> str:
    return f"view:{view_id}"
