"""Each workspace's own tracker (multi-workspace install: ``scribe trackers add``): where it is,
its token and its webhook secret, kept as the webhook secrets are; listed masked."""

from __future__ import annotations

import secrets as random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.ticket_info import Tracker
from bot.services.webhook_endpoints import masked
from storage import tickets as repo
from storage.ticket_models import TrackerAccount


@dataclass(frozen=True)
class NewAccount:
    tracker: Tracker
    site: str
    """Jira's URL, GitHub's owner/name, Linear's team id."""
    token: str = field(repr=False)
    api_url: str | None = None
    login: str | None = None
    project: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    file_new_items: bool = False


def check(account: NewAccount) -> None:
    """Refuse an account that cannot work, saying what is missing."""
    if not account.token.strip():
        raise ValueError("the token is empty")
    if account.tracker is Tracker.JIRA:
        if not account.site.lower().startswith(("https://", "http://")):
            raise ValueError("Jira needs --url https://YOUR-SITE.atlassian.net")
        if not account.login or not account.project:
            raise ValueError("Jira needs --email (of the token's owner) and --project (the key new tickets go to)")
    if account.tracker is Tracker.GITHUB and (account.site.count("/") != 1 or not all(account.site.split("/"))):
        raise ValueError("GitHub needs --repo OWNER/NAME")
    if account.api_url and not account.api_url.lower().startswith(("https://", "http://")):
        raise ValueError("--api-url must be an http(s) address")


def add(session: Session, *, team_id: str, account: NewAccount, now: datetime) -> str:
    """Save the workspace's account for this tracker (replacing the one it had); returns the
    webhook secret (made here when none was given)."""
    check(account)
    secret = account.webhook_secret or random.token_urlsafe(32)
    if account.file_new_items:
        for other in repo.accounts(session, team_id=team_id):
            other.file_new_items = False
    repo.save_account(
        session,
        TrackerAccount(
            team_id=team_id,
            tracker=str(account.tracker),
            site=account.site.rstrip("/") if account.tracker is Tracker.JIRA else account.site,
            api_url=account.api_url,
            login=account.login,
            token=account.token,
            project=account.project,
            webhook_secret=secret,
            file_new_items=account.file_new_items,
            created_at=now,
        ),
    )
    return secret


@dataclass(frozen=True)
class Listed:
    team_id: str
    tracker: str
    site: str
    project: str | None
    token: str
    """Masked."""
    files_new_items: bool
    created_at: datetime


def listed(session: Session, *, team_id: str | None = None) -> Sequence[Listed]:
    return [
        Listed(
            row.team_id,
            row.tracker,
            row.site,
            row.project,
            masked(row.token),
            row.file_new_items,
            row.created_at,
        )
        for row in repo.accounts(session, team_id=team_id)
    ]


def remove(session: Session, *, team_id: str, tracker: Tracker) -> int:
    return repo.remove_account(session, team_id=team_id, tracker=str(tracker))
