"""Imports run one way: cli → jobs → slack → services → storage → core. Nothing lower imports
anything higher, nothing imports in a circle, and only the Slack adapter speaks Slack.

Each check here reads the source (``ast``), so it holds for code no test runs yet."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "storage")

ADAPTER_FORBIDDEN = ("slack_bolt", "slack_sdk", "storage", "bot.jobs", "bot.cli")
"""Other surfaces beside Slack (webhooks, the web UI) take values from the use cases, as the
Slack adapter does, and are run by the entry points, never the other way round."""

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
        "bot.webhooks",
        "bot.ui",
        "flask",
        "werkzeug",
    ),
    "storage": (
        "slack_bolt",
        "slack_sdk",
        "bot.services",
        "bot.slack",
        "bot.jobs",
        "bot.cli",
        "bot.webhooks",
        "bot.ui",
        "flask",
        "werkzeug",
    ),
    "bot/services": (
        "slack_bolt",
        "slack_sdk",
        "bot.slack",
        "bot.jobs",
        "bot.cli",
        "bot.webhooks",
        "bot.ui",
        "flask",
        "werkzeug",
    ),
    # The Slack layer gets plain values from the use cases: no storage rows, no storage wiring.
    "bot/slack": ("storage", "bot.jobs", "bot.cli", "bot.webhooks", "bot.ui", "flask", "werkzeug"),
    "bot/jobs": ("bot.cli", "bot.webhooks", "bot.ui"),
    # The tracker clients speak HTTP to a tracker and nothing else: values in, values out.
    "bot/trackers": (*ADAPTER_FORBIDDEN, "sqlalchemy", "bot.services", "bot.slack", "bot.webhooks", "bot.ui"),
    "bot/webhooks": (*ADAPTER_FORBIDDEN, "bot.slack", "bot.ui"),
    "bot/ui": (*ADAPTER_FORBIDDEN, "bot.webhooks"),
}
"""bot/slack and bot/ui are the two adapters (Slack, and the web pages); the pages may use the
Slack adapter for signing in, never the other way round."""


def project_files() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at its top or inside a function, relative ones resolved;
    ``from package import name`` counts as importing ``package.name`` when that is a module
    (and ``package`` itself when a name is not one)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            submodules = {f"{base}.{alias.name}" for alias in node.names if _is_module(f"{base}.{alias.name}")}
            names.update(submodules)
            if len(submodules) < len(node.names):
                names.add(base)
    return names


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _offences(layer: str) -> list[str]:
    offences = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for module in imported_modules(path):
            if any(module == banned or module.startswith(banned + ".") for banned in FORBIDDEN[layer]):
                offences.append(f"{path.relative_to(ROOT)} imports {module}")
    return offences


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_layer_imports_one_above_it(layer: str) -> None:
    assert _offences(layer) == []


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in project_files()}
    return {name: {m for m in imported_modules(path) if m in modules and m != name} for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle in ``graph`` (as the modules along it, the first repeated at the end),
    or None: a depth-first walk that meets a module still on its path has gone round."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(module: str) -> list[str] | None:
        path.append(module)
        on_path.add(module)
        for target in sorted(graph.get(module, ())):
            if target in on_path:
                return [*path[path.index(target) :], target]
            if target not in done:
                found = visit(target)
                if found:
                    return found
        path.pop()
        on_path.discard(module)
        done.add(module)
        return None

    for module in sorted(graph):
        if module not in done:
            found = visit(module)
            if found:
                return found
    return None


def test_no_project_modules_import_each_other_in_a_circle() -> None:
    """Lazy imports inside functions count: a circle that only works thanks to import order (a
    registry importing its plugins at its bottom, and they importing it back) is still one."""
    assert find_cycle(import_graph()) is None


def test_the_cycle_finder_finds_a_registry_that_imports_its_plugins_back() -> None:
    registry_and_plugins = {
        "bot.jobs": {"bot.followup_jobs"},
        "bot.followup_jobs": {"bot.jobs"},
        "bot.cli": {"bot.jobs"},
    }
    assert find_cycle(registry_and_plugins) == ["bot.jobs", "bot.followup_jobs", "bot.jobs"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


# -- the core holds no Slack formats --------------------------------------------------------

SLACK_PAYLOAD_KEYS = frozenset(
    {
        "attachments",
        "blocks",
        "bot_profile",
        "deleted_ts",
        "edited",
        "event_ts",
        "latest_reply",
        "previous_message",
        "reply_count",
        "response_metadata",
        "subtype",
        "thread_ts",
        "ts",
        "username",
    }
)
"""Fields of Slack's message payloads: reading them is parsing Slack, which bot/slack does."""
BLOCK_KIT_TYPES = frozenset({"actions", "button", "context", "divider", "header", "home", "modal", "mrkdwn", "section"})
SLACK_MARKUP = re.compile(
    r"<[@#][UWC][A-Z0-9]"  # a user or channel mention
    r"|<![a-z]+[>|^]"  # @here, @channel, user groups, dates
    r"|<(?:https?|mailto):[^>|]*\|"  # a labelled link
    r"|(?<![\w*])\*[A-Za-z][^*\n]*\*(?![\w*])"  # *bold*
    r"|(?<![\w:]):[a-z0-9_+-]+:(?![\w:])"  # an :emoji: code
)
MARKUP_HOME = "bot/core/mentions.py"
"""Recorded and typed text carries Slack's mention markup, so the core reads it (the blameless
check, the owner of an action item) and quotes it, in this one module only."""


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _patterns(tree: ast.Module) -> set[int]:
    """String constants compiled as regular expressions (they read text, they write nothing)."""
    return {
        id(node.args[0])
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "compile"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


def slack_formats_in(source: str, filename: str) -> list[str]:
    """Where ``source`` reads a Slack payload field, builds a Block Kit object or writes mrkdwn."""
    tree = ast.parse(source)
    skipped = _docstrings(tree) | _patterns(tree)
    found = []
    for node in ast.walk(tree):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        key = None
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
        ):
            key = node.args[0]
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            key = node.slice
        if isinstance(key, ast.Constant) and key.value in SLACK_PAYLOAD_KEYS:
            found.append(f"{where} reads the Slack payload field {key.value!r}")
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(k, ast.Constant)
                    and k.value == "type"
                    and isinstance(v, ast.Constant)
                    and v.value in BLOCK_KIT_TYPES
                ):
                    found.append(f"{where} builds a Block Kit {v.value!r}")
        text = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            # A value filled in reads as an id would (``<@{owner}>`` is a mention).
            text = "".join(str(v.value) if isinstance(v, ast.Constant) else "U0" for v in node.values)
        if text is not None and SLACK_MARKUP.search(text):
            found.append(f"{where} writes Slack markup: {text[:60]!r}")
    return found


