"""``/incident action | actions | done | reopen ID | due | reassign | service | stats``.

Slack sends a mention as ``<@U123|name>`` when the command escapes users (set "Escape channels,
users, and links" on the slash command); a bare ``@name`` cannot be resolved and is refused.
"""

from __future__ import annotations

import re
from datetime import date

from bot.core.action_grammar import ACTION_USAGE, parse_owner
from bot.core.duedate import parse_due_date, parse_due_prefix
from bot.core.grammar import CommandError
from bot.core.tickets import LINK_USAGE
from bot.services import actions, followup, tickets
from bot.services.error_budgets import set_incident_service, team_budgets
from bot.services.incidents import require_incident
from bot.slack import action_blocks as blocks
from bot.slack.safe_text import safe_mrkdwn, user_mention
from bot.slack.subcommands.registry import CommandCall, Reply, subcommand

_ID = re.compile(r"#?(\d{1,12})")


def parse_id(word: str, usage: str) -> int:
    match = _ID.fullmatch(word.strip())
    if match is None:
        raise CommandError(f"Give the item number: {usage}. `/incident actions` lists them.")
    return int(match.group(1))


def _split_id(call: CommandCall, usage: str) -> tuple[int, str]:
    head, _, rest = call.args.strip().partition(" ")
    return parse_id(head, usage), rest.strip()


def _today(call: CommandCall) -> date:
    """Today where the caller is: what a typed due date is read against."""
    return call.now.astimezone(call.zone()).date()


def _shown_today(call: CommandCall) -> date:
    """Today for display only (days overdue): the caller's zone when known, never waiting on Slack."""
    return call.now.astimezone(call.display_zone()).date()


@subcommand("action")
def action(call: CommandCall) -> Reply:
    if not call.args.strip():
        with call.deps.sessions() as session:
            require_incident(session, call.team_id, call.channel_id)
        if not call.trigger_id:
            raise CommandError(f"Add the owner, due date and text: {ACTION_USAGE}.")
        call.client.views_open(trigger_id=call.trigger_id, view=blocks.create_modal(call.channel_id))
        return Reply("Fill in the form to add the action item.")
    verb, _, words = call.args.strip().partition(" ")
    if verb.lower() == "link":
        return link_ticket(call, words)
    if verb.lower() == "file":
        return file_ticket(call, words)
    owner, rest = parse_owner(call.args)
    if not rest:
        raise CommandError(f"Add a due date and what needs doing: {ACTION_USAGE}.")
    today = _today(call)
    due, text = parse_due_prefix(rest, today=today)
    with call.write() as session:
        item = actions.create_item(
            session,
            team_id=call.team_id,
            channel_id=call.channel_id,
            owner_id=owner,
            due=due,
            today=today,
            text=text,
            user_id=call.user_id,
            now=call.now,
        )
        actions.queue_dm(
            session,
            team_id=call.team_id,
            key=f"assign:{item.id}:created",
            user_id=owner,
            payload=blocks.assignment_dm(item, by=call.user_id),
            now=call.now,
        )
        filed = tickets.file_new_item(
            session, settings=call.deps.settings, team_id=call.team_id, item_id=item.id, now=call.now
        )
    return Reply(
        f":memo: {user_mention(call.user_id)} added action item *#{item.id}* for {user_mention(owner)}, "
        f"due {due.isoformat()}:\n> {safe_mrkdwn(item.text)}" + ("\n_Ticket pending._" if filed else ""),
        public=True,
    )


LINK_USAGE_ID = "`/incident action link ID URL_OR_KEY`"


def link_ticket(call: CommandCall, words: str) -> Reply:
    """``/incident action link ID URL_OR_KEY``: the item's ticket is one that exists."""
    head, _, ref = words.strip().partition(" ")
    item_id = parse_id(head, LINK_USAGE_ID)
    if not ref.strip():
        raise CommandError(f"Give the ticket after the item number: {LINK_USAGE}.")
    with call.write() as session:
        ticket = tickets.link_item(
            session,
            settings=call.deps.settings,
            team_id=call.team_id,
            item_id=item_id,
            text=ref,
            user_id=call.user_id,
            now=call.now,
        )
    return Reply(f":link: {user_mention(call.user_id)} linked #{item_id} to {blocks.ticket_text(ticket)}.", public=True)


def file_ticket(call: CommandCall, words: str) -> Reply:
    """``/incident action file ID``: file the item in the tracker now (after this answer)."""
    item_id = parse_id(words, "`/incident action file ID`")
    with call.write() as session:
        tickets.file_item(
            session,
            settings=call.deps.settings,
            team_id=call.team_id,
            item_id=item_id,
            user_id=call.user_id,
            now=call.now,
        )
    return Reply(f":outbox_tray: Filing #{item_id}: ticket pending. `/incident actions` shows it once it exists.")


