"""What every page answer carries, and the CSRF check every form goes through."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import MutableMapping
from typing import Any


def _policy(styles: str) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            f"style-src {styles}",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        )
    )


CONTENT_SECURITY_POLICY = _policy("'self'")
"""Every page: scripts and styles only from the site's own files, nothing inline."""

MERMAID_POLICY = _policy("'self' 'unsafe-inline'")
"""The draft page only: Mermaid writes the chart's styles as a <style> element and style
attributes in the SVG it draws, which a policy without 'unsafe-inline' for styles blocks (the
chart is then drawn unstyled). Scripts stay 'self' only, and no eval: Mermaid needs none."""

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}

CSRF_FIELD = "csrf_token"


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's token, made on first use: every form carries it back."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok(session: MutableMapping[str, Any], sent: str | None) -> bool:
    expected = session.get("csrf")
    return isinstance(expected, str) and isinstance(sent, str) and hmac.compare_digest(expected, sent)
