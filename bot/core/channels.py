"""Where a workspace's weekly review and incident announcements go.

A workspace chooses with ``/incident review here`` / ``/incident announce here`` (or ``off``);
until it does, the operator's setting applies: ``SCRIBE_REVIEW_CHANNEL`` and
``SCRIBE_ANNOUNCE_CHANNEL`` hold either one channel id (``C0123``) or workspace:channel pairs
(``T01:C0123,T02:C0456``).

A bare channel id belongs to one workspace, and an app installed in many cannot tell which: it
is used only when the app serves one workspace. Posting it with every workspace's token would at
best fail and at worst (a channel shared between workspaces) show one workspace's incidents to
another.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

PURPOSES = ("review", "announce", "stakeholders")
_CHANNEL = re.compile(r"[CG][A-Z0-9]{2,}")
_TEAM = re.compile(r"[TE][A-Z0-9]{2,}")


@dataclass(frozen=True)
class ConfiguredChannels:
    """The operator's setting, parsed."""

    everywhere: str | None = None
    by_team: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: str | None, *, name: str) -> ConfiguredChannels:
        """Raise ValueError, with a message naming the variable, for anything but the two forms."""
        if not raw or not raw.strip():
            return cls()
        value = raw.strip()
        if ":" not in value and "," not in value:
            if not _CHANNEL.fullmatch(value):
                raise ValueError(
                    f"{name} must be a channel id such as C0123ABCD, or pairs such as "
                    f"T01:C0123,T02:C0456; not {value!r}."
                )
            return cls(everywhere=value)
        by_team: dict[str, str] = {}
        for pair in value.split(","):
            team, colon, channel = (part.strip() for part in pair.partition(":"))
            if not colon or not _TEAM.fullmatch(team) or not _CHANNEL.fullmatch(channel):
                raise ValueError(f"{name}: {pair.strip()!r} is not a workspace:channel pair such as T01ABC:C0123ABCD.")
            if team in by_team:
                raise ValueError(f"{name} names workspace {team} twice.")
            by_team[team] = channel
        return cls(by_team=by_team)


@dataclass(frozen=True)
class Choice:
    """A workspace's own choice: a channel, or ``None`` for "off"."""

    channel_id: str | None


def destination(
    team_id: str, *, choice: Choice | None, configured: ConfiguredChannels, one_workspace: bool
) -> str | None:
    """The channel that gets this workspace's posts of one purpose, or None for none."""
    if choice is not None:
        return choice.channel_id
    if team_id in configured.by_team:
        return configured.by_team[team_id]
    return configured.everywhere if one_workspace else None
