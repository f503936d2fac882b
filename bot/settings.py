"""Configuration, read once from the environment at the entry points."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.core.channels import ConfiguredChannels
from bot.core.pages import PublicUrlError, public_base_url
from bot.core.review import ReviewSchedule
from bot.core.updates import DEFAULT_UPDATE_EVERY, parse_update_every

DEFAULT_DATABASE_URL = "sqlite:///scribe.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_GITHUB_API_URL = "https://api.github.com"
DEFAULT_LINEAR_API_URL = "https://api.linear.app/graphql"
TRACKER_LABELS = {"jira": "Jira", "github": "GitHub", "linear": "Linear"}
TRACKER_SETTINGS: dict[str, tuple[str, ...]] = {
    "jira": ("JIRA_URL", "JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_PROJECT"),
    "github": ("GITHUB_TOKEN", "GITHUB_REPO"),
    "linear": ("LINEAR_API_KEY", "LINEAR_TEAM_ID"),
}
"""What each tracker needs, all or nothing (its webhook secret needs them too)."""

HOW_TO_GET: dict[str, str] = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-…) under OAuth & Permissions of your app at api.slack.com/apps",
    "SLACK_SIGNING_SECRET": "the Signing Secret under Basic Information of your app at api.slack.com/apps",
    "SLACK_APP_TOKEN": (
        "an App-Level Token (xapp-…) with connections:write, "
        "under Basic Information → App-Level Tokens of your app at api.slack.com/apps"
    ),
    "SCRIBE_REVIEW_CHANNEL": (
        "the id (C…) of the channel that gets the weekly review (channel details → About), "
        "or run /incident review here in it"
    ),
}

SECRET_FIELDS = frozenset(
    {
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_client_secret",
        "pagerduty_webhook_secret",
        "opsgenie_webhook_token",
        "alertmanager_webhook_token",
        "grafana_webhook_secret",
        "session_secret",
        "jira_api_token",
        "jira_webhook_secret",
        "github_token",
        "github_webhook_secret",
        "linear_api_key",
        "linear_webhook_secret",
    }
)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class MissingSetting(SystemExit):
    """Exits the process with a one-line message naming the variable and how to get it."""

    def __init__(self, name: str) -> None:
        how = HOW_TO_GET.get(name, "see the configuration table in README.md")
        super().__init__(f"error: {name} is not set. Set it to {how}.")
        self.name = name


def shown_url(url: str) -> str:
    """A database URL fit to print or log: its password (also one given as a query parameter,
    which libpq accepts) replaced by ``***``."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "(not a database URL)"
    hidden = {key: "***" for key in parsed.query if "password" in key.lower()}
    shown = parsed.update_query_dict(hidden).render_as_string(hide_password=True)
    return shown.replace("=%2A%2A%2A", "=***")


