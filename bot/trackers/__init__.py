"""The trackers action items are filed in: one module per tracker behind one small interface
(``base.TrackerClient``); each module's ``parse_webhook`` is pure."""

from __future__ import annotations

import httpx

from bot.core.ticket_info import Tracker
from bot.trackers.base import Account, TrackerClient
from bot.trackers.github import GitHubClient
from bot.trackers.jira import JiraClient
from bot.trackers.linear import LinearClient


def client_for(account: Account, *, http: httpx.Client | None = None) -> TrackerClient:
    if account.tracker is Tracker.JIRA:
        return JiraClient(account, http=http)
    if account.tracker is Tracker.GITHUB:
        return GitHubClient(account, http=http)
    return LinearClient(account, http=http)
