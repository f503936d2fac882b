"""Headless Chromium (the distribution's package) driven by Playwright, at the same WSGI app
the other tests use, served over real HTTP. The tests skip, saying why, where Chromium or
Playwright is missing. ``SCRIBE_SCREENSHOTS=DIR`` writes a PNG of each page to DIR."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import Scribe

CHROMIUM = os.environ.get("SCRIBE_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium chromium-driver)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


@pytest.fixture
def site(scribe: Scribe) -> Iterator[str]:
    """The app on a real port of localhost (a secure context, so Secure cookies work over HTTP)."""
    server = make_server("127.0.0.1", 0, scribe.wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


class Shots:
    def __init__(self) -> None:
        folder = os.environ.get("SCRIBE_SCREENSHOTS")
        self.folder = Path(folder) if folder else None

    def take(self, page: Any, name: str) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(self.folder / f"{name}.png"), full_page=True)


@pytest.fixture
def shots() -> Shots:
    return Shots()