def test_the_core_reads_no_slack_payload_and_writes_no_mrkdwn() -> None:
    found = [
        finding
        for path in sorted((ROOT / "bot" / "core").rglob("*.py"))
        if str(path.relative_to(ROOT)) != MARKUP_HOME
        for finding in slack_formats_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert found == []


@pytest.mark.parametrize(
    "source",
    [
        'def parent(m):\n    return m.get("reply_count")\n',
        'def parent(m):\n    return m["thread_ts"]\n',
        'HELP = """*Incident Scribe* keeps the record."""\n',
        'def named(owner):\n    return f"you named <@{owner}>"\n',
        'BLOCK = {"type": "section", "text": "x"}\n',
        'DONE = ":white_check_mark: done"\n',
    ],
)
def test_the_slack_format_check_catches_what_the_core_used_to_hold(source: str) -> None:
    assert slack_formats_in(source, "example.py") != []


def test_the_slack_format_check_leaves_plain_values_and_patterns_alone() -> None:
    source = (
        '"""Slack writes ``<@U1>``; this docstring may say so."""\n'
        "import re\n"
        'MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")\n'
        'def entry(e):\n    return {"at": e.at, "kind": "note", "text": "noted at 10:05 UTC, 3:2 odds"}\n'
    )
    assert slack_formats_in(source, "example.py") == []


# -- no module that only passes names on ----------------------------------------------------


def passed_on(source: str) -> list[str]:
    """The names a module passes on from elsewhere: imported names it lists in ``__all__``, or
    all it imports when it holds nothing of its own (only imports, a docstring, ``__all__``).
    Importing modules to have them register themselves (a package's ``__init__`` naming its
    subcommands) passes on no name."""
    body = ast.parse(source).body
    imported: list[str] = []
    for node in body:
        if isinstance(node, ast.ImportFrom) and node.module not in (None, "__future__"):
            imported += [
                alias.asname or alias.name for alias in node.names if not _is_module(f"{node.module}.{alias.name}")
            ]
    exported: list[str] = []
    own = False
    for node in body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__all__"]:
            exported = [
                e.value
                for e in getattr(node.value, "elts", [])
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
        elif not isinstance(node, (ast.Import, ast.ImportFrom)) and not (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        ):
            own = True
    return imported if not own else [name for name in exported if name in imported]


def test_no_module_passes_on_names_that_live_elsewhere() -> None:
    """Import a name from its real home: a module that passes names on is a second address for
    the same thing (as bot/slack/parse.py was for the message parsers)."""
    passing_on = {
        str(path.relative_to(ROOT)): names
        for path in project_files()
        if (names := passed_on(path.read_text(encoding="utf-8")))
    }
    assert passing_on == {}


def test_the_pass_on_check_knows_a_second_address() -> None:
    assert passed_on('"""Re-exported."""\nfrom bot.x import a, b\n') == ["a", "b"]
    assert passed_on(
        '"""Mixed."""\nfrom bot.x import a, b\n__all__ = ["a", "c"]\n\ndef c() -> int:\n    return b()\n'
    ) == ["a"]
    assert passed_on('"""Its own."""\nfrom bot.x import a\n\ndef b() -> int:\n    return a()\n') == []


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
