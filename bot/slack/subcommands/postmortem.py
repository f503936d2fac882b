"""``/incident postmortem | impact | cause | factor | went-well | went-poorly | surprised``:
what the draft is made of, and posting it (through the outbox, after the answer)."""

from __future__ import annotations

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.core.blame import find_blame
from bot.core.grammar import check_text, parse_text
from bot.services import deferred, drafts, incidents
from bot.services.deferred import Work
from bot.slack.after_answer import tries, work_kind
from bot.slack.deps import Deps
from bot.slack.draft_blocks import draft_message
from bot.slack.safe_text import safe_mrkdwn, user_mention
from bot.slack.subcommands.registry import CommandCall, Reply, subcommand

ENTRY_WORDS: dict[str, tuple[str, str, str]] = {
    # command: (entry kind, what it is, example)
    "impact": (
        "impact",
        "impact",
        "/incident impact 12% of EU card payments failed for 38 minutes (about 4,100 charges)",
    ),
    "cause": (
        "cause",
        "root cause",
        "/incident cause Edge certificates are renewed by hand and nothing alerts before expiry",
    ),
    "factor": ("factor", "contributing factor", "/incident factor The expiry alert existed only for the US edge"),
    "went-well": ("went_well", "thing that went well", "/incident went-well The rollback runbook worked first time"),
    "went-poorly": (
        "went_poorly",
        "thing that went poorly",
        "/incident went-poorly It took 18 minutes to find the expired certificate",
    ),
}
CHECKED_KINDS = frozenset({"cause", "factor", "went_poorly"})
"""Entries the blameless check reads (with the summary) in the draft."""


def reserve_draft(call: CommandCall, session: Session, *, reason: str) -> drafts.PostedDraft:
    """Number the next version of the draft in the caller's transaction, and owe its building
    and posting as deferred work, done once the answer is out (a large incident takes seconds
    to draft, and learning the workspace URL asks Slack)."""
    posted = drafts.reserve_draft(
        session,
        team_id=call.team_id,
        channel_id=call.channel_id,
        now=call.now,
        settings=call.deps.settings,
        reason=reason,
        requested_by=call.user_id,
    )
    deferred.accept(
        session,
        team_id=call.team_id,
        key=posted.message_key,
        kind="draft",
        payload={
            "incident_id": posted.incident_id,
            "user_id": call.user_id,
            "channel_id": call.channel_id,
            "response_url": call.response_url,
        },
        now=call.now,
    )
    return posted


def _draft_given_up(work: Work) -> str:
    return (
        f":x: I gave up building and posting the postmortem draft {tries(work)}: it failed on our side each "
        "time. Type `/incident postmortem` to try again; if it fails again, tell whoever runs Incident Scribe."
    )


@work_kind("draft", given_up=_draft_given_up)
def build_draft(deps: Deps, client: WebClient, work: Work) -> None:
    """Learn the workspace URL (for permalinks) once, then build the reserved version and put
    it in the outbox; the drain that runs this sends it next."""

    def fetch() -> tuple[str | None, str | None]:
        answer = client.auth_test()
        return answer.get("team"), answer.get("url")

    with deps.sessions.begin() as session:
        drafts.remember_workspace_url(session, team_id=work.team_id, fetch=fetch, now=deps.clock())
    drafts.enqueue_reserved_drafts(
        deps.sessions, settings=deps.settings, message_for=draft_message, incident_id=int(work.payload["incident_id"])
    )


def posting_line(posted: drafts.PostedDraft) -> str:
    kind = "full postmortem draft" if posted.full else "short postmortem summary"
    return f":memo: Version {posted.version} of the {kind} is being posted to this channel."


@subcommand("postmortem")
def postmortem(call: CommandCall) -> Reply:
    with call.write() as session:
        posted = reserve_draft(call, session, reason="requested")
    return Reply(posting_line(posted))


def _entry_handler(word: str) -> None:
    kind, what, example = ENTRY_WORDS[word]

    @subcommand(word)
    def add(call: CommandCall) -> Reply:
        text = parse_text(call.args, what=what, example=example)
        with call.write() as session:
            incidents.add_entry(
                session,
                team_id=call.team_id,
                channel_id=call.channel_id,
                kind=kind,
                text=text,
                user_id=call.user_id,
                now=call.now,
            )
        lines = [
            f":memo: {what[0].upper() + what[1:]} recorded for the postmortem by {user_mention(call.user_id)}:",
            f"> {safe_mrkdwn(text)}",
        ]
        if kind in CHECKED_KINDS:
            lines += [
                f":mag: Blameless check: “{safe_mrkdwn(flag.phrase)}” may name a person as the cause. {flag.hint}"
                for flag in find_blame(text)
            ]
        return Reply("\n".join(lines), public=True)


for _word in ENTRY_WORDS:
    _entry_handler(_word)


@subcommand("surprised")
def surprised(call: CommandCall) -> Reply:
    text = check_text(call.args, what="note")
    with call.write() as session:
        incidents.add_entry(
            session,
            team_id=call.team_id,
            channel_id=call.channel_id,
            kind="surprised",
            text=text,
            user_id=call.user_id,
            now=call.now,
        )
    reason = f"\n> {safe_mrkdwn(text)}" if text else ""
    return Reply(
        f":open_mouth: {user_mention(call.user_id)} says this incident surprised us, so it gets a full postmortem "
        f"whatever its severity.{reason}",
        public=True,
    )
