"""The tracker settings: all of a tracker's or none, refused at start with one clear line."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from bot.core.webhook_signatures import hub_signed, linear_fresh, linear_signed
from bot.settings import Settings

JIRA = {
    "JIRA_URL": "https://acme.atlassian.net/",
    "JIRA_EMAIL": "ops@acme.example",
    "JIRA_API_TOKEN": "ATATT3xFfGF0-very-secret",
    "JIRA_PROJECT": "OPS",
}


def test_a_complete_jira_is_read_and_its_token_masked() -> None:
    settings = Settings.from_env({**JIRA, "SCRIBE_TRACKER": "Jira"})
    assert (settings.jira_url, settings.tracker) == ("https://acme.atlassian.net", "jira")
    assert "very-secret" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"JIRA_URL": "https://acme.atlassian.net"}, "Jira is set up by halves: set JIRA_EMAIL, JIRA_API_TOKEN"),
        ({"GITHUB_WEBHOOK_SECRET": "s"}, "GitHub is set up by halves: set GITHUB_TOKEN, GITHUB_REPO"),
        ({"LINEAR_API_KEY": "k"}, "Linear is set up by halves: set LINEAR_TEAM_ID"),
        ({"GITHUB_TOKEN": "t", "GITHUB_REPO": "acme"}, "GITHUB_REPO must be owner/name"),
        ({**JIRA, "JIRA_URL": "acme.atlassian.net"}, r"JIRA_URL must be an http\(s\) address"),
        ({"SCRIBE_TRACKER": "gitlab"}, "SCRIBE_TRACKER must be jira, github or linear"),
        ({"SCRIBE_TRACKER": "linear"}, "SCRIBE_TRACKER is linear but Linear is not set up"),
    ],
)
def test_a_tracker_set_up_by_halves_is_refused_in_one_line(env: dict[str, str], says: str) -> None:
    with pytest.raises(SystemExit, match=says) as refused:
        Settings.from_env(env)
    assert "\n" not in str(refused.value)


def test_the_tracker_signatures_are_checked_over_the_raw_body() -> None:
    body = b'{"action":"closed"}'
    digest = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert hub_signed(body, f"sha256={digest}", ["s3cret"])
    assert not hub_signed(body, f"sha256={digest}", ["other"])
    assert not hub_signed(body, digest, ["s3cret"])
    assert not hub_signed(body + b" ", f"sha256={digest}", ["s3cret"])
    assert linear_signed(body, digest, ["s3cret"])
    assert not linear_signed(body, None, ["s3cret"])


def test_a_linear_timestamp_more_than_a_minute_away_is_stale() -> None:
    now = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
    ms = int(now.timestamp() * 1000)
    assert linear_fresh(ms - 59_000, now=now)
    assert not linear_fresh(ms - 61_000, now=now)
    assert not linear_fresh(str(ms), now=now)
    assert not linear_fresh(True, now=now)
