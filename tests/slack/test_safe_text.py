"""Recorded or typed text made safe to post back: no crowd pinged, nobody named notified, no
link under another address, ``&<>`` escaped exactly once."""

from __future__ import annotations

import re

import pytest

from bot.slack.safe_text import (
    INERT_AT,
    channel_mention,
    link_target,
    safe_link,
    safe_mrkdwn,
    safe_plain_text,
    user_mention,
)

LIVE = re.compile(r"<!|<@|(?<![\w@.])@(?:here|channel|everyone)(?!\w)", re.IGNORECASE)
"""A special or user mention that Slack would notify: markup, or a bare word it may link."""

NAMES = {"U1": "Ada Lovelace", "U2": "Grace"}

CASES = [
    "Issuer timeouts <!here>",
    "<!here|here> <!channel> <!everyone> <!group>",
    "<!channel|@channel> paging <!subteam^S123|@oncall> and <!subteam^S456>",
    "<@U1> and <@U2|grace> and <@U9|radia> and <@U8>",
    "<https://evil.example|https://bank.example>",
    "<https://status.example/incidents/42|status page> and <https://a.example>",
    "<http://example.com|example.com> <mailto:ada@example.com|ada@example.com>",
    "<!date^1392734382^{date_num} {time_secs}|2014-02-18 6:39:42 AM PST>",
    "<#C123|incidents> and <#C456>",
    "Add &lt;retries&gt; &amp; backoff",
    "Add <retries> & backoff",
    "&amp;lt; is how you write &lt; and &amp;amp; is &amp;",
    "&lt;!here&gt; and &lt;@U1&gt; typed as text",
    "@here, @Channel and @everyone typed as words; ada@here.example is an address",
    "<https://x.example/?a=1&amp;b=2|x.example/?a=1&amp;b=2> <https://x.example/?a=1&amp;b=2|read &amp; weep>",
    "unclosed <https://x.example and a stray > and <>",
    "no markup at all, just words: 12% of EU card payments failed",
    "",
]


@pytest.mark.parametrize("text", CASES)
def test_safe_text_is_idempotent(text: str) -> None:
    once = safe_mrkdwn(text, names=NAMES)
    assert safe_mrkdwn(once, names=NAMES) == once


@pytest.mark.parametrize("text", CASES)
def test_nothing_live_is_left_in_either_rendering(text: str) -> None:
    assert LIVE.search(safe_mrkdwn(text, names=NAMES)) is None
    assert LIVE.search(safe_plain_text(text, names=NAMES)) is None


@pytest.mark.parametrize("text", CASES)
def test_plain_text_reads_the_same_from_the_text_and_from_its_safe_mrkdwn(text: str) -> None:
    assert safe_plain_text(safe_mrkdwn(text, names=NAMES), names=NAMES) == safe_plain_text(text, names=NAMES)


def test_special_mentions_become_inert_words() -> None:
    assert safe_mrkdwn("Issuer timeouts <!here>") == f"Issuer timeouts {INERT_AT}here"
    assert safe_mrkdwn("<!here|here> <!channel> <!everyone> <!group>") == (
        f"{INERT_AT}here {INERT_AT}channel {INERT_AT}everyone {INERT_AT}channel"
    )
    assert safe_mrkdwn("<!channel|@channel>") == f"{INERT_AT}channel"


def test_user_groups_become_their_handle_without_notifying_the_group() -> None:
    assert safe_mrkdwn("paging <!subteam^S123|@oncall>") == f"paging {INERT_AT}oncall"
    assert safe_mrkdwn("<!subteam^S456>") == f"{INERT_AT}S456"


def test_bare_special_words_are_made_inert_but_addresses_are_left_alone() -> None:
    assert safe_mrkdwn("@here, @Channel and @everyone") == f"{INERT_AT}here, {INERT_AT}Channel and {INERT_AT}everyone"
    assert safe_mrkdwn("write to ada@here.example or @channels") == "write to ada@here.example or @channels"


