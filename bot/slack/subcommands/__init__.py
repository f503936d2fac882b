"""Importing this package registers every ``/incident`` subcommand."""

from bot.slack.subcommands import (
    actions,  # noqa: F401
    alerts,  # noqa: F401
    channels,  # noqa: F401
    curation,  # noqa: F401
    declare,  # noqa: F401
    lifecycle,  # noqa: F401
    postmortem,  # noqa: F401
    record,  # noqa: F401
    running,  # noqa: F401
)
