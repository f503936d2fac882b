"""The senders' signing rules, and the settings that hold their secrets."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from bot.core.webhook_signatures import bearer_matches, grafana_signed, pagerduty_signed
from bot.settings import Settings

BODY = b'{"event":{"id":"01X"}}'
NOW = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)


def sig(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def test_pagerduty_accepts_any_v1_signature_made_with_any_of_our_secrets() -> None:
    header = f"v1={sig('theirs', BODY)}, v1={sig('ours-old', BODY)}"
    assert pagerduty_signed(BODY, header, ["ours-new", "ours-old"])
    assert not pagerduty_signed(BODY, header, ["ours-new"])
    assert not pagerduty_signed(BODY, f"v0={sig('ours-new', BODY)}", ["ours-new"])
    assert not pagerduty_signed(BODY, None, ["ours-new"])
    assert not pagerduty_signed(BODY, f"v1={sig('ours', BODY)}", [])


def test_grafana_signs_the_timestamp_with_the_body_and_refuses_one_five_minutes_old() -> None:
    stamp = str(int(NOW.timestamp()) - 299)
    good = sig("s", f"{stamp}:".encode() + BODY)
    assert grafana_signed(BODY, good, ["s"], timestamp=stamp, timestamped=True, now=NOW)
    stale = str(int(NOW.timestamp()) - 301)
    stale_sig = sig("s", f"{stale}:".encode() + BODY)
    assert not grafana_signed(BODY, stale_sig, ["s"], timestamp=stale, timestamped=True, now=NOW)
    assert not grafana_signed(BODY, sig("s", BODY), ["s"], timestamp=None, timestamped=True, now=NOW)
    assert grafana_signed(BODY, sig("s", BODY).upper(), ["s"])


def test_a_bearer_token_must_be_exactly_one_of_ours() -> None:
    assert bearer_matches("Bearer tok-1", ["tok-0", "tok-1"])
    assert bearer_matches("bearer  tok-1 ", ["tok-1"])
    assert not bearer_matches("Bearer tok-10", ["tok-1"])
    assert not bearer_matches("Basic tok-1", ["tok-1"])
    assert not bearer_matches("Bearer ", ["tok-1"])


def test_webhook_secrets_are_read_comma_separated_and_never_shown_in_full() -> None:
    settings = Settings.from_env(
        {
            "PAGERDUTY_WEBHOOK_SECRET": "pd-secret-new-123456, pd-secret-old-654321",
            "OPSGENIE_WEBHOOK_TOKEN": "og-token-abcdefghij",
            "GRAFANA_WEBHOOK_SECRET": "gf-secret-abcdefghij",
            "GRAFANA_WEBHOOK_TIMESTAMP_HEADER": "X-Grafana-Alerting-Timestamp",
        }
    )
    assert settings.pagerduty_webhook_secret == ("pd-secret-new-123456", "pd-secret-old-654321")
    assert settings.alertmanager_webhook_token == ()
    shown = repr(settings)
    for secret in ("pd-secret-new-123456", "pd-secret-old-654321", "og-token-abcdefghij", "gf-secret-abcdefghij"):
        assert secret not in shown
    assert "X-Grafana-Alerting-Timestamp" in shown
