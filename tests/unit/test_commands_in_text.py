from bot.core.commands_in_text import commands_in_text
from bot.core.grammar import Command


def test_every_typed_incident_command_in_a_message_is_found_one_per_line() -> None:
    text = "writing it by hand:\n/incident start sev2 Checkout down\n/incident mark detected at 18:36 alert fired"
    assert commands_in_text(text) == [
        Command("start", "sev2 Checkout down"),
        Command("mark", "detected at 18:36 alert fired"),
    ]


def test_a_command_in_code_quotes_ends_at_the_closing_quote() -> None:
    assert commands_in_text("run `/incident mark ack at 00:44` please") == [Command("mark", "ack at 00:44")]


def test_paths_and_plain_mentions_of_the_word_are_not_commands() -> None:
    assert commands_in_text("see /var/incident mark and docs/incident page") == []
    assert commands_in_text("the incident is bad") == []
    assert commands_in_text(None) == []


def test_a_command_with_a_control_character_is_skipped() -> None:
    assert commands_in_text("/incident note bad\u0007bell") == []
