"""Which addresses a link may point to: the one rule for the links the bot writes in Slack, the
links back to a sender kept from a webhook, and the files' links in the Markdown draft."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_HIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
"""Control, zero-width and bidirectional-override characters: never part of an address."""


def is_plain(text: str) -> bool:
    """No whitespace, ``|``, control, zero-width or bidirectional character: what any address
    the bot links to must be made of."""
    return not (_HIDDEN.search(text) or "|" in text or any(char.isspace() for char in text))


def web_address(url: str | None) -> str | None:
    """``url`` when it is a plain absolute http(s) address, else None: another scheme, no host,
    whitespace, ``|`` (which would relabel a Slack link), control, zero-width or bidirectional
    characters (which would hide where it goes) are refused. ``<``, ``>`` and ``&`` are kept:
    each rendering escapes them its own way."""
    if not url or not is_plain(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced "[" in the host
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url
