"""``/incident declare``: a new ``inc-YYYYMMDD-slug`` channel, recorded from its first message.

The answer only accepts the declaration (deferred work, claimed against a repeat of the same
command or form); creating the channel, inviting the declarer, the header and the
announcement all happen after it, and the declarer is told what exists.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.models.blocks import InputBlock, Option, PlainTextInputElement, PlainTextObject, StaticSelectElement
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.core.grammar import StartArgs
from bot.core.record import SEVERITIES
from bot.core.slug import incident_channel_name
from bot.services import alert_routes, deferred, incidents, outbox, workspace_channels
from bot.services.deferred import RetryLater, Work
from bot.services.errors import UserFacingError
from bot.slack.after_answer import received_at, tell, tries, work_kind
from bot.slack.client import never_sent
from bot.slack.deps import Deps
from bot.slack.oauth import AUTH_ERRORS, serves_one_workspace
from bot.slack.safe_text import channel_mention, safe_mrkdwn, user_mention

log = logging.getLogger(__name__)

MAX_NAME_ATTEMPTS = 20
MAX_LIST_PAGES = 50
MODAL_CALLBACK = "incident_declare"
TITLE_BLOCK, TITLE_ACTION = "title", "title_input"
SEVERITY_BLOCK, SEVERITY_ACTION = "severity", "severity_select"


@dataclass(frozen=True)
class Declared:
    channel_id: str
    name: str
    title: str
    severity: str | None


class _Unanswered(Exception):
    """conversations.create was sent and no answer came back: the channel may exist."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


TRIED_NAMES = "tried_names"
"""The work's record of every name whose create may have gone out, kept (committed) before it is
sent: after a crash, a database error or a lost answer, the rerun knows which taken names may
be its own channel."""


def accept_declare(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    args: StartArgs,
    now: datetime,
    key: str,
    response_url: str | None,
    origin_channel: str | None,
) -> None:
    """Owe the declaration, in the caller's transaction (where the request was claimed)."""
    deferred.accept(
        session,
        team_id=team_id,
        key=key,
        kind="declare",
        payload={
            "title": args.title,
            "severity": args.severity,
            "user_id": user_id,
            "channel_id": origin_channel,
            "response_url": response_url,
            "received_at": now.isoformat(),
        },
        now=now,
    )


def _declare_given_up(work: Work) -> str | None:
    p = work.payload
    if p.get("user_id") is None:
        return None  # a route declared it: nobody to tell
    title = safe_mrkdwn(str(p.get("title") or ""))
    made, tried = p.get("created_channel"), p.get(TRIED_NAMES) or ()
    if made:
        where = (
            f"{channel_mention(made)} was made, but it is not recording: type `/incident start` with the title there."
        )
    elif tried:
        where = (
            f"No channel is recording it. A channel #{safe_mrkdwn(tried[-1])} may have been made: if it exists, "
            "type `/incident start` with the title there; if not, declare it again."
        )
    else:
        where = "No channel was made: declare it again."
    return (
        f":x: I gave up declaring *{title}* {tries(work)}: it failed on our side each time. {where} "
        "If it fails again, tell whoever runs Incident Scribe."
    )


