"""Payloads with one string field made 10 kB long, and the check that nothing kept it cut.

The field paths are found by walking the payload, so a field added to a captured payload is
covered without touching the tests. The long value is the field's own value followed by text
that does not compress (PostgreSQL compresses a long index entry before refusing it, so a
repeated character would hide a limit that random text hits).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from typing import Any

LONG_CHARS = 10_240

Path = tuple[str | int, ...]


def filler(chars: int = LONG_CHARS) -> str:
    """Hex text with no repeats for ``chars`` characters."""
    blocks = (chars + 63) // 64
    return "".join(hashlib.sha256(f"long-field-{i}".encode()).hexdigest() for i in range(blocks))[:chars]


FILLER = filler()


def string_paths(value: Any, path: Path = ()) -> Iterator[Path]:
    """Every path to a string in a JSON-like value, in document order."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from string_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from string_paths(item, (*path, index))
    elif isinstance(value, str):
        yield path


def named(path: Path) -> str:
    return ".".join(str(part) for part in path)


def lengthened(payload: Any, path: Path) -> Any:
    """A copy of ``payload`` whose string at ``path`` is its own value, a space, then the filler."""
    changed = copy.deepcopy(payload)
    parent = changed
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = f"{parent[path[-1]]} {FILLER}"
    return changed


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a value read back from the database (JSON columns included)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)
    elif isinstance(value, str):
        yield value


def cut_values(values: Any) -> list[str]:
    """The stored strings that hold the start of the filler but not all of it: a value cut short."""
    start = FILLER[:64]
    return [text[:80] + "…" for text in strings_in(values) if start in text and FILLER not in text]
