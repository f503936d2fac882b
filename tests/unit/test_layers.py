"""Imports run one way: cli → jobs → slack → services → storage → core. Nothing lower imports
anything higher, and only the Slack adapter speaks Slack."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "bot/core": (
        "slack_bolt",
        "slack_sdk",
        "sqlalchemy",
        "alembic",
        "apscheduler",
        "storage",
        "bot.services",
        "bot.slack",
        "bot.jobs",
        "bot.cli",
        "bot.settings",
        "bot.ui",
        "flask",
        "werkzeug",
    ),
    "bot/services": ("slack_bolt", "slack_sdk", "bot.slack", "bot.ui", "flask", "werkzeug", "bot.jobs", "bot.cli"),
    "storage": (
        "slack_bolt",
        "slack_sdk",
        "bot.services",
        "bot.slack",
        "bot.ui",
        "flask",
        "werkzeug",
        "bot.jobs",
        "bot.cli",
    ),
    "bot/slack": ("bot.ui", "flask", "bot.jobs", "bot.cli"),
    "bot/ui": ("bot.jobs", "bot.cli"),
}
"""bot/slack and bot/ui are the two adapters (Slack, and the web pages); the pages may use the
Slack adapter for signing in, never the other way round."""


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_layer_imports_one_above_it(layer: str) -> None:
    offences = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for module in imported_modules(path):
            if any(module == banned or module.startswith(banned + ".") for banned in FORBIDDEN[layer]):
                offences.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offences == []


def test_slack_text_is_escaped_in_one_place_only() -> None:
    """Escaping written twice is how text came out escaped twice (``&amp;amp;``): every post
    quotes typed or recorded text through bot/slack/safe_text.py."""
    home = ROOT / "bot" / "slack" / "safe_text.py"
    escaping = [
        str(path.relative_to(ROOT))
        for folder in ("bot", "storage")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != home and any(entity in path.read_text(encoding="utf-8") for entity in ("&amp;", "&lt;", "&gt;"))
    ]
    assert escaping == []