def test_user_mentions_show_the_cached_name_else_the_label_else_the_id() -> None:
    assert safe_mrkdwn("<@U1> and <@U2|grace> and <@U9|radia> and <@U8>", names=NAMES) == (
        "@Ada Lovelace and @Grace and @radia and @U8"
    )
    assert safe_mrkdwn("<@U1|ada>") == "@ada"


def test_a_name_is_escaped_like_any_other_text() -> None:
    assert safe_mrkdwn("<@U1>", names={"U1": "R&D <bot>"}) == "@R&amp;D &lt;bot&gt;"
    assert safe_mrkdwn("<@U1>", names={"U1": "here"}) == f"{INERT_AT}here"


def test_a_link_label_cannot_disguise_its_target() -> None:
    assert safe_mrkdwn("<https://evil.example|https://bank.example>") == "https://bank.example (<https://evil.example>)"
    assert safe_mrkdwn("see <https://status.example/42|status page>") == "see status page (<https://status.example/42>)"
    assert (
        safe_plain_text("<https://evil.example|https://bank.example>") == "https://bank.example (https://evil.example)"
    )


def test_a_link_labelled_with_its_own_target_stays_as_it_is() -> None:
    assert safe_mrkdwn("<https://a.example>") == "<https://a.example>"
    assert safe_mrkdwn("<https://a.example|https://a.example>") == "<https://a.example|https://a.example>"
    assert safe_mrkdwn("<http://example.com|example.com>") == "<http://example.com|example.com>"
    assert safe_mrkdwn("<mailto:ada@example.com|ada@example.com>") == "<mailto:ada@example.com|ada@example.com>"
    assert safe_plain_text("<http://example.com|example.com>") == "example.com"


def test_a_link_keeps_its_query_escaped_once() -> None:
    link = "<https://x.example/?a=1&amp;b=2|read &amp; weep>"
    assert safe_mrkdwn(link) == "read &amp; weep (<https://x.example/?a=1&amp;b=2>)"
    assert safe_plain_text(link) == "read & weep (https://x.example/?a=1&b=2)"


def test_a_label_that_pings_is_made_inert_too() -> None:
    assert safe_mrkdwn("<https://x.example|@here>") == f"{INERT_AT}here (<https://x.example>)"


def test_a_date_becomes_its_fallback_text() -> None:
    assert safe_mrkdwn("at <!date^1392734382^{date_num} {time_secs}|2014-02-18 6:39 AM &amp; later>") == (
        "at 2014-02-18 6:39 AM &amp; later"
    )


def test_channel_links_stay_links() -> None:
    assert safe_mrkdwn("<#C123|incidents> and <#C456>") == "<#C123|incidents> and <#C456>"
    assert safe_plain_text("<#C123|incidents> and <#C456>") == "#incidents and #C456"


def test_slack_escaped_text_is_escaped_exactly_once() -> None:
    assert safe_mrkdwn("Add &lt;retries&gt; &amp; backoff") == "Add &lt;retries&gt; &amp; backoff"
    assert safe_mrkdwn("Add <retries> & backoff") == "Add &lt;retries&gt; &amp; backoff"
    assert safe_plain_text("Add &lt;retries&gt; &amp; backoff") == "Add <retries> & backoff"


def test_an_escaped_entity_is_text_not_a_second_escape() -> None:
    # Someone typed "&lt;": Slack sends "&amp;lt;", which must still show "&lt;", not "<".
    assert safe_mrkdwn("&amp;lt;") == "&amp;lt;"
    assert safe_plain_text("&amp;lt;") == "&lt;"
    assert safe_mrkdwn("&amp;amp;") == "&amp;amp;"
    assert safe_mrkdwn("AT&amp;T &amp;&amp; R&D") == "AT&amp;T &amp;&amp; R&amp;D"


def test_typed_markup_that_slack_escaped_stays_text() -> None:
    # "<!here>" typed literally reaches us escaped; it is shown, never turned into a mention,
    # even if a plain_text rendering were put in a mrkdwn field by mistake.
    assert safe_mrkdwn("&lt;!here&gt;") == "&lt;!here&gt;"
    assert safe_plain_text("&lt;!here&gt;") == "<\u2060!here>"


