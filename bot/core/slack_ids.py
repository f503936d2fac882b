"""Slack's ids and timestamps have a bounded form; a payload that breaks it is not Slack's.

Team, channel, user, bot and view ids (``T…``, ``C…``, ``U…``, ``B…``, ``V…``) are a dozen characters and a
``ts`` at most 17, and the tables key every record by them, so their columns are bounded
(32 characters). A signed request whose ids are longer than that is acknowledged and ignored
rather than written: stored, it would fail on PostgreSQL with a 5xx that Slack redelivers.
Everything else Slack sends (text, names, titles, file names) is kept whole.
"""

from __future__ import annotations

from typing import Any

MAX_ID_CHARS = 32
"""The width of every id and ts column (storage/models.py)."""

ID_FIELDS = frozenset(
    {"team", "team_id", "enterprise_id", "channel", "channel_id", "user", "user_id", "bot_id", "ts", "thread_ts"}
)
"""The payload keys whose string values are Slack ids or timestamps, wherever they appear."""
ID_OF = frozenset({"team", "enterprise", "channel", "user", "view"})
"""The payload keys whose object's own ``id`` is a Slack id (``"team": {"id": "T…"}`` in clicks
and forms, a form's view ``V…``)."""


def oversized_id(payload: Any, *, where: str = "") -> str | None:
    """The path of the first id or ts in ``payload`` longer than :data:`MAX_ID_CHARS`, or None."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            path = f"{where}.{key}" if where else str(key)
            if key in ID_FIELDS and isinstance(value, str) and len(value) > MAX_ID_CHARS:
                return path
            own_id = value.get("id") if key in ID_OF and isinstance(value, dict) else None
            if isinstance(own_id, str) and len(own_id) > MAX_ID_CHARS:
                return f"{path}.id"
            found = oversized_id(value, where=path)
            if found:
                return found
    elif isinstance(payload, list):
        for index, item in enumerate(payload):
            found = oversized_id(item, where=f"{where}[{index}]")
            if found:
                return found
    return None
