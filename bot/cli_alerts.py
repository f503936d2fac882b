"""``scribe alerts route add|list|remove``: routes that declare incidents from matching triggers.

``--team`` scopes a route to one workspace of the multi-workspace install; without it a route
applies to every workspace (with one bot token, the one).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from bot.settings import Settings


def register(sub: Any, *, sessions: Any, migrate: Any) -> None:
    """Add ``alerts`` to the ``scribe`` parser; ``sessions(settings)`` and ``migrate`` come from bot.cli."""
    alerts = sub.add_parser("alerts", help="declare incidents from alerts: routes")
    alerts_sub = alerts.add_subparsers(dest="alerts_command", required=True, metavar="WHAT")
    route = alerts_sub.add_parser("route", help="routes: a matching trigger declares an incident")
    route_sub = route.add_subparsers(dest="route_command", required=True, metavar="ACTION")

    add = route_sub.add_parser(
        "add",
        help="add a route, e.g. `scribe alerts route add pagerduty service=PA2P440 urgency=high --declare sev1`",
    )
    add.add_argument("source", metavar="SOURCE", help="pagerduty, opsgenie, alertmanager or grafana")
    add.add_argument("matches", metavar="FIELD=VALUE", nargs="*", help="fields the trigger must have")
    add.add_argument("--declare", required=True, metavar="sevN", help="the severity to declare: sev1..sev4")
    add.add_argument("--team", default="*", help="workspace id it applies to (default: every workspace)")
    add.set_defaults(run=lambda settings, args: _add(settings, args, sessions, migrate))

    listing = route_sub.add_parser("list", help="list the routes")
    listing.add_argument("--team", default=None, help="only this workspace's routes")
    listing.set_defaults(run=lambda settings, args: _list(settings, args, sessions, migrate))

    remove = route_sub.add_parser("remove", help="remove a route by its id (`scribe alerts route list`)")
    remove.add_argument("route_id", metavar="ID", type=int)
    remove.add_argument("--team", default=None, help="the workspace the route belongs to")
    remove.set_defaults(run=lambda settings, args: _remove(settings, args, sessions, migrate))


def _add(settings: Settings, args: argparse.Namespace, sessions: Any, migrate: Any) -> int:
    from bot.core.alert_links import describe_route
    from bot.services.alert_routes import add_route
    from bot.services.errors import UserFacingError

    migrate(settings, args)
    try:
        with sessions(settings).begin() as session:
            route, new = add_route(
                session,
                source=args.source,
                matches=args.matches,
                severity=args.declare,
                team_id=args.team,
                now=datetime.now(UTC),
            )
    except UserFacingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    where = "every workspace" if route.team_id == "*" else route.team_id
    print(f"route #{route.id}{'' if new else ' (already there)'}: {describe_route(route.spec)} ({where})")
    return 0


def _list(settings: Settings, args: argparse.Namespace, sessions: Any, migrate: Any) -> int:
    from bot.core.alert_links import describe_route
    from bot.services.alert_routes import list_routes

    migrate(settings, args)
    with sessions(settings)() as session:
        found = list_routes(session, team_id=args.team)
    if not found:
        print("no routes; add one with: scribe alerts route add SOURCE [FIELD=VALUE…] --declare sevN")
    for route in found:
        print(f"#{route.id}\t{describe_route(route.spec)}\t{route.team_id}")
    return 0


def _remove(settings: Settings, args: argparse.Namespace, sessions: Any, migrate: Any) -> int:
    from bot.services.alert_routes import remove_route
    from bot.services.errors import UserFacingError

    migrate(settings, args)
    try:
        with sessions(settings).begin() as session:
            remove_route(session, route_id=args.route_id, team_id=args.team)
    except UserFacingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"route #{args.route_id} removed")
    return 0
