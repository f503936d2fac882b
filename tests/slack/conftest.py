"""Work a command left running after its ack finishes before the test's database and fake Slack go."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.background import wait_for_background
from tests.support.fake_slack import FakeSlack


@pytest.fixture(autouse=True)
def _background_work_finishes_inside_the_test(fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> Iterator[None]:
    """Set up after (so torn down before) the fake Slack and the database it uses."""
    yield
    wait_for_background()
