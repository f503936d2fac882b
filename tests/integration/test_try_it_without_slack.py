"""The README's "Try it without Slack" commands, run exactly as written."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    """The lines of the first code block under the README's "Try it without Slack" heading."""
    section = (ROOT / "README.md").read_text().split("## Try it without Slack", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


TRY_IT = readme_commands()


def run(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(command)
    if not (ROOT / argv[0]).exists():  # pytest run from another environment than .venv
        argv = [str(Path(sys.executable).parent / "scribe"), *argv[1:]]
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_readme_gives_exactly_two_commands() -> None:
    assert [command.split()[1] for command in TRY_IT] == ["import", "postmortem"]


def test_the_two_commands_import_the_example_and_print_its_draft(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    imported = run(TRY_IT[0], env)
    assert imported.returncode == 0, imported.stderr
    assert "scribe postmortem C07CHKOUT1" in imported.stdout
    printed = run(TRY_IT[1], env)
    assert printed.returncode == 0, printed.stderr
    assert "Checkout API returning 5xx" in printed.stdout
    assert "2026-11-27 23:36" in printed.stdout  # detection, typed in New York as 18:36
    assert "Rolling back to v2.30.4 now." in printed.stdout
