"""Incident roles: who runs the fight (commander), who speaks for it (comms), who keeps the
record (scribe). Whoever starts or declares the incident is its commander until someone else is."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.core.grammar import CommandError
from bot.core.mentions import USER_MENTION, mention

ROLES = ("commander", "comms", "scribe")
ROLE_LABELS = {"commander": "Incident commander", "comms": "Communications lead", "scribe": "Scribe"}
ROLE_ALIASES = {
    "commander": "commander",
    "ic": "commander",
    "lead": "commander",
    "comms": "comms",
    "communications": "comms",
    "scribe": "scribe",
}
GRAMMAR = "`/incident role commander|comms|scribe @person`"
MAX_USER_ID_CHARS = 32
"""Slack user ids are far shorter; anything longer is not one (and would not fit the column)."""


@dataclass(frozen=True)
class RoleArgs:
    role: str
    user_id: str


@dataclass(frozen=True)
class Holder:
    role: str
    user_id: str
    by_default: bool = False
    """True for a commander who holds the role because they started the incident."""


def parse_role(args: str) -> RoleArgs:
    """``commander <@U123>`` → RoleArgs; anything else is refused with the grammar."""
    words = args.split()
    if len(words) != 2:
        raise CommandError(f"Name a role and one person: {GRAMMAR}.")
    role = ROLE_ALIASES.get(words[0].lower())
    if role is None:
        raise CommandError(f"There is no role `{words[0][:30]}`; the roles are commander, comms and scribe: {GRAMMAR}.")
    person = USER_MENTION.fullmatch(words[1])
    if person is None or len(person.group(1)) > MAX_USER_ID_CHARS:
        raise CommandError(f"Name the person with an @mention: {GRAMMAR}.")
    return RoleArgs(role, person.group(1))


def current_holders(assigned: Mapping[str, str], *, started_by: str | None) -> list[Holder]:
    """Every role that someone holds, in the order of ``ROLES``: those given with
    ``/incident role``, and the commander by default (who started the incident)."""
    holders = []
    for role in ROLES:
        if role in assigned:
            holders.append(Holder(role, assigned[role]))
        elif role == "commander" and started_by:
            holders.append(Holder(role, started_by, by_default=True))
    return holders


def commander_of(assigned: Mapping[str, str], *, started_by: str | None) -> str | None:
    return assigned.get("commander") or started_by


def handoff_note(role: str, user_id: str, previous: str | None) -> str:
    """The timeline note of a role given or handed over (mentions written by the app)."""
    label = ROLE_LABELS[role]
    if previous is None:
        return f"{label}: {mention(user_id)}"
    return f"{label}: {mention(user_id)}, taking over from {mention(previous)}"


def role_holders_mentioned(holders: Iterable[Holder]) -> set[str]:
    return {holder.user_id for holder in holders}