@subcommand("actions")
def list_actions(call: CommandCall) -> Reply:
    today = _shown_today(call)
    if call.args.strip().lower() == "mine":
        with call.deps.sessions() as session:
            mine = actions.my_items(session, team_id=call.team_id, user_id=call.user_id, now=call.now)
        return Reply(blocks.my_items_text(mine, today=today))
    if call.args.strip():
        raise CommandError("Use `/incident actions` for this incident's items or `/incident actions mine` for yours.")
    with call.deps.sessions() as session:
        title, rows = actions.incident_items(session, team_id=call.team_id, channel_id=call.channel_id)
    return Reply(
        blocks.items_text(
            f"Action items of {safe_mrkdwn(title)}",
            rows,
            today=today,
            empty=f"No action items yet. Add one with {ACTION_USAGE}.",
        )
    )


@subcommand("done")
def done(call: CommandCall) -> Reply:
    item_id, _ = _split_id(call, "`/incident done ID`")
    with call.write() as session:
        change = actions.close_item(session, team_id=call.team_id, item_id=item_id, user_id=call.user_id, now=call.now)
    if not change.changed:
        return Reply(f"#{item_id} was already done.")
    return Reply(
        blocks.changed_text(
            f":white_check_mark: {user_mention(call.user_id)} closed #{item_id}.", change.item, today=_shown_today(call)
        ),
        public=True,
    )


def reopen_item(call: CommandCall) -> Reply:
    """``/incident reopen ID``; the word ``reopen`` itself belongs to lifecycle.py, which sends
    the calls that name an item here (without one, it reopens the incident)."""
    item_id, _ = _split_id(call, "`/incident reopen ID`")
    with call.write() as session:
        change = actions.reopen_item(session, team_id=call.team_id, item_id=item_id, user_id=call.user_id, now=call.now)
    if not change.changed:
        return Reply(f"#{item_id} is already open.")
    return Reply(
        blocks.changed_text(
            f":leftwards_arrow_with_hook: {user_mention(call.user_id)} reopened #{item_id}.",
            change.item,
            today=_shown_today(call),
        ),
        public=True,
    )


@subcommand("due")
def move_due(call: CommandCall) -> Reply:
    usage = "`/incident due ID DATE`, for example `/incident due 12 next friday`"
    item_id, words = _split_id(call, usage)
    if not words:
        raise CommandError(f"Give the new due date: {usage}.")
    today = _today(call)
    due = parse_due_date(words, today=today)
    with call.write() as session:
        change = actions.move_due(
            session, team_id=call.team_id, item_id=item_id, due=due, today=today, user_id=call.user_id, now=call.now
        )
    if not change.changed:
        return Reply(f"#{item_id} is already due on {due.isoformat()}.")
    note = f" That is rollover number {change.item.rollovers}." if change.rolled_over else ""
    return Reply(
        blocks.changed_text(
            f":calendar: {user_mention(call.user_id)} moved #{item_id} to {due.isoformat()}.{note}",
            change.item,
            today=today,
        ),
        public=True,
    )


@subcommand("reassign")
def reassign(call: CommandCall) -> Reply:
    usage = "`/incident reassign ID @person`"
    item_id, words = _split_id(call, usage)
    owner, rest = parse_owner(words) if words else (None, "")
    if owner is None or rest:
        raise CommandError(f"Name exactly one new owner: {usage}.")
    with call.write() as session:
        change = actions.reassign_item(
            session, team_id=call.team_id, item_id=item_id, owner_id=owner, user_id=call.user_id, now=call.now
        )
        if change.changed:
            actions.queue_dm(
                session,
                team_id=call.team_id,
                key=f"assign:{item_id}:{change.event_id}",
                user_id=owner,
                payload=blocks.assignment_dm(change.item, by=call.user_id, reassigned=True),
                now=call.now,
            )
    if not change.changed:
        return Reply(f"#{item_id} already belongs to {user_mention(owner)}.")
    return Reply(
        f":arrows_counterclockwise: {user_mention(call.user_id)} reassigned #{item_id} from "
        f"{user_mention(change.previous_owner)} to {user_mention(owner)}.",
        public=True,
    )


@subcommand("service")
def service(call: CommandCall) -> Reply:
    if not call.args.strip():
        raise CommandError(
            "Name the service this incident hurt: `/incident service NAME`, for "
            "example `/incident service checkout-api`."
        )
    with call.write() as session:
        chosen = set_incident_service(session, team_id=call.team_id, channel_id=call.channel_id, name=call.args)
    slo = (
        f" Its SLO is {chosen.slo.target_percent:g}% over "
        f"{chosen.slo.window.days} days; this incident counts against its error "
        "budget."
        if chosen.slo
        else " It has no SLO yet (`scribe services set NAME --slo 99.9 --window 28d`), so no error budget is tracked."
    )
    return Reply(f":gear: This incident is now on service *{safe_mrkdwn(chosen.name)}*.{slo}", public=True)


@subcommand("stats")
def stats(call: CommandCall) -> Reply:
    with call.deps.sessions() as session:
        review = followup.build_team_review(session, call.team_id, now=call.now)
        budgets = team_budgets(session, call.team_id, now=call.now)
    return Reply(blocks.stats_text(review, budgets))
