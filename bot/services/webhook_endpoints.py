"""Which secrets a webhook delivery must prove it knows, and the workspace it is for.

Two ways in:
- ``POST /webhooks/<source>``: the operator's settings (``PAGERDUTY_WEBHOOK_SECRET`` …) for the
  one workspace of the single-token install (its team id as stored: learnt from ``auth.test``
  or from Slack's first signed request; until then such a delivery is answered 503 and retried).
- ``POST /webhooks/<source>/<team id>``: that workspace's own secrets, added with
  ``scribe webhooks add SOURCE --team T…`` (the multi-workspace install; also usable with one).
A source with no secret for the path answers 404: nobody configured it.
"""

from __future__ import annotations

import secrets as random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.alert_events import AlertSource
from bot.settings import Settings
from storage import webhook_endpoints as repo

SIGNED = frozenset({AlertSource.PAGERDUTY, AlertSource.GRAFANA})
"""Sources that sign the body with an HMAC secret; the others send a bearer token."""
CHOSEN_BY_SENDER = frozenset({AlertSource.PAGERDUTY})
"""PagerDuty makes the signing secret when the subscription is created: it must be given to us."""


@dataclass(frozen=True)
class Secret:
    value: str = field(repr=False)
    timestamp_header: str | None = None
    """Grafana only: the header carrying the signed timestamp, when the contact point sends one."""


@dataclass(frozen=True)
class TrackerHook:
    """What authenticates a tracker's webhook, and which site of the tracker it is about."""

    secret: str = field(repr=False)
    site: str
    """Jira's URL, GitHub's owner/name (an organization's webhook names other repositories too),
    Linear's team id."""


@dataclass(frozen=True)
class Credentials:
    team_id: str
    secrets: tuple[Secret, ...]


@dataclass(frozen=True)
class OperatorWebhooks:
    """The settings' webhook secrets and the workspace they serve (None: no single workspace)."""

    team_id: str | None
    secrets: Mapping[AlertSource, tuple[Secret, ...]]
    team_of: Callable[[], str | None] | None = None
    """Where the team id is read when ``team_id`` is None: the stored identity of the
    single-token install (None until a request or ``auth.test`` has named it)."""
    trackers: Mapping[str, TrackerHook] = field(default_factory=dict)
    """The settings' tracker webhooks (JIRA_WEBHOOK_SECRET …), by tracker."""

    @classmethod
    def from_settings(
        cls, settings: Settings, *, team_id: str | None, team_of: Callable[[], str | None] | None = None
    ) -> OperatorWebhooks:
        header = settings.grafana_webhook_timestamp_header
        return cls(
            team_of=team_of,
            team_id=team_id,
            secrets={
                AlertSource.PAGERDUTY: tuple(Secret(s) for s in settings.pagerduty_webhook_secret),
                AlertSource.OPSGENIE: tuple(Secret(s) for s in settings.opsgenie_webhook_token),
                AlertSource.ALERTMANAGER: tuple(Secret(s) for s in settings.alertmanager_webhook_token),
                AlertSource.GRAFANA: tuple(Secret(s, header) for s in settings.grafana_webhook_secret),
            },
            trackers={
                name: TrackerHook(secret, site)
                for name, secret, site in (
                    ("jira", settings.jira_webhook_secret, settings.jira_url),
                    ("github", settings.github_webhook_secret, settings.github_repo),
                    ("linear", settings.linear_webhook_secret, settings.linear_team_id),
                )
                if secret and site
            },
        )

    def the_team(self) -> str | None:
        if self.team_id is not None or self.team_of is None:
            return self.team_id
        return self.team_of()

    def team_not_known_yet(self, *, path_team: str | None, configured: bool) -> bool:
        """Whether a delivery on the settings' own path (no team in it) for a source these settings
        configure came before the single-token install's workspace is known: answered 503, so the
        sender retries, rather than 404."""
        return path_team is None and configured and self.team_id is None and self.team_of is not None

    def any_configured(self) -> bool:
        return any(self.secrets.values()) or bool(self.trackers)

    def __repr__(self) -> str:
        shown = {str(source): len(values) for source, values in self.secrets.items()}
        return f"OperatorWebhooks(team_id={self.team_id!r}, secrets={shown})"


def credentials_for(
    session: Session, operator: OperatorWebhooks, *, source: AlertSource, team_id: str | None
) -> Credentials | None:
    """The secrets that authenticate a delivery on this path, or None (answered 404)."""
    own = operator.secrets.get(source, ())
    if team_id is None:
        team = operator.the_team() if own else None
        return Credentials(team, own) if team else None
    rows = repo.of(session, team_id=team_id, source=str(source))
    if rows:
        return Credentials(team_id, tuple(Secret(row.secret, row.timestamp_header) for row in rows))
    if own and team_id == operator.the_team():
        return Credentials(team_id, own)
    return None


@dataclass(frozen=True)
class Added:
    id: int | None
    secret: str = field(repr=False)
    generated: bool
    new: bool


def add(
    session: Session,
    *,
    team_id: str,
    source: AlertSource,
    secret: str | None,
    timestamp_header: str | None,
    now: datetime,
) -> Added:
    """One more valid secret for this workspace and source (the old ones stay valid until removed,
    so a secret can be rotated without losing a delivery). Without ``secret`` one is made, except
    for PagerDuty, whose signing secret comes from the subscription."""
    if secret is not None and (not secret.strip() or "," in secret):
        raise ValueError("a secret must be non-empty and hold no comma")
    if secret is None and source in CHOSEN_BY_SENDER:
        raise ValueError(
            "PagerDuty makes the signing secret when you create the webhook subscription: "
            "create it with the URL below, then run this again with --secret <the subscription's secret>"
        )
    if timestamp_header is not None and source is not AlertSource.GRAFANA:
        raise ValueError("--timestamp-header is Grafana's alone")
    generated = secret is None
    value = secret.strip() if secret is not None else random.token_urlsafe(32)
    new = repo.add(
        session, team_id=team_id, source=str(source), secret=value, timestamp_header=timestamp_header, now=now
    )
    row = next((r for r in repo.of(session, team_id=team_id, source=str(source)) if r.secret == value), None)
    return Added(id=row.id if row else None, secret=value, generated=generated, new=new)


@dataclass(frozen=True)
class Listed:
    id: int
    team_id: str
    source: str
    shown: str
    timestamp_header: str | None
    created_at: datetime


def masked(secret: str) -> str:
    """Enough to tell two secrets apart, never enough to use one."""
    return secret[:4] + "…" if len(secret) >= 16 else "…"


def listed(session: Session, *, team_id: str | None = None) -> Sequence[Listed]:
    return [
        Listed(row.id, row.team_id, row.source, masked(row.secret), row.timestamp_header, row.created_at)
        for row in repo.all_of(session, team_id=team_id)
    ]


def remove(session: Session, *, team_id: str, source: AlertSource, endpoint_id: int | None) -> int:
    return repo.remove(session, team_id=team_id, source=str(source), endpoint_id=endpoint_id)


def path_for(source: AlertSource, team_id: str | None = None) -> str:
    return f"/webhooks/{source}" + (f"/{team_id}" if team_id else "")
