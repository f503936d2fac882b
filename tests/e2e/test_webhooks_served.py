"""The webhooks as the production server serves them: ``scribe serve`` (gunicorn), real HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.test_cli import ROOT, clean_env, free_port
from tests.support.alert_senders import PD_SECRET, hex_hmac, pagerduty_incident_event
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SIGNING_SECRET


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def test_the_served_app_stores_a_signed_pagerduty_delivery_for_the_bot_tokens_workspace(tmp_path: Path) -> None:
    fake = FakeSlack().start()
    port = free_port()
    database = tmp_path / "serve.db"
    env = clean_env(
        DATABASE_URL=f"sqlite:///{database}",
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.url,
        WEB_CONCURRENCY="1",
        PAGERDUTY_WEBHOOK_SECRET=f"{PD_SECRET},another-secret",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    process.kill()
                    pytest.fail("server did not come up:\n" + (process.stdout.read() if process.stdout else ""))
                time.sleep(0.2)
        body = json.dumps(
            pagerduty_incident_event("incident.triggered", event_id="01SERVED", occurred_at="2026-12-02T13:50:07Z")
        ).encode()
        signed = {"X-PagerDuty-Signature": f"v1={hex_hmac(PD_SECRET, body)}"}
        assert post(f"{base}/webhooks/pagerduty", body, signed) == 200
        assert post(f"{base}/webhooks/pagerduty", body, signed) == 200
        assert post(f"{base}/webhooks/pagerduty", body, {"X-PagerDuty-Signature": "v1=00"}) == 401
        assert post(f"{base}/webhooks/opsgenie", body, {"Authorization": "Bearer x"}) == 404
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stdout:
            process.stdout.close()
        fake.stop()
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT team_id, external_id, action FROM alert_events")).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [("T111", "01SERVED", "triggered")]
