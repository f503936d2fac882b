"""Read a Slack workspace export: a zip or a folder with ``channels.json``, ``users.json`` and one
folder per channel holding one JSON file per day.

Day files are split in whatever zone the exporter used, so their names say nothing reliable about
when a message was sent: only each message's ``ts`` does. Files are read in name order only to
keep the output stable.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from bot.services.errors import UserFacingError

CHANNEL_LISTS = ("channels.json", "groups.json", "mpims.json", "dms.json")


class ExportError(UserFacingError):
    """An export that cannot be read; the message says what is wrong with it."""


@dataclass(frozen=True)
class ExportChannel:
    id: str
    name: str
    purpose: str
    topic: str


class SlackExport:
    """The files of an export, wherever they are (a zip may hold them under one top folder)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if path.is_dir():
            self._files = {p.relative_to(path).as_posix(): p for p in path.rglob("*.json")}
            self._zip: zipfile.ZipFile | None = None
        elif path.is_file() and zipfile.is_zipfile(path):
            self._zip = zipfile.ZipFile(path)
            self._files = {name: name for name in self._zip.namelist() if name.endswith(".json")}  # type: ignore[misc]
        else:
            raise ExportError(f"{path} is neither a folder nor a zip file; give the path of a Slack export.")
        self._root = self._find_root()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> SlackExport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _find_root(self) -> str:
        candidates = sorted((name for name in self._files if PurePosixPath(name).name == "channels.json"), key=len)
        if not candidates:
            raise ExportError(f"{self.path} has no channels.json; is it a Slack workspace export?")
        parent = str(PurePosixPath(candidates[0]).parent)
        return "" if parent == "." else parent + "/"

    def _read(self, name: str) -> Any:
        source = self._files[name]
        try:
            if self._zip is not None:
                with self._zip.open(str(source)) as handle:
                    return json.load(handle)
            return json.loads(Path(source).read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise ExportError(f"{name} in {self.path} is not valid JSON ({error}).") from None

    def _list(self, name: str) -> list[dict[str, Any]]:
        full = self._root + name
        if full not in self._files:
            return []
        data = self._read(full)
        if not isinstance(data, list):
            raise ExportError(f"{name} in {self.path} should hold a list.")
        return [item for item in data if isinstance(item, dict)]

    def channels(self) -> list[ExportChannel]:
        found = []
        for list_name in CHANNEL_LISTS:
            for item in self._list(list_name):
                if item.get("id"):
                    found.append(
                        ExportChannel(
                            id=str(item["id"]),
                            name=str(item.get("name") or item["id"]),
                            purpose=str((item.get("purpose") or {}).get("value") or ""),
                            topic=str((item.get("topic") or {}).get("value") or ""),
                        )
                    )
        return found

    def users(self) -> list[dict[str, Any]]:
        return self._list("users.json")

    def channel(self, wanted: str) -> ExportChannel:
        """A channel by name (with or without ``#``) or id."""
        key = wanted.strip().lstrip("#")
        channels = self.channels()
        for channel in channels:
            if key in (channel.id, channel.name):
                return channel
        names = ", ".join(sorted(c.name for c in channels)) or "none"
        raise ExportError(f"There is no channel “{key}” in this export. Channels in it: {names}.")

    def messages(self, channel: ExportChannel) -> Iterator[dict[str, Any]]:
        """Every message record of the channel's day files (its folder is named for it, or its id)."""
        for folder in (channel.name, channel.id):
            prefix = f"{self._root}{folder}/"
            names = sorted(name for name in self._files if name.startswith(prefix) and "/" not in name[len(prefix) :])
            if not names:
                continue
            for name in names:
                day = self._read(name)
                if not isinstance(day, list):
                    raise ExportError(f"{name} in {self.path} should hold a list of messages.")
                yield from (m for m in day if isinstance(m, dict))
            return
