"""A failing check of a deployed configuration shows what its processes wrote."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from tests.support.deployment import Deployment


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    deployment = getattr(item, "funcargs", {}).get("deployment")
    if report.failed and isinstance(deployment, Deployment):
        report.sections.append(("output of the deployed processes", deployment.output()))
