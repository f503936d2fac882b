"""Names for incident channels: ``inc-YYYYMMDD-slug``, within Slack's rules for channel names."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

MAX_CHANNEL_NAME = 80
"""Slack's limit: lowercase letters, digits, hyphens and underscores, at most 80 characters."""
MAX_SLUG = 40
_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")


def slugify(title: str, *, limit: int = MAX_SLUG) -> str:
    """``"Checkout 5xx in EU-west!"`` → ``"checkout-5xx-in-eu-west"``; accents folded, cut at a word."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    slug = _NOT_ALLOWED.sub("-", folded).strip("-")
    if len(slug) > limit:
        cut = slug[:limit]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug or "incident"


def incident_channel_name(title: str, on: date, *, attempt: int = 1) -> str:
    """The channel name to try for the ``attempt``-th time: ``inc-20261129-db-latency``, then ``…-2``."""
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    suffix = "" if attempt == 1 else f"-{attempt}"
    name = f"inc-{on:%Y%m%d}-{slugify(title)}"
    return name[: MAX_CHANNEL_NAME - len(suffix)] + suffix
