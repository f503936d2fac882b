"""The grammar shown to people names every subcommand the app answers to."""

from __future__ import annotations

import re

import bot.slack.subcommands  # noqa: F401  (registers the subcommands)
from bot.slack.help_text import HELP_TEXT
from bot.slack.subcommands.registry import SUBCOMMANDS


def test_every_registered_subcommand_is_in_the_help_text() -> None:
    shown = set(re.findall(r"/incident ([a-z-]+)", HELP_TEXT)) | set(re.findall(r"· `([a-z-]+) ", HELP_TEXT))
    missing = sorted(name for name in SUBCOMMANDS if name not in shown)
    assert missing == []
