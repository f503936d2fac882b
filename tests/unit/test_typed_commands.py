from bot.core.commands import Command
from bot.core.typed_commands import typed_commands


def test_every_typed_incident_command_in_a_message_is_found_one_per_line() -> None:
    text = "writing it by hand:\n/incident start sev2 Checkout down\n/incident mark detected at 18:36 alert fired"
    assert typed_commands(text) == [
        Command("start", "sev2 Checkout down"),
        Command("mark", "detected at 18:36 alert fired"),
    ]


def test_a_command_in_code_quotes_ends_at_the_closing_quote() -> None:
    assert typed_commands("run `/incident mark ack at 00:44` please") == [Command("mark", "ack at 00:44")]


def test_paths_and_plain_mentions_of_the_word_are_not_commands() -> None:
    assert typed_commands("see /var/incident mark and docs/incident page") == []
    assert typed_commands("the incident is bad") == []
    assert typed_commands(None) == []


def test_a_command_with_a_control_character_is_skipped() -> None:
    assert typed_commands("/incident note bad\u0007bell") == []
