"""A person at the ``/ui/`` pages, driven through the real WSGI app with Werkzeug's client,
signing in against the fake Slack's OpenID Connect endpoints."""

from __future__ import annotations

import http.client
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from werkzeug.test import Client, TestResponse

from bot.ui.refresher import wait_for_refreshes
from tests.support.fake_slack import FakeSlack

BASE_URL = "https://scribe.test"


def follow_authorize(url: str) -> str:
    """GET the fake Slack's authorize page and return where it sends the browser back."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=5)
    connection.request("GET", f"{parts.path}?{parts.query}")
    answer = connection.getresponse()
    location = answer.getheader("Location") or ""
    connection.close()
    assert answer.status == 302, answer.status
    return location


class Visitor:
    def __init__(self, wsgi: Any, fake: FakeSlack) -> None:
        self.client = Client(wsgi)
        self.fake = fake

    def sign_in(self, user: str, *, team: str | None = None, name: str | None = None) -> TestResponse:
        """Signed in, and what Slack says this person may read is stored (the pages read it
        from Slack after the sign-in's answer, on their own pool)."""
        answer = self.start_sign_in(user, team=team, name=name)
        wait_for_refreshes()
        return answer

    def start_sign_in(self, user: str, *, team: str | None = None, name: str | None = None) -> TestResponse:
        """Through Slack's authorize page and back: the callback's answer."""
        self.fake.sign_in_as(user, team_id=team, name=name)
        start = self.get("/ui/login/slack")
        assert start.status_code == 302, start.text
        back = follow_authorize(start.headers["Location"])
        assert back.startswith(BASE_URL + "/ui/login/callback?"), back
        return self.get(back.removeprefix(BASE_URL))

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, base_url=BASE_URL, **kwargs)

    def post(self, path: str, data: dict[str, str], **kwargs: Any) -> TestResponse:
        return self.client.post(path, base_url=BASE_URL, data=data, **kwargs)

    def csrf(self, path: str) -> str:
        match = re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).text)
        assert match, "the page has no form with a CSRF token"
        return match.group(1)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