def _mask(value: str | tuple[str, ...] | None) -> str | tuple[str, ...] | None:
    if isinstance(value, tuple):
        return tuple(str(_mask(one)) for one in value)
    if not value:
        return value
    return value[:5] + "…" if len(value) > 12 else "…"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    session_secret: str | None = None
    """Signs the ``/ui/`` session cookie (``SCRIBE_SESSION_SECRET``)."""
    port: int = 3000
    review_channel: str | None = None
    announce_channel: str | None = None
    postmortem_severities: tuple[str, ...] = ("sev1", "sev2")
    postmortem_template: str | None = None
    retention_days: int | None = None
    spool_dir: str | None = None
    """Where message events are kept when the database is down on Slack's last retry."""
    db_pool_size: int = 5
    nudge_days_before: int = 2
    nudge_overdue_every_days: int = 3
    nudge_hour: int = 10
    work_hours: tuple[int, int] = (9, 17)
    nudge_weekends: bool = False
    escalate_after_overdue: int = 2
    """Overdue nudges after which the incident channel is told; 0 never tells it."""
    review_at: str = "mon 09:00"
    """Weekday and UTC time of the weekly review."""
    log_level: str = "INFO"
    pagerduty_webhook_secret: tuple[str, ...] = ()
    """Signing secrets of PagerDuty webhook subscriptions (several while one is rotated)."""
    opsgenie_webhook_token: tuple[str, ...] = ()
    alertmanager_webhook_token: tuple[str, ...] = ()
    grafana_webhook_secret: tuple[str, ...] = ()
    grafana_webhook_timestamp_header: str | None = None
    """The header in which Grafana sends the signed timestamp, when its contact point names one."""
    public_url: str | None = None
    """Where people open the web pages (``SCRIBE_PUBLIC_URL``); Slack posts link to them when set."""
    stakeholder_channel: str | None = None
    """Also gets every status update (``SCRIBE_STAKEHOLDER_CHANNEL``), like the review channel's forms."""
    update_every: str = DEFAULT_UPDATE_EVERY
    """How long an open incident may go without a status update, per severity (``SCRIBE_UPDATE_EVERY``)."""
    role_template: str | None = None
    """A team's Jinja2 template of the duties DM sent with a role (``SCRIBE_ROLE_TEMPLATE``)."""
    jira_url: str | None = None
    jira_email: str | None = None
    jira_api_token: str | None = None
    jira_project: str | None = None
    jira_webhook_secret: str | None = None
    github_token: str | None = None
    github_repo: str | None = None
    """``owner/name`` of the repository whose issues hold the action items."""
    github_api_url: str = DEFAULT_GITHUB_API_URL
    github_webhook_secret: str | None = None
    linear_api_key: str | None = None
    linear_team_id: str | None = None
    linear_api_url: str = DEFAULT_LINEAR_API_URL
    linear_webhook_secret: str | None = None
    tracker: str | None = None
    """``SCRIBE_TRACKER``: where every new action item is filed (None: nowhere)."""
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        api_url = get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
        if not api_url.endswith("/"):
            api_url += "/"
        retention = get("SCRIBE_RETENTION_DAYS")
        for name in ("SCRIBE_REVIEW_CHANNEL", "SCRIBE_ANNOUNCE_CHANNEL", "SCRIBE_STAKEHOLDER_CHANNEL"):
            try:
                ConfiguredChannels.parse(get(name), name=name)
            except ValueError as error:
                raise SystemExit(f"error: {error}") from None
        severities = get("SCRIBE_POSTMORTEM_SEVERITIES")
        tracker = _trackers(get)
        return cls(
            database_url=_database_url(get("DATABASE_URL")),
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_client_id=get("SLACK_CLIENT_ID"),
            slack_client_secret=get("SLACK_CLIENT_SECRET"),
            slack_api_url=api_url,
            session_secret=get("SCRIBE_SESSION_SECRET"),
            port=_int(get("PORT"), "PORT", 3000),
            review_channel=get("SCRIBE_REVIEW_CHANNEL"),
            announce_channel=get("SCRIBE_ANNOUNCE_CHANNEL"),
            postmortem_severities=tuple(s.strip().lower() for s in (severities or "sev1,sev2").split(",") if s.strip()),
            postmortem_template=get("SCRIBE_POSTMORTEM_TEMPLATE"),
            retention_days=_int(retention, "SCRIBE_RETENTION_DAYS", None) if retention else None,
            spool_dir=get("SCRIBE_SPOOL_DIR"),
            db_pool_size=_int(get("SCRIBE_DB_POOL_SIZE"), "SCRIBE_DB_POOL_SIZE", 5),
            nudge_days_before=_int(get("SCRIBE_NUDGE_DAYS_BEFORE"), "SCRIBE_NUDGE_DAYS_BEFORE", 2),
            nudge_overdue_every_days=_int(get("SCRIBE_NUDGE_OVERDUE_EVERY_DAYS"), "SCRIBE_NUDGE_OVERDUE_EVERY_DAYS", 3),
            nudge_hour=_int(get("SCRIBE_NUDGE_HOUR"), "SCRIBE_NUDGE_HOUR", 10),
            work_hours=_hours(get("SCRIBE_WORK_HOURS")),
            nudge_weekends=(get("SCRIBE_NUDGE_WEEKENDS") or "false").lower() in ("1", "true", "yes", "on"),
            escalate_after_overdue=_int(get("SCRIBE_ESCALATE_AFTER_OVERDUE"), "SCRIBE_ESCALATE_AFTER_OVERDUE", 2),
            review_at=_review_at(get("SCRIBE_REVIEW_AT")),
            log_level=_log_level(get("LOG_LEVEL")),
            pagerduty_webhook_secret=_several(get("PAGERDUTY_WEBHOOK_SECRET")),
            opsgenie_webhook_token=_several(get("OPSGENIE_WEBHOOK_TOKEN")),
            alertmanager_webhook_token=_several(get("ALERTMANAGER_WEBHOOK_TOKEN")),
            grafana_webhook_secret=_several(get("GRAFANA_WEBHOOK_SECRET")),
            grafana_webhook_timestamp_header=get("GRAFANA_WEBHOOK_TIMESTAMP_HEADER"),
            public_url=_public_url(get("SCRIBE_PUBLIC_URL")),
            stakeholder_channel=get("SCRIBE_STAKEHOLDER_CHANNEL"),
            update_every=_update_every(env.get("SCRIBE_UPDATE_EVERY")),
            role_template=get("SCRIBE_ROLE_TEMPLATE"),
            jira_url=(get("JIRA_URL") or "").rstrip("/") or None,
            jira_email=get("JIRA_EMAIL"),
            jira_api_token=get("JIRA_API_TOKEN"),
            jira_project=get("JIRA_PROJECT"),
            jira_webhook_secret=get("JIRA_WEBHOOK_SECRET"),
            github_token=get("GITHUB_TOKEN"),
            github_repo=get("GITHUB_REPO"),
            github_api_url=(get("GITHUB_API_URL") or DEFAULT_GITHUB_API_URL).rstrip("/"),
            github_webhook_secret=get("GITHUB_WEBHOOK_SECRET"),
            linear_api_key=get("LINEAR_API_KEY"),
            linear_team_id=get("LINEAR_TEAM_ID"),
            linear_api_url=get("LINEAR_API_URL") or DEFAULT_LINEAR_API_URL,
            linear_webhook_secret=get("LINEAR_WEBHOOK_SECRET"),
            tracker=tracker,
            extra={k: v for k, v in env.items() if k.startswith("SCRIBE_")},
        )

    def require(self, *names: str) -> None:
        """Exit with a clear one-line message if any of these variables is missing."""
        for name in names:
            if not getattr(self, name.lower(), None):
                raise MissingSetting(name)

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in SECRET_FIELDS:
                value = _mask(value)
            if f.name == "database_url":
                value = shown_url(value)
            if f.name == "extra":
                value = {
                    k: ("…" if any(word in k for word in ("SECRET", "TOKEN", "PASSWORD")) else v)
                    for k, v in value.items()
                }
            shown.append(f"{f.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    __str__ = __repr__


def _database_url(value: str | None) -> str:
    """``DATABASE_URL``, checked here so that a malformed one is never echoed, password and all,
    by SQLAlchemy's own error."""
    if value is None:
        return DEFAULT_DATABASE_URL
    try:
        make_url(value)
    except ArgumentError:
        raise SystemExit(
            "error: DATABASE_URL is not a database URL; it looks like "
            "postgresql+psycopg://USER:PASSWORD@HOST:5432/DATABASE or sqlite:///scribe.db."
        ) from None
    return value


def _trackers(get: Callable[[str], str | None]) -> str | None:
    """Refuse a tracker configured by halves, and ``SCRIBE_TRACKER`` naming one not configured;
    the tracker new items are filed in, or None."""
    for name, needed in TRACKER_SETTINGS.items():
        given = [n for n in needed if get(n)]
        secret = f"{name.upper()}_WEBHOOK_SECRET"
        if (given or get(secret)) and len(given) < len(needed):
            missing = ", ".join(n for n in needed if not get(n))
            raise SystemExit(
                f"error: {TRACKER_LABELS[name]} is set up by halves: set {missing} too (or unset the rest)."
            )
    for name in ("JIRA_URL", "GITHUB_API_URL", "LINEAR_API_URL"):
        value = get(name)
        if value and not value.lower().startswith(("https://", "http://")):
            raise SystemExit(f"error: {name} must be an http(s) address, not {value!r}.")
    repo = get("GITHUB_REPO")
    if repo and (repo.count("/") != 1 or not all(repo.split("/"))):
        raise SystemExit(f"error: GITHUB_REPO must be owner/name, not {repo!r}.")
    chosen = (get("SCRIBE_TRACKER") or "").lower() or None
    if chosen is None:
        return None
    if chosen not in TRACKER_SETTINGS:
        raise SystemExit(f"error: SCRIBE_TRACKER must be jira, github or linear, not {chosen!r}.")
    if not get(TRACKER_SETTINGS[chosen][0]):
        raise SystemExit(
            f"error: SCRIBE_TRACKER is {chosen} but {TRACKER_LABELS[chosen]} is not set up: "
            f"set {', '.join(TRACKER_SETTINGS[chosen])}."
        )
    return chosen


def _several(value: str | None) -> tuple[str, ...]:
    """A comma-separated list of secrets: every one is accepted (secret rotation)."""
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _public_url(value: str | None) -> str | None:
    try:
        return public_base_url(value)
    except PublicUrlError as error:
        raise SystemExit(f"error: {error}") from None


def _update_every(value: str | None) -> str:
    """``SCRIBE_UPDATE_EVERY`` such as ``sev1=30m,sev2=60m``; set but empty, or ``off``: no reminders."""
    if value is None:
        return DEFAULT_UPDATE_EVERY
    try:
        parse_update_every(value)
    except ValueError as error:
        raise SystemExit(f"error: {error}") from None
    return value.strip()


def _log_level(value: str | None) -> str:
    if value is None:
        return "INFO"
    if value.upper() not in LOG_LEVELS:
        raise SystemExit(f"error: LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {value!r}.")
    return value.upper()


def _int(value: str | None, name: str, default: int | None) -> int:
    if value is None:
        return default  # type: ignore[return-value]
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"error: {name} must be a whole number, not {value!r}.") from None


def _hours(value: str | None) -> tuple[int, int]:
    """``SCRIBE_WORK_HOURS`` such as ``9-17``: local hours in which nudges may be sent."""
    if value is None:
        return (9, 17)
    start, sep, end = value.partition("-")
    if sep and start.strip().isdigit() and end.strip().isdigit():
        hours = (int(start), int(end))
        if 0 <= hours[0] < hours[1] <= 24:
            return hours
    raise SystemExit(f"error: SCRIBE_WORK_HOURS must be two hours like 9-17 (start before end), not {value!r}.")


def _review_at(value: str | None) -> str:
    """``SCRIBE_REVIEW_AT`` such as ``mon 09:00`` (UTC)."""
    if value is None:
        return "mon 09:00"
    try:
        return str(ReviewSchedule.parse(value))
    except ValueError:
        raise SystemExit(
            f"error: SCRIBE_REVIEW_AT must be a weekday and a UTC time like 'mon 09:00', not {value!r}."
        ) from None
