"""Reading the ticket a person types after ``/incident action link ID``."""

from __future__ import annotations

import pytest

from bot.core.grammar import CommandError
from bot.core.ticket_info import Tracker
from bot.core.tickets import TicketRef, TrackerPlaces, parse_ticket_ref

ALL = TrackerPlaces(jira_url="https://acme.atlassian.net", github_repo="acme/api", linear=True, preferred=Tracker.JIRA)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("OPS-12", TicketRef(Tracker.JIRA, "OPS-12", "https://acme.atlassian.net/browse/OPS-12")),
        ("ops-12", TicketRef(Tracker.JIRA, "OPS-12", "https://acme.atlassian.net/browse/OPS-12")),
        (
            "<https://acme.atlassian.net/browse/OPS-12>",
            TicketRef(Tracker.JIRA, "OPS-12", "https://acme.atlassian.net/browse/OPS-12"),
        ),
        (
            "https://acme.atlassian.net/jira/software/projects/OPS/boards/1?selectedIssue=OPS-7",
            TicketRef(Tracker.JIRA, "OPS-7", "https://acme.atlassian.net/browse/OPS-7"),
        ),
        (
            "<https://github.com/acme/api/issues/12>",
            TicketRef(Tracker.GITHUB, "12", "https://github.com/acme/api/issues/12"),
        ),
        (
            "<https://github.com/acme/api/issues/12|acme/api#12>",
            TicketRef(Tracker.GITHUB, "12", "https://github.com/acme/api/issues/12"),
        ),
        ("#12", TicketRef(Tracker.GITHUB, "12", "https://github.com/acme/api/issues/12")),
        (
            "https://linear.app/acme/issue/ENG-123/add-an-alert",
            TicketRef(Tracker.LINEAR, "ENG-123", "https://linear.app/issue/ENG-123"),
        ),
    ],
)
def test_a_ticket_is_read_from_a_key_an_address_or_a_number(typed: str, expected: TicketRef) -> None:
    assert parse_ticket_ref(typed, ALL) == expected


def test_a_bare_identifier_is_linear_when_linear_is_where_items_are_filed() -> None:
    places = TrackerPlaces(jira_url="https://acme.atlassian.net", linear=True, preferred=Tracker.LINEAR)
    assert parse_ticket_ref("ENG-5", places) == TicketRef(Tracker.LINEAR, "ENG-5", "https://linear.app/issue/ENG-5")


def test_a_bare_identifier_is_linear_when_jira_is_not_set_up() -> None:
    assert parse_ticket_ref("ENG-5", TrackerPlaces(linear=True)).tracker is Tracker.LINEAR


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("https://github.com/other/repo/issues/3", "Only issues of acme/api"),
        ("https://github.com/acme/api/pull/3", "not an issue"),
        ("https://example.com/browse/OPS-1", "not an issue of a tracker set up here"),
        ("javascript:alert(1)", "not a ticket I can read"),
        ("OPS-12 OPS-13", "Give one ticket"),
        ("12", "not a ticket I can read"),
        ("https://acme.atlassian.net/browse/OPS-1|x", "characters a link cannot"),
        ("", "Give one ticket"),
    ],
)
def test_what_is_not_a_ticket_here_is_refused_saying_what_to_type(typed: str, says: str) -> None:
    with pytest.raises(CommandError, match=says):
        parse_ticket_ref(typed, ALL)


def test_a_github_number_without_github_set_up_is_refused() -> None:
    with pytest.raises(CommandError, match="GitHub is not set up"):
        parse_ticket_ref("#3", TrackerPlaces(jira_url="https://acme.atlassian.net"))


def test_nothing_can_be_linked_when_no_tracker_is_set_up() -> None:
    with pytest.raises(CommandError, match="No tracker is set up"):
        parse_ticket_ref("OPS-1", TrackerPlaces())