@work_kind("declare", given_up=_declare_given_up)
def run_declare(deps: Deps, client: WebClient, work: Work) -> None:
    """Create the channel (a free name), start recording it, invite the declarer, queue the
    header and the announcement, and say what exists. Each step survives a rerun: each name is
    kept with the work before its create is sent, and the channel made right after, so a
    create whose answer was lost, or whose channel id was never kept, is looked up, not
    repeated under the next number."""
    p = dict(work.payload)
    now = received_at(p)
    if not p.get("created_channel"):
        try:
            work, channel_id, name = _create_channel(deps, client, work, p["title"], now)
        except _Unanswered as lost:
            raise RetryLater(f"conversations.create of #{lost.name} went unanswered; looking it up next time") from None
        except UserFacingError as refused:
            if p.get("user_id") is None:
                log.error("a route could not declare an incident for %s: %s", p.get("declared_by"), refused)
                return
            tell(client, p, f":warning: {safe_mrkdwn(str(refused), people=True)}")
            return
        p = dict(work.payload)
        p.update(created_channel=channel_id, created_name=name)
        work = deferred.save_progress(deps.sessions, work, p)
    declared = Declared(
        channel_id=p["created_channel"], name=p["created_name"], title=p["title"], severity=p.get("severity")
    )
    user_id = p.get("user_id")
    by = p.get("declared_by")  # set (the alert, by name) when a route declared it, not a person
    with deps.sessions.begin() as session:
        started = incidents.start_incident(
            session,
            team_id=work.team_id,
            channel_id=declared.channel_id,
            args=StartArgs(severity=declared.severity, title=declared.title),
            user_id=user_id,  # type: ignore[arg-type]  # None when a route declared it, not a person
            now=now,
        )
        alert_routes.link_declared_incident(
            session, team_id=work.team_id, incident_id=started.incident_id, payload=p, now=deps.clock()
        )
        outbox.enqueue(
            session,
            team_id=work.team_id,
            key=f"declare:{declared.channel_id}:header",
            kind="message",
            channel=declared.channel_id,
            payload={"text": header_text(declared, user_id=user_id, now=now, by=by)},
            now=deps.clock(),
        )
        announce_channel = workspace_channels.channel_for(
            session,
            deps.settings,
            team_id=work.team_id,
            purpose="announce",
            one_workspace=serves_one_workspace(deps.settings),
        )
        if announce_channel:
            outbox.enqueue(
                session,
                team_id=work.team_id,
                key=f"declare:{declared.channel_id}:announce",
                kind="message",
                channel=announce_channel,
                payload={"text": announcement_text(declared, user_id=user_id, by=by)},
                now=deps.clock(),
            )
    if user_id is None:
        return  # a route declared it: nobody to invite or tell
    trouble = _invite(client, declared.channel_id, user_id)
    if trouble:
        tell(
            client,
            p,
            f":rotating_light: Declared *{safe_mrkdwn(declared.title)}*: "
            f"{channel_mention(declared.channel_id)} exists and is "
            f"recording, but {trouble}",
        )
        return
    tell(
        client,
        p,
        f":rotating_light: Declared *{safe_mrkdwn(declared.title)}*: "
        f"{channel_mention(declared.channel_id)} is recording. "
        "You're in it.",
    )


def _create_channel(deps: Deps, client: WebClient, work: Work, title: str, now: datetime) -> tuple[Work, str, str]:
    """A new channel with the first free name: (the work as saved, channel id, name). Each name
    is saved with the work before its create is sent, so that a name found taken which this
    work may have created (its answer lost, or the process gone before the id was kept) is
    looked up and adopted, not skipped for the next number."""
    tried = list(work.payload.get(TRIED_NAMES) or ())
    unanswered = work.payload.get("unanswered_name")  # kept by versions that saved the name only when unanswered
    if unanswered and unanswered not in tried:
        tried.append(unanswered)
    for attempt in range(1, MAX_NAME_ATTEMPTS + 1):
        name = incident_channel_name(title, now.date(), attempt=attempt)
        ours = name in tried
        if not ours:
            tried.append(name)
            work = deferred.save_progress(deps.sessions, work, {**work.payload, TRIED_NAMES: tried})
        try:
            response = client.conversations_create(name=name, is_private=False)
        except SlackApiError as error:
            reason = error.response.get("error")
            if error.response.status_code >= 500:
                raise _Unanswered(name) from None
            if reason in AUTH_ERRORS:  # the token, not the request: wait for a working one, keep the claim
                raise RetryLater(f"Slack refused the bot token ({reason}) creating #{name}") from None
            if reason == "name_taken":
                if ours:
                    found = _own_channel_named(deps, client, work.team_id, name)
                    if found is not None:
                        return work, found, name
                continue
            raise UserFacingError(
                f"Slack would not create the channel #{name} (it said `{reason}`), so no channel was made and "
                "nothing is recording. Ask whoever runs Incident Scribe to check the app's permissions, or create "
                "the channel yourself and type `/incident start` there."
            ) from None
        except (SlackClientError, OSError) as error:
            if never_sent(error):
                raise  # nothing reached Slack: the work waits for it, uncounted (bot/slack/after_answer.py)
            raise _Unanswered(name) from None
        return work, str(response["channel"]["id"]), str(response["channel"].get("name") or name)
    raise UserFacingError(
        f"Every channel name from #{incident_channel_name(title, now.date())} to "
        f"-{MAX_NAME_ATTEMPTS} is taken, so no channel was made. Give the incident a more specific title."
    )


