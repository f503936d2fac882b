"""Slack markup the bot writes (a link, a mention) is written in one module, bot/slack/safe_text.py,
which checks what goes inside it; no other module writes ``<{…}>``, ``<@{…}>``, ``<#{…}>`` or a
``<http…>`` of its own."""

from __future__ import annotations

import re
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
HAND_WRITTEN = re.compile(r"""(?<!`)<[@#!]?\{|["']<https?:""")
ALLOWED = {
    "slack/safe_text.py": "the one module that writes links and mentions",
    "core/mentions.py": "the core's mention of an owner parsed from a mention; quieted or kept by safe_text",
    "services/record_reader.py": "a Markdown autolink in the draft file (not mrkdwn), its address checked",
}


def test_no_module_but_safe_text_writes_a_link_or_a_mention_by_hand() -> None:
    found = []
    for path in sorted(BOT.rglob("*.py")):
        name = path.relative_to(BOT).as_posix()
        if name in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if HAND_WRITTEN.search(line):
                found.append(f"bot/{name}:{number}: {line.strip()}")
    assert not found, "write links with safe_link and mentions with user_mention/channel_mention:\n" + "\n".join(found)


def test_the_check_finds_a_link_written_by_hand() -> None:
    assert HAND_WRITTEN.search('lines.append(f"see <{page}|the page>")')
    assert HAND_WRITTEN.search('f"<@{user_id}> did it"')
    assert HAND_WRITTEN.search("'<https://example.com|x>'")
    assert not HAND_WRITTEN.search('"as ``<https://…>`` in a docstring"')
