"""Where the links Slack posts point to: SCRIBE_PUBLIC_URL read once, refused when unusable."""

from __future__ import annotations

import pytest

from bot.core.pages import PublicUrlError, incident_page, public_base_url


def test_an_unset_or_blank_public_url_means_no_links() -> None:
    assert public_base_url(None) is None
    assert public_base_url("   ") is None
    assert incident_page(None, 7) is None


@pytest.mark.parametrize(
    ("text", "base"),
    [
        ("https://scribe.example.com", "https://scribe.example.com"),
        ("  https://scribe.example.com/ ", "https://scribe.example.com"),
        ("http://intranet:8080/scribe/", "http://intranet:8080/scribe"),
    ],
)
def test_a_public_url_keeps_its_path_prefix_and_loses_its_trailing_slash(text: str, base: str) -> None:
    assert public_base_url(text) == base
    assert incident_page(public_base_url(text), 7) == f"{base}/ui/incidents/7"


@pytest.mark.parametrize(
    "text", ["scribe.example.com", "ftp://scribe.example.com", "https://", "https://x.io/?a=1", "https://x.io/#top"]
)
def test_a_public_url_links_could_not_use_is_refused_saying_what_is_expected(text: str) -> None:
    with pytest.raises(PublicUrlError, match=r"such as https://scribe\.example\.com"):
        public_base_url(text)