def _own_channel_named(deps: Deps, client: WebClient, team_id: str, name: str) -> str | None:
    """The id of the public channel called ``name`` if this bot created it and no incident is
    recorded in it yet (paged, bounded); None when the name belongs to someone else."""
    me = client.auth_test().get("user_id")
    cursor = None
    for _ in range(MAX_LIST_PAGES):
        page = client.conversations_list(types="public_channel", exclude_archived=True, limit=1000, cursor=cursor)
        for channel in page.get("channels") or ():
            if channel.get("name") == name and channel.get("creator") == me:
                with deps.sessions() as session:
                    recorded = incidents.records_channel(session, team_id=team_id, channel_id=str(channel["id"]))
                return None if recorded else str(channel["id"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return None


def _invite(client: WebClient, channel_id: str, user_id: str) -> str | None:
    """Invite the declarer; what went wrong, said for them, or None."""
    try:
        client.conversations_invite(channel=channel_id, users=user_id)
    except SlackApiError as error:
        if error.response.get("error") not in ("already_in_channel", "cant_invite_self"):
            return (
                f"I could not invite you (Slack said `{error.response.get('error')}`): "
                "join it from the channel browser."
            )
    except (SlackClientError, OSError):
        return "Slack did not answer when I invited you: if you are not in it yet, join it from the channel browser."
    return None


def _declarer(user_id: str | None, by: str | None) -> str:
    return user_mention(user_id) if user_id else f"a route, for {safe_mrkdwn(by or 'an alert')}"


def header_text(declared: Declared, *, user_id: str | None, now: datetime, by: str | None = None) -> str:
    severity = f" ({declared.severity})" if declared.severity else ""
    return (
        f":rotating_light: *{safe_mrkdwn(declared.title)}*{severity}, declared by {_declarer(user_id, by)} "
        f"at {now:%Y-%m-%d %H:%M} UTC.\n"
        "Everything said in this channel is recorded with its UTC time.\n"
        "• Mark the phases as they happen: `/incident mark detected|acknowledged|mitigated|resolved [at TIME] [NOTE]`"
        " — backdate with `at 14:05` or `at 10m ago` (a time without a zone is read in your own timezone).\n"
        "• `/incident note TEXT` adds a key event; `/incident status` shows the phases so far."
    )


def announcement_text(declared: Declared, *, user_id: str | None, by: str | None = None) -> str:
    severity = f" ({declared.severity})" if declared.severity else ""
    if not user_id:
        return (
            f":rotating_light: {safe_mrkdwn(by or 'An alert')} declared an incident through a route: "
            f"*{safe_mrkdwn(declared.title)}*{severity}. Follow it in {channel_mention(declared.channel_id)}."
        )
    return (
        f":rotating_light: {user_mention(user_id)} declared an incident: *{safe_mrkdwn(declared.title)}*{severity}. "
        f"Follow it in {channel_mention(declared.channel_id)}."
    )


def declare_modal(*, severity: str | None = None, origin_channel: str = "") -> dict[str, Any]:
    """The form shown when ``/incident declare`` has no title."""
    # slack_sdk's models check Slack's limits (title, labels, options) when made into JSON. The
    # labels are PlainTextObjects built explicitly: from a bare string slack_sdk adds "emoji": true.
    options = {s: Option(value=s, text=PlainTextObject(text=s.upper())) for s in SEVERITIES}
    select = StaticSelectElement(
        action_id=SEVERITY_ACTION, options=list(options.values()), initial_option=options.get(severity or "")
    )
    title = PlainTextInputElement(
        action_id=TITLE_ACTION, max_length=200, placeholder=PlainTextObject(text="Checkout errors in eu-west")
    )
    return View(
        type="modal",
        callback_id=MODAL_CALLBACK,
        private_metadata=origin_channel,
        title=PlainTextObject(text="Declare an incident"),
        submit=PlainTextObject(text="Declare"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            InputBlock(block_id=TITLE_BLOCK, label=PlainTextObject(text="What is happening?"), element=title),
            InputBlock(block_id=SEVERITY_BLOCK, optional=True, label=PlainTextObject(text="Severity"), element=select),
        ],
    ).to_dict()


def modal_values(view: dict[str, Any]) -> tuple[str, str | None]:
    """(title, severity) as typed in the submitted form."""
    values = (view.get("state") or {}).get("values") or {}
    title = ((values.get(TITLE_BLOCK) or {}).get(TITLE_ACTION) or {}).get("value") or ""
    selected = ((values.get(SEVERITY_BLOCK) or {}).get(SEVERITY_ACTION) or {}).get("selected_option") or {}
    return str(title), selected.get("value")
