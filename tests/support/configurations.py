"""The configurations a deployment may take, as the README's table of configurations lists
them, and the Procfile's processes that run them.

The table (under ``### Configurations``) has three columns: the configuration's name, the
variables it sets (each in backticks; ``/slack/install`` and ``scribe webhooks add`` mentioned
there mean each workspace installs the app, and adds its own webhook secrets), and its
processes (the Procfile's names, or a command).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.support.alert_senders import ALERTMANAGER_TOKEN, GRAFANA_SECRET, OPSGENIE_TOKEN, PD_SECRET
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[2]
CONFIGURATIONS_HEADING = "### Configurations"
SOCKET_COMMANDS = ("scribe serve --socket",)
PUBLIC_URL = "https://scribe.example.com"
WEBHOOK_SECRETS = {
    "pagerduty": PD_SECRET,
    "opsgenie": OPSGENIE_TOKEN,
    "alertmanager": ALERTMANAGER_TOKEN,
    "grafana": GRAFANA_SECRET,
}
"""What each sender authenticates with: a signing secret or a bearer token."""
WEBHOOK_SETTINGS = {
    "PAGERDUTY_WEBHOOK_SECRET": "pagerduty",
    "OPSGENIE_WEBHOOK_TOKEN": "opsgenie",
    "ALERTMANAGER_WEBHOOK_TOKEN": "alertmanager",
    "GRAFANA_WEBHOOK_SECRET": "grafana",
}


def procfile(root: Path = ROOT) -> dict[str, str]:
    """The Procfile's processes: name → command line."""
    lines = (line.partition(":") for line in (root / "Procfile").read_text().splitlines() if line.strip())
    return {name.strip(): command.strip() for name, _, command in lines}


@dataclass(frozen=True)
class Configuration:
    """One row of the README's table of configurations."""

    name: str
    variables: tuple[str, ...]
    processes: tuple[str, ...]
    installs: bool
    """Each workspace installs the app at ``/slack/install`` (the multi-workspace OAuth install)."""
    webhooks_by_command: bool
    """The workspace's webhook secrets are added with ``scribe webhooks add``."""

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")

    @property
    def socket(self) -> bool:
        return any(process in SOCKET_COMMANDS for process in self.processes)

    @property
    def signs_in(self) -> bool:
        return {"SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SCRIBE_SESSION_SECRET"} <= set(self.variables)


def read_configurations(readme: Path = ROOT / "README.md") -> list[Configuration]:
    """The rows of the table under the README's ``### Configurations`` heading."""
    lines = readme.read_text().splitlines()
    start = lines.index(CONFIGURATIONS_HEADING)
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    header, _rule, *body = rows
    assert header[:3] == ["configuration", "variables", "processes"], header
    return [
        Configuration(
            name=cells[0],
            variables=tuple(re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[1])),
            processes=tuple(re.findall(r"`([^`]+)`", cells[2])),
            installs="`/slack/install`" in cells[1],
            webhooks_by_command="`scribe webhooks add`" in cells[1],
        )
        for cells in body
    ]


def setting_values(fake: FakeSlack) -> dict[str, str]:
    """What the test sets each variable of the README's table to."""
    return {
        "SLACK_BOT_TOKEN": "xoxb-deploy-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": "xapp-1-A111-deploy-test",
        "SLACK_CLIENT_ID": fake.client_id,
        "SLACK_CLIENT_SECRET": fake.client_secret,
        "SCRIBE_SESSION_SECRET": "deploy-test-session-secret-0123456789",
        "SCRIBE_PUBLIC_URL": PUBLIC_URL,
        **{name: WEBHOOK_SECRETS[source] for name, source in WEBHOOK_SETTINGS.items()},
    }
