"""What runs once Slack has its answer: the deferred work of the request's workspace, the
drafts it reserved and the posts it owes (bot/services/deferred.py says how "once" holds).

Each request's lazy listener calls :func:`drain` for its own workspace, with its own token;
the clock does the same for every workspace, to finish what a dead process left.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.services import deferred, drafts
from bot.services.deferred import Work
from bot.services.people import is_fresh, user_zone
from bot.slack.client import name_and_zone, never_sent
from bot.slack.delivery import deliver_owed_posts
from bot.slack.deps import Deps
from bot.slack.draft_blocks import draft_message
from bot.slack.tickets import deliver_owed_tickets

log = logging.getLogger(__name__)

Runner = Callable[[Deps, WebClient, Work], None]
GivenUp = Callable[[Work], str | None]
"""What the person is told when work of a kind is given up: what failed and what to do, or
None when there is nobody to tell (a route's declaration)."""
KINDS: dict[str, Runner] = {}
GIVEN_UP: dict[str, GivenUp] = {}


def work_kind(name: str, *, given_up: GivenUp | None = None) -> Callable[[Runner], Runner]:
    """Register how deferred work of kind ``name`` is done, and what the person is told if it is
    given up (a general apology when ``given_up`` is None)."""

    def register(runner: Runner) -> Runner:
        if name in KINDS:
            raise ValueError(f"deferred work kind {name} is registered twice")
        KINDS[name] = runner
        if given_up is not None:
            GIVEN_UP[name] = given_up
        return runner

    return register


def tries(work: Work) -> str:
    return f"after {work.attempts} {'try' if work.attempts == 1 else 'tries'}"


def given_up_text(work: Work) -> str | None:
    """The message for work given up: the kind's own, else a general one."""
    describe = GIVEN_UP.get(work.kind)
    if describe is not None:
        return describe(work)
    return (
        f":x: Something went wrong on our side and I gave up on what you asked {tries(work)}. "
        "Please try again; if it keeps failing, tell whoever runs Incident Scribe."
    )


def new_key(kind: str) -> str:
    """A key for work that is accepted once by construction (its request is claimed)."""
    return f"{kind}:{uuid.uuid4()}"


def drain(deps: Deps, client: WebClient, team_id: str | None) -> None:
    """Do the owed work of ``team_id`` (every workspace when None, with ``client`` per team
    from ``client_for``), then build reserved drafts and send owed posts."""
    run_work(deps, lambda _team: client, team_id=team_id)
    drafts.enqueue_reserved_drafts(deps.sessions, settings=deps.settings, message_for=draft_message)
    if team_id is not None:
        deliver_owed_tickets(deps, client, team_id)
        deliver_owed_posts(deps, client, team_id)


def run_work(deps: Deps, client_for: Callable[[str], WebClient], *, team_id: str | None) -> deferred.WorkReport:
    def run(work: Work) -> None:
        runner = KINDS.get(work.kind)
        if runner is None:
            raise ValueError(f"no runner for deferred work of kind {work.kind}")
        try:
            runner(deps, client_for(work.team_id), work)
        except OSError as error:
            if never_sent(error):
                raise deferred.SlackUnreachable(f"Slack's Web API could not be reached: {error}") from error
            raise

    def gave_up(work: Work, error: Exception) -> None:
        text = given_up_text(work)
        if text is None or not (work.payload.get("user_id") or work.payload.get("response_url")):
            log.error("deferred %s %s was given up and there is nobody to tell", work.kind, work.key)
            return
        tell(client_for(work.team_id), work.payload, text)

    return deferred.run_owed(deps.sessions, run, clock=deps.clock, gave_up=gave_up, team_id=team_id)


def warm_people(deps: Deps, client: WebClient, team_id: str, user_ids: Iterable[str]) -> None:
    """Look up (after the answer) the people a request named whose zone is not cached or is
    stale, so their next command is answered from the cache."""
    now = deps.clock()
    for user_id in dict.fromkeys(u for u in user_ids if u):
        if not is_fresh(deps.sessions, team_id=team_id, user_id=user_id, now=now):
            user_zone(
                deps.sessions, team_id=team_id, user_id=user_id, now=now, fetch=lambda uid: name_and_zone(client, uid)
            )


def tell(
    client: WebClient,
    payload: dict[str, Any],
    text: str,
    *,
    public: bool = False,
    blocks: list[dict[str, Any]] | None = None,
) -> None:
    """Give the person who asked the outcome: through the command's ``response_url`` when it
    has one (it works in channels the bot is not in; valid for 30 minutes), else privately in
    the channel, else by DM. A post is never resent blind: only a 429 is retried."""
    response_url = payload.get("response_url")
    if response_url:
        webhook = WebhookClient(
            response_url, timeout=10, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)]
        )
        try:
            answer = webhook.send(
                text=text, blocks=blocks, response_type="in_channel" if public else "ephemeral", replace_original=False
            )
            if answer.status_code < 400:
                return
            log.warning("response_url answered %s; telling the person another way", answer.status_code)
        except OSError:
            log.warning("response_url could not be reached; telling the person another way", exc_info=True)
    user: str = payload.get("user_id") or ""
    channel: str = payload.get("channel_id") or ""
    try:
        if channel and not public:
            client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks)
            return
        client.chat_postMessage(channel=channel if public else user, text=text, blocks=blocks)
    except SlackApiError:
        if user:
            client.chat_postMessage(channel=user, text=text, blocks=blocks)


def received_at(payload: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(payload["received_at"])
