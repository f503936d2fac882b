"""Whether a webhook delivery was sent by whom it claims: each sender's own signing rule.

Every comparison is constant-time (``hmac.compare_digest``), and every check takes several
secrets, any of which may match (a secret being rotated is valid next to its successor).
Pure: the body is the raw bytes as received, ``now`` is a parameter.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime, timedelta

GRAFANA_MAX_AGE = timedelta(minutes=5)
"""A Grafana delivery whose signed timestamp is older than this is refused (a replay)."""


def _hex_hmac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _any_equal(expected: Iterable[str], presented: Iterable[str]) -> bool:
    presented_bytes = [p.encode() for p in presented]
    matched = False
    for want in expected:
        for got in presented_bytes:  # no early exit: the time taken does not tell which secret matched
            matched |= hmac.compare_digest(want.encode(), got)
    return matched


def pagerduty_signed(body: bytes, header: str | None, secrets: Iterable[str]) -> bool:
    """``X-PagerDuty-Signature: v1=<hex>,v1=<hex>…``: one HMAC-SHA256 of the body per signing
    secret of the subscription; the delivery is genuine when any ``v1`` signature matches any
    of our secrets. Other versions are ignored."""
    if not header:
        return False
    presented = [part.strip()[3:].lower() for part in header.split(",") if part.strip().startswith("v1=")]
    return bool(presented) and _any_equal((_hex_hmac(s, body) for s in secrets), presented)


def grafana_signed(
    body: bytes,
    signature: str | None,
    secrets: Iterable[str],
    *,
    timestamp: str | None = None,
    timestamped: bool = False,
    now: datetime | None = None,
) -> bool:
    """``X-Grafana-Alerting-Signature: <hex>``: HMAC-SHA256 of the body, or, when the contact
    point names a timestamp header (``timestamped``), of ``<unix seconds>:<body>``, refused when
    the timestamp is missing, not a whole number, or more than five minutes from ``now``."""
    if not signature:
        return False
    message = body
    if timestamped:
        if timestamp is None or not timestamp.strip().isdigit() or now is None:
            return False
        sent = int(timestamp.strip())
        if abs(now.timestamp() - sent) > GRAFANA_MAX_AGE.total_seconds():
            return False
        message = timestamp.strip().encode() + b":" + body
    return _any_equal((_hex_hmac(s, message) for s in secrets), [signature.strip().lower()])


def bearer_matches(authorization: str | None, tokens: Iterable[str]) -> bool:
    """``Authorization: Bearer <token>`` (the scheme in any case) carrying one of ``tokens``."""
    if not authorization:
        return False
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    return _any_equal(tokens, [token.strip()])


LINEAR_MAX_AGE = timedelta(seconds=60)
"""A Linear delivery whose ``webhookTimestamp`` is further than this from now is refused."""


def hub_signed(body: bytes, header: str | None, secrets: Iterable[str]) -> bool:
    """``sha256=<hex HMAC-SHA256 of the raw body>``: Jira Cloud's ``X-Hub-Signature`` and
    GitHub's ``X-Hub-Signature-256``."""
    if not header or not header.strip().lower().startswith("sha256="):
        return False
    return _any_equal((_hex_hmac(s, body) for s in secrets), [header.strip()[7:].lower()])


def linear_signed(body: bytes, header: str | None, secrets: Iterable[str]) -> bool:
    """``Linear-Signature: <hex HMAC-SHA256 of the raw body>``."""
    if not header:
        return False
    return _any_equal((_hex_hmac(s, body) for s in secrets), [header.strip().lower()])


def linear_fresh(webhook_timestamp: object, *, now: datetime) -> bool:
    """Whether the body's ``webhookTimestamp`` (milliseconds) is within a minute of now: an older
    one is a replay of a delivery signed long ago."""
    if not isinstance(webhook_timestamp, int) or isinstance(webhook_timestamp, bool):
        return False
    return abs(now.timestamp() * 1000 - webhook_timestamp) <= LINEAR_MAX_AGE.total_seconds() * 1000
