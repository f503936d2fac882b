"""Reading the words people type into `/incident` commands, with messages written for them.

The cleaning, echoing and prefix splitting shared by the readers of times and of due dates. A
refusal is a `TimeParseError` whose message speaks to the person who typed the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

MAX_INPUT_CHARS = 100

_WHITESPACE = str.maketrans(dict.fromkeys("\t\n\r\xa0\u202f", " "))

T = TypeVar("T")


class TimeParseError(ValueError):
    """Text a person typed that is not a usable time or date; the message is written for them."""


class UnreadableError(TimeParseError):
    """The text has the shape of no accepted form (a shorter prefix may still be a time)."""


def split_prefix(words: str, max_tokens: int, parse: Callable[[str], T], what: str, examples: str) -> tuple[T, str]:
    """Split `words` into (value, rest): the longest run of up to `max_tokens` leading words
    that `parse` reads, then the rest, stripped. Only an `UnreadableError` shortens the run."""
    tokens = list(re.finditer(r"\S+", words))[:max_tokens]
    for count in range(len(tokens), 0, -1):
        end = tokens[count - 1].end()
        try:
            value = parse(words[tokens[0].start() : end])
        except UnreadableError:
            continue
        return value, words[end:].strip()
    if not tokens:
        raise UnreadableError(f"You didn't give a {what}. Try one of: {examples}.")
    start = words[tokens[0].start() : tokens[-1].end()]
    raise UnreadableError(f"I couldn't find a {what} at the start of “{show(start)}”. Start with one of: {examples}.")


def clean_input(text: str, what: str, examples: str) -> str:
    """Collapse whitespace; refuse empty, over-long and non-ASCII or control-character text."""
    cleaned = re.sub(" +", " ", text.translate(_WHITESPACE)).strip()
    if not cleaned:
        raise UnreadableError(f"You didn't give a {what}. Try one of: {examples}.")
    if len(cleaned) > MAX_INPUT_CHARS:
        raise UnreadableError(
            f"“{show(cleaned)}” is too long for a {what} ({len(cleaned)} characters; at most "
            f"{MAX_INPUT_CHARS}). Try one of: {examples}."
        )
    if not (cleaned.isascii() and cleaned.isprintable()):
        raise unreadable(cleaned, what, examples)
    return cleaned


def unreadable(cleaned: str, what: str, examples: str) -> UnreadableError:
    """The refusal for text that reads as no accepted form of `what`."""
    return UnreadableError(f"I couldn't read “{show(cleaned)}” as a {what}. Try one of: {examples}.")


def show(text: str, limit: int = 40) -> str:
    """The typed text made safe to echo: unprintable characters replaced, long text cut."""
    safe = "".join(c if c.isprintable() else "\ufffd" for c in text)
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"
