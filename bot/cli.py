"""The ``scribe`` command: serve, migrate, scheduler, jobs, services, alerts, postmortem, import."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot import cli_alerts, cli_trackers, cli_webhooks
from bot.logs import configure_logging
from bot.settings import Settings, shown_url

log = logging.getLogger("scribe")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    try:
        return int(args.run(settings, args) or 0)
    except OperationalError as error:  # the database cannot be reached or used: one line, no traceback
        print(f"error: {database_failure(error, settings.database_url)}", file=sys.stderr)
        return 1
    finally:
        while _ENGINES:  # close pooled connections, also when main() runs inside a test
            _ENGINES.pop().dispose()


_ENGINES: list[Any] = []


def database_failure(error: OperationalError, url: str) -> str:
    """What went wrong with the database, on one line, naming it without its password."""
    reason = " ".join(str(error.orig or error).split())
    password = make_url(url).password
    if password:
        reason = reason.replace(str(password), "***")
    return f"could not use the database at {shown_url(url)}: {reason}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scribe", description="Incident Scribe: the record of an incident, and its postmortem."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="upgrade the database, then serve Slack's requests")
    serve.add_argument("--port", type=int, default=None, help="HTTP port (default $PORT or 3000)")
    serve.add_argument("--socket", action="store_true", help="Socket Mode instead of HTTP (needs SLACK_APP_TOKEN)")
    serve.add_argument(
        "--workers", type=int, default=None, help="HTTP worker processes (default $WEB_CONCURRENCY or 2)"
    )
    serve.set_defaults(run=_serve)

    migrate = sub.add_parser("migrate", help="upgrade the database to the newest schema")
    migrate.set_defaults(run=_migrate)

    scheduler = sub.add_parser("scheduler", help="run the clock: nudges, outbox, weekly review")
    scheduler.set_defaults(run=_scheduler)

    jobs = sub.add_parser("jobs", help="run scheduled work once")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    run = jobs_sub.add_parser("run", help="run everything due at NOW once, then exit")
    run.add_argument("--now", type=_iso_instant, default=None, help="ISO 8601 instant (default: the current time)")
    run.set_defaults(run=_jobs_run)

    services = sub.add_parser("services", help="configure services and their SLOs (error budgets)")
    services_sub = services.add_subparsers(dest="services_command", required=True, metavar="ACTION")
    service_set = services_sub.add_parser(
        "set", help="set a service's SLO, e.g. `scribe services set checkout --slo 99.9 --window 28d`"
    )
    service_set.add_argument("name", metavar="NAME")
    service_set.add_argument("--slo", required=True, help="target percentage, such as 99.9")
    service_set.add_argument("--window", default="28d", help="rolling window, such as 28d, 4w or 720h (default 28d)")
    service_set.add_argument("--team", default="*", help="workspace id it applies to (default: every workspace)")
    service_set.set_defaults(run=_services_set)
    services_sub.add_parser("list", help="list the configured services").set_defaults(run=_services_list)

    cli_webhooks.register(sub, sessions=_sessions, migrate=_migrate)
    cli_trackers.register(sub, sessions=_sessions, migrate=_migrate)
    cli_alerts.register(sub, sessions=_sessions, migrate=_migrate)

    postmortem = sub.add_parser("postmortem", help="print the draft postmortem of an incident channel")
    postmortem.add_argument("channel", metavar="CHANNEL_ID")
    postmortem.add_argument("--format", choices=("markdown", "json"), default="markdown")
    postmortem.add_argument(
        "--now",
        type=_iso_instant,
        default=None,
        help="ISO 8601 instant the draft is generated at (default: the current time)",
    )
    postmortem.set_defaults(run=_postmortem)

    importing = sub.add_parser("import", help="import an incident from a Slack export (zip or folder)")
    importing.add_argument("path", metavar="PATH", help="the export: a .zip or its unpacked folder")
    importing.add_argument(
        "--channel", required=True, metavar="NAME", help="the incident's channel: its name or id in channels.json"
    )
    importing.add_argument(
        "--title",
        default=None,
        help="incident title (default: a typed `/incident start`, the channel purpose, or its name)",
    )
    importing.add_argument("--severity", default=None, metavar="sevN", help="sev1..sev4")
    for phase in ("detected", "acknowledged", "mitigated", "resolved"):
        importing.add_argument(
            f"--{phase}", default=None, metavar="TIME", help=f"when the incident was {phase} (overrides a typed marker)"
        )
    importing.add_argument("--zone", default="UTC", help="IANA zone of --detected … times without a zone (default UTC)")
    importing.set_defaults(run=_import)
    return parser


def _iso_instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 instant: {text!r} (for example 2026-11-30T09:00:00Z)"
        ) from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no zone; add Z or an offset, e.g. 2026-11-30T09:00:00Z")
    return value.astimezone(UTC)


def _sessions(settings: Settings):
    from storage.session import make_engine, make_session_factory

    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    _ENGINES.append(engine)
    return make_session_factory(engine)


def _deps(settings: Settings):
    from bot.slack.deps import Deps

    return Deps(settings=settings, sessions=_sessions(settings))


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from storage.migrate import upgrade_to_head

    upgrade_to_head(settings.database_url)
    log.info("database %s is at the newest schema", shown_url(settings.database_url))
    return 0


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.slack.oauth import refused_configuration

    problem = refused_configuration(settings, socket=args.socket)
    if problem:
        raise SystemExit(problem)
    port = args.port or settings.port
    workers = args.workers or int(os.environ.get("WEB_CONCURRENCY", "2"))
    log.info(
        "starting Incident Scribe: %s, database %s, Slack API %s, log level %s",
        "Socket Mode" if args.socket else f"HTTP on port {port} with {workers} workers",
        shown_url(settings.database_url),
        settings.slack_api_url,
        settings.log_level,
    )
    _migrate(settings, args)
    if args.socket:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        from bot.slack.app import build_app

        SocketModeHandler(build_app(_deps(settings)), settings.slack_app_token).start()
        return 0
    from bot.server import serve_http

    serve_http(settings, port=port, workers=workers)
    return 0


def _scheduler(settings: Settings, args: argparse.Namespace) -> int:
    from bot.jobs import run_scheduler
    from bot.slack.client import build_client

    log.info("starting the clock: database %s, Slack API %s", shown_url(settings.database_url), settings.slack_api_url)
    _migrate(settings, args)
    run_scheduler(_deps(settings), build_client(settings.slack_bot_token, settings.slack_api_url))
    return 0


def _jobs_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.jobs import run_due
    from bot.services.outbox import running_from
    from bot.slack.client import build_client
    from bot.slack.deps import Deps

    now = args.now or datetime.now(UTC)
    # Deferred work is claimed, judged stuck and retried on the pass's clock: at NOW, then running.
    deps = Deps(settings=settings, sessions=_sessions(settings), clock=running_from(now))
    ran = run_due(deps, build_client(settings.slack_bot_token, settings.slack_api_url), now)
    log.info("ran %d jobs at %s: %s", len(ran), now.isoformat(), ", ".join(ran) or "none")
    return 0


def _services_set(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.error_budgets import set_slo
    from bot.services.errors import UserFacingError

    _migrate(settings, args)
    try:
        with _sessions(settings).begin() as session:
            slo = set_slo(
                session, name=args.name, target=args.slo, window=args.window, now=datetime.now(UTC), team_id=args.team
            )
    except UserFacingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(
        f"{slo.name}: {slo.target_percent:g}% over {_window(slo.window)} "
        f"({'every workspace' if slo.team_id == '*' else slo.team_id})"
    )
    return 0


def _services_list(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.error_budgets import list_slos

    with _sessions(settings)() as session:
        slos = list_slos(session)
    if not slos:
        print("no services configured; add one with: scribe services set NAME --slo 99.9 --window 28d")
    for slo in slos:
        print(
            f"{slo.name}\t{slo.target_percent:g}%\t{_window(slo.window)}\t{'*' if slo.team_id == '*' else slo.team_id}"
        )
    return 0


def _window(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    return f"{seconds // 86400}d" if seconds % 86400 == 0 else f"{seconds // 3600}h"


def _postmortem(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.drafts import draft_json, draft_markdown

    sessions = _sessions(settings)
    now = args.now or datetime.now(UTC)
    try:
        with sessions() as session:
            output = (
                json.dumps(draft_json(session, args.channel, now=now, settings=settings), indent=2, ensure_ascii=False)
                if args.format == "json"
                else draft_markdown(session, args.channel, now=now, settings=settings)
            )
    except LookupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(output if output.endswith("\n") else output + "\n")
    return 0


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from bot.services.errors import UserFacingError
    from bot.services.importer import parse_marker_options, read_channel, store_import
    from bot.services.slack_export import SlackExport
    from bot.slack.payloads import parse_stored_message

    try:
        zone = ZoneInfo(args.zone)
    except (ZoneInfoNotFoundError, ValueError):
        print(f"error: --zone {args.zone!r} is not an IANA zone name such as Europe/Paris or UTC", file=sys.stderr)
        return 2
    _migrate(settings, args)
    now = datetime.now(UTC)
    try:
        with SlackExport(Path(args.path)) as export:
            read = read_channel(export, args.channel, parse=parse_stored_message)
        options = {phase: getattr(args, phase) for phase in ("detected", "acknowledged", "mitigated", "resolved")}
        markers = parse_marker_options(options, reference=read.last_at, now=now, zone=zone)
        with _sessions(settings).begin() as session:
            imported = store_import(
                session, read, title=args.title, severity=args.severity, marker_times=markers, now=now
            )
    except UserFacingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    verb = "Imported" if imported.created else "Updated"
    print(
        f"{verb} #{imported.channel_name} as incident “{imported.title}” (workspace {imported.team_id}, "
        f"channel {imported.channel_id}): {imported.messages} messages, {imported.added} new"
        + (f", {imported.items_added} action items." if imported.items_added else ".")
    )
    for phase, at in imported.phases.items():
        print(f"  {phase:<12} {at:%Y-%m-%d %H:%M:%S} UTC" if at else f"  {phase:<12} not marked")
    for skipped in imported.skipped:
        print(f"  skipped a typed command at {skipped}", file=sys.stderr)
    print(f"Print the draft postmortem with: scribe postmortem {imported.channel_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
