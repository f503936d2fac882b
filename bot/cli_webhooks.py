"""``scribe webhooks add|list|remove SOURCE --team T…``: each workspace's own webhook secrets.

With the multi-workspace install a delivery's path names the workspace
(``/webhooks/pagerduty/T0123``) and that workspace's secrets authenticate it. ``add`` prints the
URL to paste into the sender (and the secret or token, once, when it made one); ``list`` never
shows a secret in full.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, datetime
from typing import Any

from bot.core.alert_events import AlertSource
from bot.settings import Settings

SOURCES = [str(source) for source in AlertSource]
TEAM_ID = re.compile(r"^[TE][A-Z0-9]{2,31}$")
HOW_TO_USE = {
    AlertSource.PAGERDUTY: "PagerDuty signs every delivery with the subscription's secret (X-PagerDuty-Signature)",
    AlertSource.OPSGENIE: "in the Opsgenie webhook integration, add the custom header  Authorization: Bearer {secret}",
    AlertSource.ALERTMANAGER: "in alertmanager.yml, the receiver's http_config: "
    "authorization: {{type: Bearer, credentials: {secret}}}",
    AlertSource.GRAFANA: "in the Grafana contact point: Optional Webhook settings → HMAC Signature → Secret: {secret}",
}


def register(sub: Any, *, sessions: Any, migrate: Any) -> None:
    """Add ``webhooks`` to the ``scribe`` parser; ``sessions(settings)`` and ``migrate`` come from bot.cli."""
    webhooks = sub.add_parser("webhooks", help="each workspace's webhook secrets (PagerDuty, Opsgenie, …)")
    actions = webhooks.add_subparsers(dest="webhooks_command", required=True, metavar="ACTION")

    add = actions.add_parser("add", help="add a secret for SOURCE in workspace T… and print the URL to paste")
    add.add_argument("source", choices=SOURCES, metavar="SOURCE", help=" | ".join(SOURCES))
    add.add_argument("--team", required=True, metavar="T…", help="the workspace's team id")
    add.add_argument(
        "--secret", default=None, help="PagerDuty: the subscription's signing secret; others: your own (default: made)"
    )
    add.add_argument("--timestamp-header", default=None, help="Grafana: the contact point's Timestamp Header, if any")
    add.add_argument("--base-url", default="https://YOUR-SCRIBE-HOST", help="where this app is reached from the sender")
    add.set_defaults(run=lambda settings, args: _add(settings, args, sessions, migrate))

    listing = actions.add_parser("list", help="list the webhook secrets, masked")
    listing.add_argument("--team", default=None, metavar="T…", help="only this workspace")
    listing.set_defaults(run=lambda settings, args: _list(settings, args, sessions))

    remove = actions.add_parser("remove", help="remove a workspace's secret (by --id) or all its secrets for SOURCE")
    remove.add_argument("source", choices=SOURCES, metavar="SOURCE", help=" | ".join(SOURCES))
    remove.add_argument("--team", required=True, metavar="T…")
    remove.add_argument("--id", type=int, default=None, dest="endpoint_id", help="the id `list` shows")
    remove.set_defaults(run=lambda settings, args: _remove(settings, args, sessions))


def _team(value: str) -> str:
    if not TEAM_ID.match(value):
        raise SystemExit(f"error: {value!r} is not a Slack team id (T… or E…, as in the workspace's URL settings)")
    return value


def _add(settings: Settings, args: argparse.Namespace, sessions: Any, migrate: Any) -> int:
    from bot.services.webhook_endpoints import add, path_for

    source, team = AlertSource(args.source), _team(args.team)
    url = args.base_url.rstrip("/") + path_for(source, team)
    migrate(settings, args)
    try:
        with sessions(settings).begin() as session:
            added = add(
                session,
                team_id=team,
                source=source,
                secret=args.secret,
                timestamp_header=args.timestamp_header,
                now=datetime.now(UTC),
            )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        print(f"URL: {url}", file=sys.stderr)
        return 2
    print(f"URL: {url}")
    if not added.new:
        print(f"that secret was already set for {source} in {team}; nothing changed")
        return 0
    if added.generated:
        print(f"secret (shown once): {added.secret}")
        print(HOW_TO_USE[source].format(secret=added.secret))
    else:
        print(HOW_TO_USE[source].format(secret="(the secret you gave)"))
    print(
        f"added as id {added.id}; earlier secrets stay valid until "
        f"`scribe webhooks remove {source} --team {team} --id N`"
    )
    return 0


def _list(settings: Settings, args: argparse.Namespace, sessions: Any) -> int:
    from bot.services.webhook_endpoints import listed, path_for

    team = _team(args.team) if args.team else None
    with sessions(settings)() as session:
        rows = listed(session, team_id=team)
    if not rows:
        print("no workspace has its own webhook secret; add one with: scribe webhooks add SOURCE --team T…")
    for row in rows:
        extra = f"\ttimestamp header {row.timestamp_header}" if row.timestamp_header else ""
        path = path_for(AlertSource(row.source), row.team_id)
        print(f"{row.id}\t{row.team_id}\t{row.source}\t{path}\t{row.shown}\t{row.created_at:%Y-%m-%d %H:%M} UTC{extra}")
    return 0


def _remove(settings: Settings, args: argparse.Namespace, sessions: Any) -> int:
    from bot.services.webhook_endpoints import remove

    source, team = AlertSource(args.source), _team(args.team)
    with sessions(settings).begin() as session:
        gone = remove(session, team_id=team, source=source, endpoint_id=args.endpoint_id)
    if not gone:
        print(f"error: {team} has no such {source} secret; see `scribe webhooks list --team {team}`", file=sys.stderr)
        return 1
    print(f"removed {gone} {source} secret{'s' if gone != 1 else ''} of {team}")
    return 0
