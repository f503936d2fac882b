"""What ``/incident link`` accepts, the paging-tool links found in recorded messages, and routes.

All of it turns text into :class:`AlertKey` values (or matches an :class:`AlertEvent` against a
route); nothing here knows Slack, HTTP or the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from bot.core.alert_events import SOURCE_LABELS, AlertEvent, AlertKey, AlertSource
from bot.core.grammar import CommandError, check_text, parse_severity

MAX_LINK_CHARS = 500
SOURCE_NAMES: dict[str, AlertSource] = {
    "pagerduty": AlertSource.PAGERDUTY,
    "pd": AlertSource.PAGERDUTY,
    "opsgenie": AlertSource.OPSGENIE,
    "alertmanager": AlertSource.ALERTMANAGER,
    "prometheus": AlertSource.ALERTMANAGER,
    "grafana": AlertSource.GRAFANA,
}
KIND_LABELS: dict[str, str] = {
    "incident": "incident",
    "alert": "alert",
    "tiny": "tiny id",
    "alias": "alias",
    "alertname": "alertname",
    "fingerprint": "fingerprint",
    "group": "group key",
}

LINK_USAGE = (
    "`/incident link URL_OR_ID`: a PagerDuty incident URL or id, an Opsgenie alert URL, id, tiny id or alias, "
    "or an Alertmanager/Grafana alertname, fingerprint or group key (`pagerduty:ID`, `opsgenie:ALIAS`, "
    "`alertmanager:NAME` or `grafana:NAME` to name the source)."
)


@dataclass(frozen=True)
class LinkTarget:
    """What a person typed, and every alert handle it can mean.

    A bare word is often ambiguous (``PX7Q2ZK`` may be a PagerDuty incident or an Opsgenie alias):
    the link then holds each reading, and an event matching any of them is joined."""

    text: str
    keys: frozenset[AlertKey]


_PAGERDUTY_HOST = re.compile(r"^[a-z0-9-]+(?:\.[a-z]{2})?\.pagerduty\.com$")
_PAGERDUTY_PATH = re.compile(r"^/incidents/([A-Za-z0-9]+)(?:/|$)")
_OPSGENIE_HOST = re.compile(r"^(?:[a-z0-9-]+\.)?app(?:\.[a-z]{2})?\.opsgenie\.com$")
_OPSGENIE_PATH = re.compile(r"^/alert/detail/([A-Za-z0-9-]+)(?:/|$)")
_OPSGENIE_FRAGMENT = re.compile(r"^/show/([A-Za-z0-9-]+)(?:/|$)")
_PAGERDUTY_ID = re.compile(r"^[PQR][A-Z0-9]{5,15}$")
_OPSGENIE_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:-\d{10,16})?$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")
_TINY_ID = re.compile(r"^\d{1,12}$")
_NAME = re.compile(r"^[A-Za-z_:][A-Za-z0-9_:.\-]*$")
_ALIAS = re.compile(r"^[^\s<>|]{1,200}$")
_URLS = re.compile(r"https?://[^\s<>|\"']+")
_ALERTING = (AlertSource.ALERTMANAGER, AlertSource.GRAFANA)


def url_key(url: str) -> AlertKey | None:
    """The alert a PagerDuty incident URL or an Opsgenie alert URL points at; None for any other URL."""
    try:
        parts = urlsplit(url.strip().rstrip(".,;:!?)"))
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    if _PAGERDUTY_HOST.match(host) and (match := _PAGERDUTY_PATH.match(parts.path)):
        return AlertKey(AlertSource.PAGERDUTY, "incident", match.group(1).upper())
    if _OPSGENIE_HOST.match(host):
        match = _OPSGENIE_PATH.match(parts.path) or _OPSGENIE_FRAGMENT.match(unquote(parts.fragment).lstrip("#"))
        if match:
            return AlertKey(AlertSource.OPSGENIE, "alert", match.group(1))
    return None


def keys_in_text(text: str | None) -> tuple[AlertKey, ...]:
    """PagerDuty incident and Opsgenie alert links inside a recorded message, in order, once each.

    Slack sends links as ``<url>`` or ``<url|label>``; bots also post bare URLs."""
    if not text or "://" not in text:
        return ()
    found: dict[AlertKey, None] = {}
    for match in _URLS.finditer(text):
        key = url_key(match.group(0))
        if key is not None:
            found.setdefault(key, None)
    return tuple(found)


def parse_link_target(args: str) -> LinkTarget:
    """``/incident link``'s argument as the alert handles it can mean; CommandError when it is none."""
    text = check_text(args, what="alert link", limit=MAX_LINK_CHARS)
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].split("|", 1)[0].strip()  # Slack's own link markup
    if not text:
        raise CommandError("Say which alert to link: " + LINK_USAGE)
    if " " in text and not text.startswith("{"):
        raise CommandError(f"“{text[:60]}” is more than one word. Link one alert at a time: " + LINK_USAGE)
    if "://" in text:
        key = url_key(text)
        if key is None:
            raise CommandError(
                "That link is not a PagerDuty incident (`https://YOURS.pagerduty.com/incidents/ID`) or an Opsgenie "
                "alert (`https://YOURS.app.opsgenie.com/alert/detail/ID/details`). " + LINK_USAGE
            )
        return LinkTarget(text, frozenset({key}))
    head, colon, rest = text.partition(":")
    source = SOURCE_NAMES.get(head.lower()) if colon else None
    if source is not None and rest:
        keys = _keys_for(rest, sources=(source,))
    else:
        keys = _keys_for(text, sources=tuple(AlertSource))
    if not keys:
        raise CommandError(f"“{text[:60]}” is not an alert id, alias or name this can link. " + LINK_USAGE)
    return LinkTarget(text, frozenset(keys))


