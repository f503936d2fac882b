"""One logging set-up for every process: LOG_LEVEL, a UTC ISO 8601 time, installed once."""

from __future__ import annotations

import contextvars
import io
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.logs import HANDLER_NAME, configure_logging, tag_request
from bot.settings import Settings


def ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME]


def test_configuring_logging_twice_installs_one_handler_and_keeps_the_last_level() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("DEBUG", stream=first)
    configure_logging("WARNING", stream=second)

    logging.getLogger("bot.example").info("not at WARNING")
    logging.getLogger("bot.example").warning("once, in the second stream")

    assert len(ours()) == 1
    assert logging.getLogger().level == logging.WARNING
    assert first.getvalue() == ""
    assert second.getvalue().count("once, in the second stream") == 1
    assert "not at WARNING" not in second.getvalue()


@pytest.mark.parametrize(
    ("variable", "shown", "hidden"),
    [("DEBUG", "debug line", None), ("INFO", "info line", "debug line"), ("error", "error line", "info line")],
)
def test_log_level_decides_which_lines_are_written(variable: str, shown: str, hidden: str | None) -> None:
    stream = io.StringIO()
    configure_logging(Settings.from_env({"LOG_LEVEL": variable}).log_level, stream=stream)
    example = logging.getLogger("bot.example")
    example.debug("debug line")
    example.info("info line")
    example.error("error line")
    assert shown in stream.getvalue()
    if hidden:
        assert hidden not in stream.getvalue()


def test_log_level_is_info_unless_set() -> None:
    assert Settings.from_env({}).log_level == "INFO"


def test_an_unknown_log_level_is_refused_naming_the_choices() -> None:
    with pytest.raises(SystemExit) as refused:
        Settings.from_env({"LOG_LEVEL": "LOUD"})
    assert "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL" in str(refused.value)


def test_a_line_gives_the_utc_time_the_level_the_logger_the_request_and_the_message() -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    before = datetime.now(UTC)
    logging.getLogger("bot.example").info("draft posted")

    def in_a_request() -> None:
        tag_request(team="T111", channel="C1", event="Ev01")
        logging.getLogger("bot.example").info("with a request")

    contextvars.copy_context().run(in_a_request)

    plain, tagged = stream.getvalue().splitlines()
    match = re.fullmatch(r"(\S+) INFO bot\.example team=- channel=- event=-: draft posted", plain)
    assert match, plain
    at = datetime.fromisoformat(match.group(1).replace("Z", "+00:00"))
    assert match.group(1).endswith("Z")
    assert abs(at - before) < timedelta(seconds=5)
    assert tagged.endswith(" INFO bot.example team=T111 channel=C1 event=Ev01: with a request")


def test_a_logger_with_its_own_handler_that_does_not_propagate_is_left_alone() -> None:
    """gunicorn's error log is such a logger: it keeps its own format and destination."""
    theirs = io.StringIO()
    gunicorn_log = logging.getLogger("gunicorn.error.example")
    gunicorn_log.propagate = False
    own = logging.StreamHandler(theirs)
    gunicorn_log.addHandler(own)
    stream = io.StringIO()
    try:
        configure_logging("INFO", stream=stream)
        gunicorn_log.warning("Booting worker")
    finally:
        gunicorn_log.removeHandler(own)
    assert theirs.getvalue() == "Booting worker\n"
    assert stream.getvalue() == ""