def test_text_with_no_markup_is_unchanged() -> None:
    text = "12% of EU card payments failed for 38 minutes (about 4,100 charges); rolled back to v1.42"
    assert safe_mrkdwn(text) == text
    assert safe_plain_text(text) == text
    assert safe_mrkdwn("*bold* _italic_ `code` :tada:") == "*bold* _italic_ `code` :tada:"


def test_nothing_in_gives_nothing_out() -> None:
    assert safe_mrkdwn(None) == ""
    assert safe_mrkdwn("") == ""
    assert safe_plain_text(None) == ""


def test_angle_brackets_that_are_not_markup_are_escaped() -> None:
    assert safe_mrkdwn("unclosed <https://x.example and a stray > and <>") == (
        "unclosed &lt;https://x.example and a stray &gt; and &lt;&gt;"
    )
    assert safe_mrkdwn("if a < b and c > d") == "if a &lt; b and c &gt; d"


@pytest.mark.parametrize(
    "url",
    [
        "https://prom.example/g><!channel>|Runbook",
        "https://prom.example/g|Runbook",
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "mailto:ada@example.com",
        "//prom.example/graph",
        "https:///no-host",
        "https://prom.example/a b",
        "https://prom.example/\u202egnp.exe",
        "https://prom.example/\u200b",
        "https://prom.example/\nnext",
        "",
        None,
    ],
)
def test_a_link_to_anything_but_a_plain_http_address_is_left_out_and_its_text_kept(url: str | None) -> None:
    assert link_target(url) is None
    assert safe_link(url, "Runbook") == "Runbook"


def test_a_link_escapes_its_address_and_makes_its_text_inert() -> None:
    written = safe_link("https://prom.example/graph?g0.expr=up<1&x=>", "<!channel> runbook|docs")
    assert written == f"<https://prom.example/graph?g0.expr=up&lt;1&amp;x=&gt;|{INERT_AT}channel runbook\u2223docs>"
    assert not LIVE.search(written)


def test_a_link_without_text_shows_its_address() -> None:
    assert safe_link("https://pd.example/incidents/P1") == "<https://pd.example/incidents/P1>"


def test_a_link_label_holds_no_markup_and_no_line_break() -> None:
    written = safe_link("https://a.example/", "see <https://b.example|here>\n<@U1> <#C1|ops>")
    assert written.count("<") == 1
    assert written.count(">") == 1
    assert "\n" not in written


def test_a_mention_the_app_writes_is_made_only_of_a_well_formed_id() -> None:
    assert user_mention("U1") == "<@U1>"
    assert user_mention("W0ADA") == "<@W0ADA>"
    assert channel_mention("C1") == "<#C1>"
    for id_ in ("<!channel>", "U1><!here", "U1|label", "u1", "", None):
        for written in (user_mention(id_), channel_mention(id_)):
            assert not LIVE.search(written), written
            assert "<" not in written
            assert "|" not in written
    assert user_mention("<!channel>") == f"@{INERT_AT}channel"


def test_a_link_with_a_host_that_is_not_one_is_left_out() -> None:
    for url in ("https://@", "https://:80/x", "https://[::1", "http://user:pass@/x"):
        assert link_target(url) is None, url


def test_a_private_answer_keeps_the_people_it_names_and_nothing_else() -> None:
    written = safe_mrkdwn("you named <@U2> and <@U3|radia>, not <!here> or <#x|ops>", people=True)
    assert written == f"you named <@U2> and <@U3>, not {INERT_AT}here or #ops"


def test_a_recorded_link_to_another_scheme_or_a_hidden_address_is_shown_as_words() -> None:
    assert safe_mrkdwn("<javascript:alert(1)|status>") == "status (javascript:alert(1))"
    written = safe_mrkdwn("<https://evil.example/\u202egnp.exe|report>")
    assert "<" not in written
    assert written.startswith("report (https://evil.example/")
    assert safe_mrkdwn("<mailto:ada@example.com|ada@example.com>") == "<mailto:ada@example.com|ada@example.com>"
