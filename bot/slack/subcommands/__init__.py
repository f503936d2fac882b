"""Importing this package registers every ``/incident`` subcommand."""

from bot.slack.subcommands import record  # noqa: F401