def _keys_for(word: str, *, sources: tuple[AlertSource, ...]) -> set[AlertKey]:
    keys: set[AlertKey] = set()
    alerting = [source for source in sources if source in _ALERTING]
    pagerduty_only = sources == (AlertSource.PAGERDUTY,)
    if (
        AlertSource.PAGERDUTY in sources
        and _PAGERDUTY_ID.match(word.upper())
        and (word.upper() == word or pagerduty_only)
    ):
        keys.add(AlertKey(AlertSource.PAGERDUTY, "incident", word.upper()))
    if AlertSource.OPSGENIE in sources:
        if _OPSGENIE_ID.match(word.lower()):
            keys.add(AlertKey(AlertSource.OPSGENIE, "alert", word.lower()))
        elif _TINY_ID.match(word):
            keys.add(AlertKey(AlertSource.OPSGENIE, "tiny", word))
        if _ALIAS.match(word) and not word.startswith("{"):
            keys.add(AlertKey(AlertSource.OPSGENIE, "alias", word))
    for source in alerting:
        if word.startswith("{"):
            keys.add(AlertKey(source, "group", word))
        elif _FINGERPRINT.match(word):
            keys.add(AlertKey(source, "fingerprint", word))
        elif _NAME.match(word):
            keys.add(AlertKey(source, "alertname", word))
    return keys


def describe_key(key: AlertKey) -> str:
    """``PagerDuty incident Q2K7ABC`` — how a link is shown to people."""
    return f"{SOURCE_LABELS[key.source]} {KIND_LABELS.get(key.kind, key.kind)} {key.value}"


def event_matches(keys: Iterable[AlertKey], event: AlertEvent) -> bool:
    """True when the event can be found by any of ``keys`` (its group counts as one of its keys)."""
    wanted = set(keys)
    return event.group in wanted or not wanted.isdisjoint(event.keys)


# Routes ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteSpec:
    """``SOURCE [FIELD=VALUE…] --declare sevN``: a trigger of SOURCE whose fields all match declares."""

    source: AlertSource
    matches: tuple[tuple[str, str], ...]
    """(field, value) pairs, fields lower-cased, in the order given; every one must hold."""
    severity: str


ROUTE_USAGE = "scribe alerts route add SOURCE [FIELD=VALUE…] --declare sev1..sev4"


def parse_source(word: str) -> AlertSource:
    source = SOURCE_NAMES.get(word.strip().lower())
    if source is None:
        raise CommandError(f"“{word[:40]}” is not a source. Use one of: pagerduty, opsgenie, alertmanager, grafana.")
    return source


def parse_route(source_word: str, matches: Iterable[str], severity_word: str) -> RouteSpec:
    source = parse_source(source_word)
    severity = parse_severity(severity_word.strip())
    if severity is None:
        raise CommandError(f"“{severity_word[:20]}” is not a severity; `--declare` takes sev1, sev2, sev3 or sev4.")
    pairs: list[tuple[str, str]] = []
    for item in matches:
        name, equals, value = item.partition("=")
        name = name.strip().lower()
        if not equals or not name or not value.strip():
            raise CommandError(f"“{item[:60]}” is not FIELD=VALUE (for example `service=PA2P440`). {ROUTE_USAGE}")
        if any(name == seen for seen, _ in pairs):
            raise CommandError(f"The field `{name}` is given twice; a route matches each field once.")
        pairs.append((name, value.strip()))
    return RouteSpec(source, tuple(pairs), severity)


def route_matches(route: RouteSpec, event: AlertEvent) -> bool:
    """A route declares on a trigger (or a firing alert) of its source whose fields all match.

    Field names are matched without case; values as the source spells them."""
    if event.source != route.source or not event.action.starts_trouble:
        return False
    fields = {name.lower(): value for name, value in _fields(event).items()}
    return all(fields.get(name) == value for name, value in route.matches)


def first_route(routes: Iterable[tuple[int, RouteSpec]], event: AlertEvent) -> tuple[int, RouteSpec] | None:
    """The route that declares this event: the most severe match, then the oldest route."""
    matching = [(route_id, route) for route_id, route in routes if route_matches(route, event)]
    if not matching:
        return None
    return min(matching, key=lambda pair: (pair[1].severity, pair[0]))


def _fields(event: AlertEvent) -> Mapping[str, str]:
    if event.service is not None and "service" not in event.fields:
        return {**event.fields, "service": event.service}
    return event.fields


def describe_route(route: RouteSpec) -> str:
    matches = " ".join(f"{name}={value}" for name, value in route.matches)
    return f"{route.source.value}{' ' + matches if matches else ''} --declare {route.severity}"
