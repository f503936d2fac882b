"""``scribe trackers add|list|remove TRACKER --team T…``: each workspace's own tracker.

With the multi-workspace install every workspace files its items in its own Jira, GitHub or
Linear. ``add`` keeps the token and a webhook secret (made unless given) as the webhook secrets
are, and prints the webhook URL to add in the tracker; ``list`` never shows a token in full.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from bot.cli_webhooks import _team
from bot.core.ticket_info import Tracker
from bot.settings import Settings

TRACKERS = [str(t) for t in Tracker]
EVENTS = {
    Tracker.JIRA: "Jira: Settings → System → WebHooks → Create: the URL, the secret, event Issue updated "
    "(jira:issue_updated)",
    Tracker.GITHUB: "GitHub: the repository's Settings → Webhooks → Add webhook: the URL, content type "
    "application/json, the secret, event Issues",
    Tracker.LINEAR: "Linear: Settings → API → Webhooks → New webhook: the URL, data change events Issues, "
    "then give its signing secret with --webhook-secret",
}


def register(sub: Any, *, sessions: Any, migrate: Any) -> None:
    """Add ``trackers`` to the ``scribe`` parser; ``sessions(settings)`` and ``migrate`` come from bot.cli."""
    trackers = sub.add_parser("trackers", help="each workspace's own tracker (Jira, GitHub, Linear)")
    actions = trackers.add_subparsers(dest="trackers_command", required=True, metavar="ACTION")

    add = actions.add_parser("add", help="set workspace T…'s TRACKER and print the webhook URL to add there")
    add.add_argument("tracker", choices=TRACKERS, metavar="TRACKER", help=" | ".join(TRACKERS))
    add.add_argument("--team", required=True, metavar="T…", help="the workspace's team id")
    add.add_argument("--token", required=True, help="Jira API token, GitHub token or Linear API key")
    add.add_argument("--url", default=None, help="Jira: https://YOUR-SITE.atlassian.net")
    add.add_argument("--email", default=None, help="Jira: the email of the token's owner")
    add.add_argument("--project", default=None, help="Jira: the project key new tickets go to")
    add.add_argument("--repo", default=None, help="GitHub: OWNER/NAME")
    add.add_argument("--linear-team", default=None, help="Linear: the team id new issues go to")
    add.add_argument("--api-url", default=None, help="GitHub Enterprise or Linear API address (default: public)")
    add.add_argument("--webhook-secret", default=None, help="Linear: the webhook's signing secret (others: made)")
    add.add_argument("--file-new-items", action="store_true", help="file every new action item here")
    add.add_argument("--base-url", default="https://YOUR-SCRIBE-HOST", help="where this app is reached")
    add.set_defaults(run=lambda settings, args: _add(settings, args, sessions, migrate))

    listing = actions.add_parser("list", help="list the workspaces' trackers, tokens masked")
    listing.add_argument("--team", default=None, metavar="T…", help="only this workspace")
    listing.set_defaults(run=lambda settings, args: _list(settings, args, sessions))

    remove = actions.add_parser("remove", help="forget workspace T…'s TRACKER (its tickets stay linked)")
    remove.add_argument("tracker", choices=TRACKERS, metavar="TRACKER", help=" | ".join(TRACKERS))
    remove.add_argument("--team", required=True, metavar="T…")
    remove.set_defaults(run=lambda settings, args: _remove(settings, args, sessions))


def _add(settings: Settings, args: argparse.Namespace, sessions: Any, migrate: Any) -> int:
    from bot.services.tracker_accounts import NewAccount, add

    tracker, team = Tracker(args.tracker), _team(args.team)
    site = {Tracker.JIRA: args.url, Tracker.GITHUB: args.repo, Tracker.LINEAR: args.linear_team}[tracker]
    if not site:
        flag = {Tracker.JIRA: "--url", Tracker.GITHUB: "--repo", Tracker.LINEAR: "--linear-team"}[tracker]
        print(f"error: {tracker} needs {flag}", file=sys.stderr)
        return 2
    account = NewAccount(
        tracker,
        site,
        args.token,
        api_url=args.api_url,
        login=args.email,
        project=args.project,
        webhook_secret=args.webhook_secret,
        file_new_items=args.file_new_items,
    )
    migrate(settings, args)
    try:
        with sessions(settings).begin() as session:
            secret = add(session, team_id=team, account=account, now=datetime.now(UTC))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"webhook URL: {args.base_url.rstrip('/')}/webhooks/{tracker}/{team}")
    if args.webhook_secret is None:
        print(f"webhook secret (shown once): {secret}")
    print(EVENTS[tracker])
    print(f"{tracker} set for {team}" + (" (every new action item is filed here)" if args.file_new_items else ""))
    return 0


def _list(settings: Settings, args: argparse.Namespace, sessions: Any) -> int:
    from bot.services.tracker_accounts import listed

    team = _team(args.team) if args.team else None
    with sessions(settings)() as session:
        rows = listed(session, team_id=team)
    if not rows:
        print("no workspace has its own tracker; add one with: scribe trackers add TRACKER --team T…")
    for row in rows:
        files = "\tfiles new items" if row.files_new_items else ""
        project = f"\tproject {row.project}" if row.project else ""
        print(f"{row.team_id}\t{row.tracker}\t{row.site}{project}\ttoken {row.token}{files}")
    return 0


def _remove(settings: Settings, args: argparse.Namespace, sessions: Any) -> int:
    from bot.services.tracker_accounts import remove

    tracker, team = Tracker(args.tracker), _team(args.team)
    with sessions(settings).begin() as session:
        gone = remove(session, team_id=team, tracker=tracker)
    if not gone:
        print(f"error: {team} has no {tracker} of its own; see `scribe trackers list`", file=sys.stderr)
        return 1
    print(f"removed {team}'s {tracker}")
    return 0
