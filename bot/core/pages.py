"""Where an incident's web page lives, for the links Slack posts point to."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

PAGES_PATH = "/ui/incidents/"


class PublicUrlError(ValueError):
    """``SCRIBE_PUBLIC_URL`` is not an address the links could use; the message says why."""


def public_base_url(text: str | None) -> str | None:
    """The public base URL of the web pages (``https://scribe.example.com``, maybe with a path
    prefix), without a trailing slash; None when unset."""
    if text is None or not text.strip():
        return None
    value = text.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise PublicUrlError(
            f"SCRIBE_PUBLIC_URL must be the address people open the pages at, such as "
            f"https://scribe.example.com; {value[:100]!r} is not."
        )
    return value


def incident_page(public_url: str | None, incident_id: int) -> str | None:
    """``<public URL>/ui/incidents/<id>``; None when no public URL is set (then no link is shown)."""
    if not public_url:
        return None
    return f"{public_url.rstrip('/')}{PAGES_PATH}{incident_id}"


@dataclass(frozen=True)
class IncidentFilter:
    status: str | None = None
    """``open`` (not closed), ``resolved`` or ``closed``."""
    severity: str | None = None
    service: str | None = None
    text: str | None = None
    """Found in the title, the channel id or the service, case-insensitively."""
