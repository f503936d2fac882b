"""What ``/incident link`` accepts, alert links found in messages, routes, and the phase rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.alert_events import AlertAction, AlertEvent, AlertKey, AlertSource
from bot.core.alert_links import (
    RouteSpec,
    event_matches,
    first_route,
    keys_in_text,
    parse_link_target,
    parse_route,
    route_matches,
    url_key,
)
from bot.core.alert_phases import alert_entries, combine_phases, describe_source
from bot.core.grammar import CommandError
from bot.core.record import TypedMark

PD = AlertSource.PAGERDUTY
OG = AlertSource.OPSGENIE
AM = AlertSource.ALERTMANAGER
GF = AlertSource.GRAFANA
OPSGENIE_ID = "70413a06-38d6-4c85-92b8-5ebc900d42e7-1568544924075"


def at(hour: int, minute: int) -> datetime:
    return datetime(2026, 12, 2, hour, minute, tzinfo=UTC)


def event(
    action: AlertAction,
    when: datetime,
    *,
    source: AlertSource = PD,
    group: str = "Q1ABC",
    by: str | None = None,
    external_id: str | None = None,
    fields: dict[str, str] | None = None,
) -> AlertEvent:
    kind = "incident" if source is PD else "fingerprint"
    key = AlertKey(source, kind, group)
    return AlertEvent(
        source=source,
        external_id=external_id or f"{group}-{action}-{when.isoformat()}",
        action=action,
        at=when,
        title="Checkout 5xx",
        group=key,
        keys=frozenset({key}),
        service="checkout",
        link=f"https://acme.pagerduty.com/incidents/{group}",
        by=by,
        fields=fields or {},
    )


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://acme.pagerduty.com/incidents/Q2K7ABCXYZ1234", AlertKey(PD, "incident", "Q2K7ABCXYZ1234")),
        ("https://acme.eu.pagerduty.com/incidents/PABC123/timeline", AlertKey(PD, "incident", "PABC123")),
        (f"https://acme.app.opsgenie.com/alert/detail/{OPSGENIE_ID}/details", AlertKey(OG, "alert", OPSGENIE_ID)),
        (f"https://acme.app.eu.opsgenie.com/alert/detail/{OPSGENIE_ID}/details", AlertKey(OG, "alert", OPSGENIE_ID)),
        (f"https://app.opsgenie.com/alert/detail/{OPSGENIE_ID}", AlertKey(OG, "alert", OPSGENIE_ID)),
        (f"https://acme.app.opsgenie.com/alert/V2#/show/{OPSGENIE_ID}", AlertKey(OG, "alert", OPSGENIE_ID)),
    ],
)
def test_paging_tool_urls_name_the_alert_they_point_at(url: str, key: AlertKey) -> None:
    assert url_key(url) == key
    assert parse_link_target(url).keys == {key}


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.pagerduty.com/services/PSVC123",
        "https://pagerduty.com.evil.example/incidents/PABC123",
        "https://example.com/incidents/PABC123",
        "ftp://acme.pagerduty.com/incidents/PABC123",
    ],
)
def test_other_urls_are_not_alerts(url: str) -> None:
    assert url_key(url) is None
    with pytest.raises(CommandError, match="not a PagerDuty incident"):
        parse_link_target(url)


def test_a_link_in_slack_markup_is_read_as_its_url() -> None:
    target = parse_link_target("<https://acme.pagerduty.com/incidents/PABC123|#1234 Checkout>")
    assert target.keys == {AlertKey(PD, "incident", "PABC123")}


def test_a_pagerduty_id_may_also_be_an_opsgenie_alias_or_an_alertname() -> None:
    keys = parse_link_target("PABC123").keys
    assert AlertKey(PD, "incident", "PABC123") in keys
    assert AlertKey(OG, "alias", "PABC123") in keys
    assert AlertKey(AM, "alertname", "PABC123") in keys


def test_naming_the_source_keeps_only_its_readings() -> None:
    assert parse_link_target("pagerduty:pabc123").keys == {AlertKey(PD, "incident", "PABC123")}
    assert parse_link_target("alertmanager:HighErrorRate").keys == {AlertKey(AM, "alertname", "HighErrorRate")}
    assert parse_link_target("opsgenie:1791").keys == {AlertKey(OG, "tiny", "1791"), AlertKey(OG, "alias", "1791")}


def test_fingerprints_group_keys_and_opsgenie_ids_are_recognised() -> None:
    assert AlertKey(AM, "fingerprint", "c4f0e4e0f5a0b8f1") in parse_link_target("c4f0e4e0f5a0b8f1").keys
    group = '{}/{severity="critical"}:{alertname="HighErrorRate"}'
    assert parse_link_target(group).keys == {AlertKey(AM, "group", group), AlertKey(GF, "group", group)}
    assert AlertKey(OG, "alert", OPSGENIE_ID) in parse_link_target(OPSGENIE_ID).keys
    assert AlertKey(OG, "tiny", "1791") in parse_link_target("1791").keys


@pytest.mark.parametrize(
    ("typed", "reason"), [("", "Say which alert"), ("two words", "more than one word"), ("x" * 501, "limit")]
)
def test_what_is_not_a_link_is_refused_with_the_grammar(typed: str, reason: str) -> None:
    with pytest.raises(CommandError, match=reason):
        parse_link_target(typed)


def test_links_are_found_in_recorded_text_once_each() -> None:
    text = (
        "Triggered <https://acme.pagerduty.com/incidents/PABC123|#1234> again: "
        "https://acme.pagerduty.com/incidents/PABC123 and "
        f"<https://acme.app.opsgenie.com/alert/detail/{OPSGENIE_ID}/details>, see <https://grafana.example/d/x>"
    )
    assert keys_in_text(text) == (AlertKey(PD, "incident", "PABC123"), AlertKey(OG, "alert", OPSGENIE_ID))
    assert keys_in_text("no links here") == ()
    assert keys_in_text(None) == ()


def test_an_event_matches_a_link_by_its_group_or_any_key() -> None:
    triggered = event(AlertAction.TRIGGERED, at(14, 5))
    assert event_matches({AlertKey(PD, "incident", "Q1ABC")}, triggered)
    assert not event_matches({AlertKey(PD, "incident", "Q9XYZ")}, triggered)


def test_a_route_matches_a_trigger_whose_fields_all_hold() -> None:
    route = parse_route("pagerduty", ["service=PA2P440", "Urgency=high"], "sev1")
    assert route == RouteSpec(PD, (("service", "PA2P440"), ("urgency", "high")), "sev1")
    high = event(AlertAction.TRIGGERED, at(14, 5), fields={"service": "PA2P440", "urgency": "high"})
    low = event(AlertAction.TRIGGERED, at(14, 5), fields={"service": "PA2P440", "urgency": "low"})
    acked = event(AlertAction.ACKNOWLEDGED, at(14, 6), fields={"service": "PA2P440", "urgency": "high"})
    assert route_matches(route, high)
    assert not route_matches(route, low)
    assert not route_matches(route, acked)  # only a trigger declares
    assert not route_matches(parse_route("opsgenie", [], "sev2"), high)


def test_the_most_severe_matching_route_declares() -> None:
    firing = event(AlertAction.FIRING, at(14, 5), source=AM, fields={"severity": "critical"})
    routes = [
        (1, parse_route("alertmanager", [], "sev3")),
        (2, parse_route("alertmanager", ["severity=critical"], "sev1")),
    ]
    assert first_route(routes, firing) == routes[1]
    assert first_route(routes[:1], event(AlertAction.TRIGGERED, at(14, 5))) is None


@pytest.mark.parametrize(
    ("words", "severity", "reason"),
    [(["service"], "sev1", "not FIELD=VALUE"), ([], "sev9", "not a severity"), (["a=1", "A=2"], "sev1", "twice")],
)
def test_a_bad_route_is_refused_saying_why(words: list[str], severity: str, reason: str) -> None:
    with pytest.raises(CommandError, match=reason):
        parse_route("pagerduty", words, severity)
    with pytest.raises(CommandError, match="not a source"):
        parse_route("nagios", [], "sev1")


def test_detection_is_the_earliest_trigger_and_acknowledgment_the_first_by_a_person() -> None:
    events = [
        event(AlertAction.TRIGGERED, at(14, 9), group="Q2"),
        event(AlertAction.TRIGGERED, at(14, 5)),
        event(AlertAction.ACKNOWLEDGED, at(14, 7)),  # a timeout, no person
        event(AlertAction.ACKNOWLEDGED, at(14, 12), by="Ada Okafor"),
    ]
    combined = combine_phases({}, events)
    assert combined.phases.detected == at(14, 5)
    assert combined.phases.acknowledged == at(14, 12)
    assert [source.used for source in combined.sources] == ["alert", "alert"]


def test_a_typed_mark_wins_and_both_are_shown_when_they_differ() -> None:
    events = [event(AlertAction.TRIGGERED, at(13, 50)), event(AlertAction.ACKNOWLEDGED, at(13, 55), by="Ada")]
    combined = combine_phases({"acknowledged": TypedMark(at(14, 2), "U1ADA")}, events)
    assert combined.phases.acknowledged == at(14, 2)
    ack = combined.sources[1]
    assert ack.used == "marked"
    assert ack.differ
    assert describe_source(ack) == "PagerDuty: acknowledged 13:55 UTC by Ada; marked 14:02 UTC by <@U1ADA>"


def test_an_alert_time_that_would_break_the_order_is_shown_not_used() -> None:
    events = [event(AlertAction.TRIGGERED, at(14, 30))]
    combined = combine_phases({"mitigated": TypedMark(at(14, 10), "U1")}, events)
    assert combined.phases.detected is None
    assert combined.sources[0].alert_out_of_order
    assert "not used" in describe_source(combined.sources[0])


def test_alert_resolution_is_suggested_and_never_resolves() -> None:
    events = [
        event(AlertAction.TRIGGERED, at(14, 5)),
        event(AlertAction.RESOLVED, at(14, 40), by="Ada"),
        event(AlertAction.FIRING, at(14, 6), source=AM, group="c4f0e4e0f5a0b8f1"),
    ]
    still_firing = combine_phases({}, events)
    assert still_firing.alerts_resolved_at is None
    events.append(event(AlertAction.ALERT_RESOLVED, at(14, 45), source=AM, group="c4f0e4e0f5a0b8f1"))
    combined = combine_phases({}, events)
    assert combined.alerts_resolved_at == at(14, 45)
    assert combined.phases.mitigated is None
    assert combined.phases.resolved is None
    marked = combine_phases({"resolved": TypedMark(at(14, 50), "U1")}, events)
    assert marked.alerts_resolved_at is None


def test_alert_entries_are_at_the_sources_time_and_link_back() -> None:
    entries = alert_entries(
        [event(AlertAction.ACKNOWLEDGED, at(14, 7), by="Ada Okafor"), event(AlertAction.TRIGGERED, at(14, 5))]
    )
    assert [entry.at for entry in entries] == [at(14, 5), at(14, 7)]
    assert entries[0].text == "PagerDuty triggered: Checkout 5xx (service checkout)"
    assert entries[1].text == "PagerDuty acknowledged by Ada Okafor: Checkout 5xx (service checkout)"
    assert entries[1].permalink == "https://acme.pagerduty.com/incidents/Q1ABC"
    assert entries[0].kind == "alert"
    assert entries[0].bot == "PagerDuty"
