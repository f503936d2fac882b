"""Importing this package registers every ``/incident`` subcommand."""

from bot.slack.subcommands import record  # noqa: F401
from bot.slack.subcommands import postmortem  # noqa: F401
from bot.slack.subcommands import declare  # noqa: F401
from bot.slack.subcommands import actions  # noqa: F401
from bot.slack.subcommands import channels  # noqa: F401
from bot.slack.subcommands import lifecycle  # noqa: F401
