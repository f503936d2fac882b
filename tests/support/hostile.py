"""Hostile values, payloads with one string field replaced by one, and a reading of what Slack was
sent as Slack would read it: for the tests that deliver hostile payloads."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from tests.support.fake_slack import Call
from tests.support.slack_requests import Response

LONG = ("Checkout <!channel> ><!here|x> &lt;!here&gt; <https://evil.example|label> |label \u202e " * 200)[:10_240]
HOSTILE = (
    "<!channel>",
    "<!here|x>",
    "<!subteam^S1|@ops>",
    "><!channel>",
    "&lt;!here&gt;",
    "|label",
    "\u200b",
    "\u202e",
    "https://evil.example/a><!channel>|label",
    LONG,
)
assert len(LONG) == 10_240

OWN_LABELS = re.compile(r"(?:\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}|page|[Tt]he incident's page")
"""The labels the bot gives its own links: a key event's time, the incident's page."""


Path_ = tuple[str | int, ...]


def string_fields(value: Any, path: Path_ = ()) -> Iterator[Path_]:
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from string_fields(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from string_fields(inner, (*path, index))


def replaced(payload: Any, path: Path_, value: str) -> Any:
    changed = copy.deepcopy(payload)
    inner = changed
    for step in path[:-1]:
        inner = inner[step]
    inner[path[-1]] = value
    return changed


def field_name(path: Path_) -> str:
    names = [step for step in path if isinstance(step, str)]
    return names[-1] if names else ""


_SLACK_TS = re.compile(r"\d{10}\.\d{6}")


def distinct_slack(payload: dict[str, Any], number: int) -> dict[str, Any]:
    """Every message ts moved to a time of its own for delivery ``number`` (the same ts moved the
    same way within the payload, so an edit still names its message), and a new event id."""
    seen = sorted({value for value in _strings(payload) if _SLACK_TS.fullmatch(value)})
    moved = {ts: f"{1_796_000_000 + number * 20 + index}.{ts[-6:]}" for index, ts in enumerate(seen)}
    varied = map_strings(payload, lambda value: moved.get(value, value))
    if "event_id" in varied:
        varied["event_id"] = f"Ev{number:08d}"
    return varied


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def map_strings(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {key: map_strings(inner, change) for key, inner in value.items()}
    if isinstance(value, list):
        return [map_strings(inner, change) for inner in value]
    return value


def distinct_starts(payload: dict[str, Any], number: int) -> dict[str, Any]:
    """Each alert's start (part of its event's id) moved by ``number`` minutes."""
    varied = copy.deepcopy(payload)
    for alert in varied["alerts"]:
        start = datetime.fromisoformat(alert["startsAt"].replace("Z", "+00:00"))
        alert["startsAt"] = (start + timedelta(minutes=number)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return varied


# What Slack would read as live.

_MARKUP = re.compile(r"<([^<>]*)>")
_USER = re.compile(r"@[UW][A-Z0-9]+")
_CHANNEL = re.compile(r"#[CGD][A-Z0-9]+(\|[^|]*)?")
_HIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def markup_problems(text: str) -> list[str]:
    """Each piece of ``text`` Slack would read as a special mention, a mention made of something
    other than an id, or a link whose label is not the bot's own nor its address."""
    problems = []
    for match in _MARKUP.finditer(text):
        inner = match.group(1)
        if inner.startswith("!"):
            if not inner.startswith("!date^"):
                problems.append(f"live special mention {_around(text, match)!r}")
        elif inner.startswith("@"):
            if not _USER.fullmatch(inner):
                problems.append(f"a user mention of something else {_around(text, match)!r}")
        elif inner.startswith("#"):
            if not _CHANNEL.fullmatch(inner):
                problems.append(f"a channel mention of something else {_around(text, match)!r}")
        else:
            target, bar, label = inner.partition("|")
            if not re.match(r"https?://", target) or _HIDDEN.search(target):
                problems.append(f"a link to something else {_around(text, match)!r}")
            elif bar and not (OWN_LABELS.fullmatch(label) or label.rstrip("/") in _addresses(target)):
                problems.append(f"a relabelled link {_around(text, match)!r}")
    return problems


def _around(text: str, match: re.Match[str]) -> str:
    return text[max(0, match.start() - 60) : match.end() + 20][:200]


def _addresses(target: str) -> set[str]:
    bare = re.sub(r"^https?://", "", target).rstrip("/")
    return {target.rstrip("/"), bare}


UNSHOWN_KEYS = frozenset(("private_metadata", "callback_id", "external_id", "action_id", "block_id", "value"))
"""Inside a view or blocks: what the app keeps for itself and Slack does not show."""


def _texts(value: Any) -> Iterator[str]:
    """Every string Slack would show in a call's parameters (JSON given as a string included)."""
    if isinstance(value, str):
        if value[:1] in "[{":
            try:
                yield from _texts(json.loads(value))
                return
            except ValueError:
                pass
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key not in UNSHOWN_KEYS:
                yield from _texts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _texts(inner)


SHOWN = ("text", "blocks", "attachments", "view", "title", "initial_comment", "files", "metadata")
"""The parameters whose text Slack shows (a message, its blocks, a view, a file's title and comment);
the others are addresses (a channel, a user, a trigger) that Slack looks up and shows nothing of."""
CHANNEL_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")


def sent_problems(calls: list[Call], answers: list[Response]) -> list[str]:
    """Every piece of what the fake Slack was sent (its shown parameters) and of the HTTP answers
    that Slack would read as live markup, or a channel name it refuses."""
    found = []
    for call in calls:
        if call.method == "conversations.create" and not CHANNEL_NAME.fullmatch(str(call.params.get("name"))):
            found.append(f"conversations.create: a channel name Slack refuses {str(call.params.get('name'))[:80]!r}")
        shown = [call.params[name] for name in SHOWN if name in call.params and call.method != "upload"]
        for text in _texts(shown):
            found += [f"{call.method}: {problem}" for problem in markup_problems(text)]
    for response in answers:
        for text in _texts(response.json() if response.body[:1] in "[{" else response.body):
            found += [f"an answer: {problem}" for problem in markup_problems(text)]
    return found
